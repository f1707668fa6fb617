"""create_app(): the one place that registers routes, middleware, templates and the lifespan."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from litestar import Litestar, Request, Response, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Send

from tracker import db, fragments, live, patches, templating, wiring
from tracker.accounts import controller as accounts
from tracker.accounts import recovery_controller as recovery
from tracker.accounts import security_controller as account_security
from tracker.accounts import settings_controller as account_settings
from tracker.analytics import controller as analytics
from tracker.api import controller as api
from tracker.api import openapi as api_openapi
from tracker.api import settings_controller as api_settings
from tracker.attachments import controller as attachments
from tracker.audit import controller as audit
from tracker.auth import IdentityMiddleware
from tracker.benefits import controller as benefits
from tracker.calendar import controller as calendar
from tracker.comments import controller as comments
from tracker.digests import controller as digests
from tracker.errors import TrackerError
from tracker.gates import controller as gates
from tracker.gates import live_controller as gates_live
from tracker.i18n import gettext as _
from tracker.initiatives import controller as initiatives
from tracker.jobs.dispatch import Dispatcher
from tracker.kpis import control_controller as kpi_control
from tracker.kpis import controller as kpis
from tracker.live import controller as live_stream
from tracker.live.middleware import LiveEventsMiddleware
from tracker.live.shutdown import end_streams_on_signal
from tracker.notifications import controller as notifications
from tracker.organisations import controller as organisations
from tracker.organisations import membership_controller as membership
from tracker.organisations.context import TwoFactorRequired, provide_org_context
from tracker.pareto import controller as pareto
from tracker.pilots import controller as pilots
from tracker.problems import controller as problems
from tracker.registers import controller as registers
from tracker.risks import controller as risks
from tracker.roadmap import controller as roadmap
from tracker.rollout import controller as rollout
from tracker.security import (
    InputGuardMiddleware,
    QueryCountMiddleware,
    RefusedInput,
    SecurityHeadersMiddleware,
)
from tracker.seedtables import controller as seedtables
from tracker.seedtables import import_controller as seed_imports
from tracker.seedtables import job_controller as seed_jobs
from tracker.settings import Settings, get_settings
from tracker.sops import controller as sops
from tracker.sops import editing_controller as sop_editing
from tracker.tenancy import OrgContext
from tracker.uploads import controller as uploads
from tracker.wall_check import check_role
from tracker.web import render

log = logging.getLogger("tracker.web")
# Paths without CSRF checks, anchored: Litestar searches the patterns anywhere in the path, so
# an unanchored "/healthz" also exempted /o/healthz/… (issue 17, finding 1). The API
# authenticates with bearer tokens, never cookies.
CSRF_EXEMPT = ["^/static/", "^/healthz$", "^/readyz$", "^/api/"]
ROOT = Path(__file__).resolve().parent
TEMPLATES = templating.TEMPLATES
STATIC = ROOT / "static"


def template_config(settings: Settings) -> TemplateConfig:
    config = TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine)
    config.engine_callback = lambda engine: templating.configure_jinja(
        engine.engine,
        auto_reload=settings.env != "production",
        cache_dir=settings.data_dir / "template-cache",
    )
    return config


def error_handler(request: Request, exc: Exception) -> Response:
    """Every error, answered once: the service's (tracker.errors), Litestar's and the
    unexpected, as an error page, JSON, or the API's answer."""
    if isinstance(exc, TrackerError):
        exc = exc.http()
    if request.url.path.startswith("/api/"):
        return api.api_error(request, exc)
    if isinstance(exc, TwoFactorRequired):
        return Redirect("/account/security?required=1", status_code=303)
    if isinstance(exc, NotAuthorizedException):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"/login?next={quote(target)}", status_code=303)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status >= 500:
        log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
    detail = exc.detail if isinstance(exc, HTTPException) else ""
    if status == 403 and "csrf" in str(detail).lower():
        message = _("Your form has expired. Reload the page and try again.")
    elif status == 403:
        message = _("Your role in this organisation does not allow this.")
    elif status == 404:
        message = _("This page does not exist, or you have no access to it.")
    elif status == 405:
        message = _("This address does not accept that kind of request.")
    elif isinstance(exc, RefusedInput) or (
        status in (409, 422) and detail and not isinstance(exc, ValidationException)
    ):
        message = str(detail)  # refused input or action, already worded for the person
    elif status < 500:
        message = _("The request could not be understood.")
    else:
        message = _("Something went wrong on our side. Please try again.")
    headers = api_openapi.allowed(exc) if isinstance(exc, HTTPException) else {}
    if request.headers.get("accept", "").startswith("application/json"):
        return Response(
            {"status_code": status, "detail": message}, status_code=status, headers=headers
        )
    page = render(
        request,
        "errors/error.html",
        status_code=status,
        status=status,  # type: ignore[return-value]
        message=message,
    )
    page.headers.update(headers)
    return page


