"""The ``tracker`` command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from tracker.settings import SettingsError, get_settings

log = logging.getLogger("tracker")

# On SIGTERM a web process stops taking connections and gives the requests in flight this long
# (deploy/: compose's stop_grace_period and the k8s terminationGracePeriodSeconds are longer).
GRACEFUL_SHUTDOWN_SECONDS = 20


async def run_migrations() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from tracker import db

    settings = get_settings()
    engine = db.make_engine(settings.database_url)
    db.use_engine(engine)
    if settings.database_kind == "sqlite":
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        import sqlite3

        # Write-ahead logging lets readers and one writer work at once; it is persistent.
        with sqlite3.connect(settings.sqlite_path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
    result = await run_forwards(app_name="tracker", migration_id="all", fake=False)
    if not result.success:
        raise SystemExit(f"Migrations failed: {result.message}")
    if settings.database_kind == "sqlite":
        from tracker.audit.triggers import refresh_sqlite

        # SQLite's audit triggers name each column: rewritten for columns added since
        await refresh_sqlite(engine)


def cmd_migrate(args: argparse.Namespace) -> None:
    asyncio.run(run_migrations())
    print("Database is up to date.")


def refuse_unwalled_role() -> None:
    """In production on PostgreSQL, stop before serving or working when the database role
    bypasses row-level security (``tracker.wall_check``); elsewhere nothing."""
    from tracker.wall_check import check_before_start

    asyncio.run(check_before_start(get_settings()))


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    refuse_unwalled_role()
    settings = get_settings()
    log.info("database: %s", settings.database_kind)
    uvicorn.run(
        "tracker.asgi:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,  # whose X-Forwarded-For/-Proto count
        log_level="info",
        log_config=None,  # keep our logging (LOG_FORMAT=json for structured logs)
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,  # finish requests in flight
    )


def locale_language(environ: dict[str, str] | None = None) -> str:
    """The demo's language from the machine's locale: Chinese for zh*, else English
    (LC_ALL, then LC_MESSAGES, then LANG, as gettext reads them)."""
    import os

    source = dict(os.environ) if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = source.get(name, "")
        if value:
            return "zh_Hans" if value.lower().startswith("zh") else "en"
    return "en"


def cmd_demo(args: argparse.Namespace) -> None:
    from tracker.demo import create_demo

    lang = args.lang or locale_language()

    async def run() -> None:
        from tracker import db

        engine = db.make_engine(get_settings().database_url)
        db.use_engine(engine)
        await db.start(engine, 1, 2)
        try:
            created = await create_demo(lang=lang)
        finally:
            await db.stop(engine)
        print(created)

    asyncio.run(run())


def cmd_up(args: argparse.Namespace) -> None:
    """Migrate, make sure the demo organisation exists, print how to log in, serve."""
    if not get_settings().db_app_role:  # the app role may not exist before migrating
        refuse_unwalled_role()
    cmd_migrate(args)
    cmd_demo(args)
    from tracker.demo import DEMO_EMAIL, DEMO_PASSWORD

    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}/"
    print(f"\n  Open {url}\n  Log in as {DEMO_EMAIL} with the password {DEMO_PASSWORD}\n")
    cmd_serve(args)


def cmd_worker(args: argparse.Namespace) -> None:
    from arq.worker import run_worker

    from tracker.jobs.worker import WorkerSettings

    if not get_settings().redis_url:
        raise SystemExit("tracker worker needs REDIS_URL (for example redis://127.0.0.1:6379/0).")
    refuse_unwalled_role()
    run_worker(WorkerSettings)  # type: ignore[arg-type]


def cmd_run_jobs(args: argparse.Namespace) -> None:
    """Digests, reminders and the outbox, once (for a cron job, or to check a deployment)."""
    from tracker.jobs.tasks import run_cycle

    async def run() -> list[str]:
        from tracker import db

        settings = get_settings()
        engine = db.make_engine(settings.database_url)
        db.use_engine(engine)
        await db.start(engine, 1, 2, settings.db_app_role)
        try:
            return (await run_cycle()).lines()
        finally:
            await db.stop(engine)

    print("\n".join(asyncio.run(run())))


def cmd_create_org(args: argparse.Namespace) -> None:
    from tracker.demo import create_org_with_admin

    async def run() -> str:
        from tracker import db

        engine = db.make_engine(get_settings().database_url)
        db.use_engine(engine)
        await db.start(engine, 1, 2)
        try:
            return await create_org_with_admin(
                args.name, args.slug, args.admin_email, args.admin_name, args.admin_password
            )
        finally:
            await db.stop(engine)

    print(asyncio.run(run()))


def cmd_create_api_token(args: argparse.Namespace) -> None:
    """An API token for an organisation, printed once (for scripts and provisioning)."""

    async def run() -> str:
        from tracker import db
        from tracker.accounts.tables import Organisation
        from tracker.api import tokens
        from tracker.errors import Invalid
        from tracker.tenancy import TenantScope
        from tracker.values import Submitted

        engine = db.make_engine(get_settings().database_url)
        db.use_engine(engine)
        await db.start(engine, 1, 2)
        try:
            org = (
                await Organisation.select(Organisation.id)
                .where(Organisation.slug == args.org)
                .first()
            )
            if org is None:
                raise SystemExit(f"No organisation with the slug {args.org!r}.")
            values = Submitted.of({"name": args.name, "scope": args.scope})
            try:
                return await tokens.create(TenantScope(org["id"]), values, person_id=None)
            except Invalid as error:
                raise SystemExit("; ".join(error.fields.values())) from None
        finally:
            await db.stop(engine)

    print(asyncio.run(run()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tracker",
        description="The improvement-program tracker. Settings come from the environment: "
        "DATABASE_URL, REDIS_URL, SECRET_KEY, BASE_URL, SMTP_* (see the README).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def web_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
        )
        p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        p.add_argument("--workers", type=int, default=1, help="web worker processes (default 1)")

    def demo_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lang",
            choices=["en", "zh_Hans"],
            help="the language of the demo's content (default: the machine's locale, "
            "zh* → zh_Hans, otherwise en)",
        )

    p = sub.add_parser(
        "up",
        help="migrate, create the demo organisation, print the login and serve: "
        "the one command to try the tracker",
    )
    web_args(p)
    demo_args(p)
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("serve", help="serve the web app (run 'tracker migrate' first)")
    web_args(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="apply the database migrations (SQLite or PostgreSQL)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "demo",
        help="create the demo organisation with realistic initiatives (does nothing if it exists)",
    )
    demo_args(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("worker", help="run the arq background worker against REDIS_URL")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser(
        "run-jobs", help="build due digests, queue reminders and send the outbox, once"
    )
    p.set_defaults(func=cmd_run_jobs)

    p = sub.add_parser("create-org", help="create an organisation and its first admin")
    p.add_argument("--name", required=True, help="the organisation's name")
    p.add_argument("--slug", required=True, help="its web address, e.g. acme for /o/acme/")
    p.add_argument(
        "--admin-email",
        required=True,
        help="the admin's e-mail (an existing person "
        "is made admin; otherwise a new account is created)",
    )
    p.add_argument("--admin-name", default="Admin", help="the new admin's name")
    p.add_argument("--admin-password", help="the new admin's password (required for a new account)")
    p.set_defaults(func=cmd_create_org)

    p = sub.add_parser("create-api-token", help="create an organisation's API token (printed once)")
    p.add_argument("--org", required=True, help="the organisation's slug")
    p.add_argument("--name", required=True, help="the system that will use the token")
    p.add_argument("--scope", choices=["read", "write"], default="read")
    p.set_defaults(func=cmd_create_api_token)
    return parser


class JsonFormatter(logging.Formatter):
    """One JSON object per line (LOG_FORMAT=json), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        import json

        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging() -> None:
    import os

    handler = logging.StreamHandler()
    if os.environ.get("LOG_FORMAT", "").lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # Neither format shows where a record was made, nor its thread or process: skip collecting
    # them, as the logging HOWTO's "Optimization" section says (a frame walk per record; each
    # request writes an access-log record). About 2 µs a record.
    logging._srcfile = None  # type: ignore[attr-defined]
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def main(argv: list[str] | None = None) -> None:
    from tracker import patches, wiring

    patches.install()  # the worker's e-mails and the demo's queries take the same paths
    wiring.install()  # the hooks between areas, as in the app
    configure_logging()
    args = build_parser().parse_args(argv)
    try:
        get_settings()
        args.func(args)
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
