"""Hooks: how an older area uses something a newer one provides without importing it.

Areas import each other one way (tests/unit/test_area_imports.py): a newer area imports older
ones, never the reverse. When an older area needs a newer one (the initiative page shows the
gates' history, a new organisation gets the gates' defaults), the older area declares a
``Hook`` and ``tracker.wiring.install`` gives it the newer area's function, in one place.
A hook called before it is wired raises, naming it, rather than doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Hook(Generic[F]):
    """A function of a newer area that an older one calls (see the module's docstring)."""

    __slots__ = ("_function", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self._function: F | None = None

    def provide(self, function: F) -> None:
        self._function = function

    @property
    def call(self) -> F:
        if self._function is None:
            raise RuntimeError(f"hook {self.name} is not wired (tracker.wiring.install)")
        return self._function