@get("/healthz", name="health", exclude_from_csrf=True, include_in_schema=False)
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@get("/readyz", name="ready", exclude_from_csrf=True, include_in_schema=False)
async def ready(request: Request) -> Response:
    """Readiness: the database answers (503 if not). Redis is reported but not required:
    pages work without it and queued work waits for the worker."""
    checks: dict[str, str] = {}
    try:
        if db.tenant_wall():
            rows = await db.current_engine().run_ddl("SELECT current_user AS role")
            checks["tenant_wall"] = f"on ({rows[0]['role']})"
        else:
            await db.current_engine().run_ddl("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"down: {type(error).__name__}"
    dispatcher = getattr(request.app.state, "dispatcher", None)
    if dispatcher is None or not dispatcher.redis_url:
        checks["redis"] = "not configured"
    else:
        checks["redis"] = "ok" if await dispatcher.redis_ok() else "down"
    status = 200 if checks["database"] == "ok" else 503
    return Response(
        {"status": "ok" if status == 200 else "unavailable", **checks}, status_code=status
    )


class TrackerApp(Litestar):
    """Litestar that answers HEAD as GET without the body (RFC 9110 §9.3.2) instead of 405:
    monitors, link checkers and caches ask HEAD first (issue 17, finding 8)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET", "tracker.head": True}  # (a live stream ends)
            send = _without_body(send)
        elif scope["type"] == "http" and scope["method"] == "OPTIONS":
            send = self._allow_every_method(scope, send)
        await super().__call__(scope, receive, send)

    def _allow_every_method(self, scope: Any, send: Send) -> Send:
        """Litestar's automatic OPTIONS answer lists only the first handler's methods of a
        path that has several (GET and POST): list them all, with HEAD wherever GET is."""

        async def send_options(message: Message) -> None:
            handler = scope.get("route_handler")
            if message["type"] == "http.response.start" and handler is not None:
                methods = set()
                for route in self.routes:
                    if route.path in handler.paths:
                        methods |= set(getattr(route, "methods", ()))
                if "GET" in methods:
                    methods.add("HEAD")
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                headers.append((b"allow", ", ".join(sorted(methods)).encode()))
                message = cast("Message", {**message, "headers": headers})
            await send(message)

        return send_options


def _without_body(send: Send) -> Send:
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = cast("Message", {**message, "body": b""})
        await send(message)

    return send_head


def settle_memory(young_threshold: int) -> None:
    """Keep the garbage collector's full passes short and rare once the app has started.

    Measured on the board under load (wrk -c32): 26 full collections in 10 s, about 70 ms each,
    every request in flight stalled for each one. The objects that live as long as the process
    (modules, routes, compiled templates) are frozen out of the collector's view, and the young
    generation is collected less often (requests allocate many short-lived objects).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(young_threshold, 20, 100)


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Improvement tracker API",
        version="1.0.0",
        description=(
            "Read an organisation's initiatives, phases, gate decisions and registers; write "
            "KPI measurements. Authenticate with an organisation's API token "
            "(Settings › API tokens): `Authorization: Bearer <token>`. Errors are JSON "
            "`{status_code, detail}`. Pages hold at most 200 items; bodies at most 64 KiB."
        ),
        path="/api/v1/schema",
        render_plugins=[JsonRenderPlugin(path="/openapi.json")],
        components=Components(security_schemes={"token": api.BEARER}),
        use_handler_docstrings=True,
    )


