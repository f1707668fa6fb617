"""What the registers' exports share: an area declares each of its exports (a function that
gives the title, the columns and the rows, e.g. tracker/problems/exports.py) and
tracker/wiring.py lists it in ``EXPORTS`` for the export route (tracker/registers/controller.py),
so registers/ imports no area."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tracker.tenancy import TenantScope

Column = tuple[str, Callable[[dict[str, Any]], Any]]  # header, value of a row
Export = tuple[str, list[Column], list[dict[str, Any]]]  # title, columns, rows

# register name (as in the URL) → its export, filled by tracker/wiring.py
EXPORTS: dict[str, Callable[[TenantScope, int], Awaitable[Export]]] = {}
