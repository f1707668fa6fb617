"""Permissions live in one layer each, never in a controller's body:

- what a **role** may do is declared on the route (``opt=needs(Action.X)``) and checked once,
  as the organisation is resolved (``organisations.context.provide_org_context``), before the
  handler runs;
- what depends on the **record** (the initiative's lead, the comment's author, an assigned
  reviewer) is the service's, which raises ``errors.Forbidden``.

So a controller module neither calls ``ctx.require`` nor raises a 403 itself, and every route
of an organisation that changes something either declares its role permission or is open to
every member, with the reason on the route (``opt=by_record("…")``: its service checks the
record).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tracker.app import create_app

TRACKER = Path(__file__).resolve().parents[2] / "tracker"

REFUSALS = ("PermissionDeniedException", "Forbidden")


def _controllers() -> list[Path]:
    return sorted(p for p in TRACKER.rglob("*controller*.py"))


def _module(path: Path) -> str:
    return ".".join(("tracker", *path.relative_to(TRACKER).with_suffix("").parts))


def test_no_controller_checks_a_permission_in_its_body() -> None:
    found = []
    for path in _controllers():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "require" and ast.unparse(node.func.value) == "ctx":
                    found.append(f"{_module(path)}:{node.lineno} ctx.require")
            if isinstance(node, ast.Raise) and node.exc is not None:
                raised = ast.unparse(node.exc)
                if raised.startswith(REFUSALS):
                    found.append(f"{_module(path)}:{node.lineno} raise {raised[:60]}")
    assert not found, "permission checks in controllers (declare opt=needs(...)):\n" + "\n".join(
        found
    )


def test_every_changing_route_of_an_organisation_declares_its_permission() -> None:
    undeclared = []
    for route in create_app().routes:
        if not route.path.startswith("/o/"):
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = set(handler.http_methods) - {"GET", "HEAD", "OPTIONS"}
            if not methods or "needs" in handler.opt or handler.opt.get("by_record"):
                continue
            undeclared.append(f"{sorted(methods)} {route.path} ({handler.fn.__module__})")
    assert not undeclared, "routes without opt=needs(...) or by_record(...):\n" + "\n".join(
        undeclared
    )