@get("/api/v1/docs", name="api_docs", include_in_schema=False)
async def api_docs(request: Request) -> Response:
    """The API documentation as a page of our own (no scripts from elsewhere)."""
    schema = request.app.openapi_schema.to_schema()
    return render(request, "api/docs.html", schema=schema)  # type: ignore[return-value]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    patches.install()
    fragments.Kept.enabled = settings.kept_parts
    wiring.install()
    engine = db.make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db.use_engine(engine)
        await db.start(engine, settings.db_pool_min, settings.db_pool_max, settings.db_app_role)
        await check_role(settings, engine.run_ddl)  # production: no role that bypasses the wall
        started = time.perf_counter()
        compiled = templating.warm(app.template_engine.engine)  # type: ignore[union-attr]
        log.info("templates ready: %s in %.2f s", compiled, time.perf_counter() - started)
        await live.start(settings.redis_url)
        end_streams_on_signal()  # open streams must not hold a stopping server for 20 s
        dispatcher = Dispatcher(settings.redis_url, settings.scheduler, settings.scheduler_seconds)
        app.state.dispatcher = dispatcher
        await dispatcher.start()
        settle_memory(settings.gc_threshold)
        try:
            yield
        finally:
            await dispatcher.stop()
            await live.stop()
            await db.stop(engine)

    org_router = Router(
        path="/o/{org_slug:str}",
        route_handlers=[
            *initiatives.ROUTES,
            *gates.ROUTES,
            *gates_live.ROUTES,
            *live_stream.ROUTES,
            *notifications.ROUTES,
            *problems.ROUTES,
            *pilots.ROUTES,
            *risks.ROUTES,
            *kpis.ROUTES,
            *kpi_control.ROUTES,
            *pareto.ROUTES,
            *analytics.ROUTES,
            *benefits.ROUTES,
            *roadmap.ROUTES,
            *sops.ROUTES,
            *sop_editing.ROUTES,
            *rollout.ROUTES,
            *api_settings.ROUTES,
            *registers.ROUTES,
            *digests.ROUTES,
            *organisations.ROUTES,
            *membership.ROUTES,
            *uploads.ROUTES,
            *seedtables.ROUTES,
            *comments.ROUTES,
            *calendar.ORG_ROUTES,
            *attachments.ROUTES,
            *audit.ROUTES,
            *seed_imports.ROUTES,
            *seed_jobs.ROUTES,
        ],
        dependencies={"ctx": Provide(provide_org_context)},
        include_in_schema=False,
    )
    handlers: list[Any] = [
        health,
        ready,
        api_docs,
        Router(
            path="/",
            route_handlers=[
                *accounts.ROUTES,
                *recovery.ROUTES,
                *account_settings.ROUTES,
                *notifications.ACCOUNT_ROUTES,
            ],
            include_in_schema=False,
        ),
        Router(path="/", route_handlers=account_security.ROUTES, include_in_schema=False),
        Router(path="/", route_handlers=calendar.PUBLIC_ROUTES, include_in_schema=False),
        org_router,
        api.router(),
        create_static_files_router(path="/static", directories=[STATIC], name="static"),
    ]
    middleware: list[Any] = [
        SecurityHeadersMiddleware(),
        LiveEventsMiddleware(),  # publishes a request's live events after its commit
        IdentityMiddleware(settings.db_pool_max),
        InputGuardMiddleware(),  # after the identity: its refusals speak the person's language
    ]
    if settings.query_header:
        middleware.insert(0, QueryCountMiddleware())  # benchmarks: X-Query-Count on responses
    app = TrackerApp(
        route_handlers=handlers,
        template_config=template_config(settings),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_httponly=True,
            cookie_secure=settings.secure_cookies,
            cookie_samesite="lax",
            exclude=CSRF_EXEMPT,
        ),
        middleware=middleware,
        openapi_config=openapi_config(),
        exception_handlers={HTTPException: error_handler, Exception: error_handler},
        lifespan=[lifespan],
        signature_namespace={"OrgContext": OrgContext},
        debug=False,
        logging_config=None,  # the CLI configures logging once; Litestar must not replace it
    )
    api_openapi.document_strict_bodies(app.openapi_schema)
    return app
