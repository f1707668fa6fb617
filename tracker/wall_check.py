"""Production refuses a database role that bypasses the tenant wall.

Row-level security does not apply to a superuser, to a role with ``BYPASSRLS``, or to the
owner of a table (or a member of the owner's role) unless the table forces it. The app and
the worker connecting as such a role would see every organisation's rows with nothing but the
application's scoping between tenants. So with ``TRACKER_ENV=production`` on PostgreSQL they
start only when the role their queries run as (``DB_APP_ROLE`` when set, else the login role
of ``DATABASE_URL``) bypasses nothing. ``tracker migrate`` runs as the owner, unchecked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from tracker.settings import Settings, SettingsError

# The role the queries run as, and why row-level security would not apply to it.
ROLE_SQL = """
SELECT r.rolname AS role, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
       ARRAY(
           SELECT c.relname::text
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r', 'p')
             AND c.relrowsecurity AND NOT c.relforcerowsecurity
             AND pg_has_role(current_user, c.relowner, 'USAGE')
           ORDER BY c.relname
       ) AS owned_tables
FROM pg_roles r WHERE r.rolname = current_user
"""


class UnwalledRoleError(SettingsError):
    """The database role would bypass row-level security; the message says what to do."""


def bypass_reasons(row: Mapping[str, Any]) -> list[str]:
    """Why row-level security would not apply to the role described by ``ROLE_SQL``'s row."""
    if row["superuser"]:  # bypasses everything (and counts as a member of every role)
        return ["it is a superuser"]
    reasons = []
    if row["bypassrls"]:
        reasons.append("it has BYPASSRLS")
    owned: Sequence[str] = row["owned_tables"] or []
    if owned:
        shown = ", ".join(owned[:3]) + (f" and {len(owned) - 3} more" if len(owned) > 3 else "")
        reasons.append(f"it owns tenant tables: {shown}")
    return reasons


def refusal(row: Mapping[str, Any], app_role: str | None) -> str | None:
    """The message that stops a production start, or None when the role bypasses nothing."""
    reasons = bypass_reasons(row)
    if not reasons:
        return None
    why = "; ".join(reasons)
    if app_role:
        return (
            f"DB_APP_ROLE={app_role} bypasses row-level security ({why}), so the tenant wall "
            "would not hold. Use the role 'tracker migrate' creates (DB_APP_ROLE=tracker_app: "
            "NOLOGIN, no SUPERUSER, no BYPASSRLS, owns nothing)."
        )
    return (
        f"the database role {row['role']!r} of DATABASE_URL bypasses row-level security ({why}), "
        "so in production the tenant wall would not hold. Set DB_APP_ROLE=tracker_app (the role "
        "'tracker migrate' creates; the app and the worker then run their queries as it), or "
        "connect as a role that is not a superuser, has no BYPASSRLS and owns no tables. "
        "'tracker migrate' keeps running as the owner."
    )


Fetch = Callable[[str], Awaitable[Sequence[Mapping[str, Any]]]]


async def check_role(settings: Settings, fetch: Fetch) -> None:
    """Raise ``UnwalledRoleError`` in production on PostgreSQL when the role that ``fetch``'s
    queries run as bypasses row-level security; elsewhere nothing."""
    if not settings.is_production or settings.database_kind != "postgres":
        return
    rows = await fetch(ROLE_SQL)
    message = refusal(rows[0], settings.db_app_role)
    if message:
        raise UnwalledRoleError(message)


async def check_before_start(settings: Settings) -> None:
    """``check_role`` on a connection of its own, as the app's pool will run (``SET ROLE`` to
    ``DB_APP_ROLE`` when set): for the command line, before a server or worker starts."""
    if not settings.is_production or settings.database_kind != "postgres":
        return
    import asyncpg

    from tracker.db import postgres_config

    try:
        connection = await asyncpg.connect(**postgres_config(settings.database_url))
    except (OSError, asyncpg.PostgresError) as error:
        raise SettingsError(
            f"cannot connect to DATABASE_URL to check its role: {type(error).__name__}: {error}"
        ) from None
    try:
        if settings.db_app_role:
            try:
                await connection.execute(f'SET ROLE "{settings.db_app_role}"')
            except asyncpg.PostgresError as error:
                raise SettingsError(
                    f"cannot SET ROLE {settings.db_app_role} (DB_APP_ROLE): {error}. Run "
                    "'tracker migrate' first (it creates tracker_app) as a role that may "
                    "switch to it."
                ) from None
        await check_role(settings, connection.fetch)
    finally:
        await connection.close()
