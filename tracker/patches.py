"""Every change this app makes to a library's internals, in one place, installed once by
``install()`` (called from ``create_app`` and the CLI before anything renders or queries).

Each is a speed measure with the same results as the library's own code, and each leans on
something the library does not promise: the versions are pinned in pyproject.toml to the
ranges tested, and tests/unit/test_patches.py fails when a library changes what is patched
(the name, its signature, or its results), so an upgrade is noticed rather than silently
wrong.

- ``ForeignKey.__getattribute__`` (Piccolo): ``Table.fk.column`` built once per path.
- ``jinja2.runtime.escape`` (Jinja2, with MarkupSafe's ``_escape_inner``): a faster escape
  for every ``{{ … }}``.
- ``jinja2.Template._get_default_module`` (Jinja2), overridden in ``PageTemplate``: a
  faster answer to ``{% import %}``.
- ``jinja2.Template.new_context`` (Jinja2), overridden in ``PageTemplate``: a render's
  variables copied from the globals without ChainMap's per-name look-ups.
- ``jinja2.runtime.Context.call`` (Jinja2), overridden in ``PageContext``: a call of a plain
  function or method from a template without the look-ups for a callable class.
"""

from __future__ import annotations

from collections import ChainMap
from types import BuiltinFunctionType, FunctionType, MethodType
from typing import Any

import jinja2
import jinja2.runtime
import markupsafe
from markupsafe import Markup
from piccolo.columns import Column, ForeignKey

_installed = False


# --- Piccolo: joins without the query builder's copying ----------------------------------

_fk_getattribute = ForeignKey.__getattribute__
_joined: dict[tuple[int, str], tuple[ForeignKey, Any]] = {}
_FK_ATTRIBUTES = frozenset(dir(ForeignKey))


def _joined_column(self: ForeignKey, name: str) -> Any:
    """``Table.fk.column`` built once per path instead of on every access.

    Piccolo answers each access of a column through a foreign key with fresh copies (of the
    column and, for a further key, of every column of the next table) and a ``dir()`` call:
    about 2 ms for a two-join select, more than running it. The copies are never changed in
    place (aliases and call chains are set on further copies), so one per path serves all.
    The key holds the foreign key itself, so an id is never reused while its entry lives.
    """
    if name.startswith("_"):
        return _fk_getattribute(self, name)
    if name in _FK_ATTRIBUTES:  # a method or setting of the class: no dir() call needed
        value = object.__getattribute__(self, name)
        if not isinstance(value, Column):
            return value
    key = (id(self), name)
    hit = _joined.get(key)
    if hit is not None and hit[0] is self:
        return hit[1]
    value = _fk_getattribute(self, name)
    if isinstance(value, Column):
        if len(_joined) > 20_000:  # paths are few; copies made inside queries are not kept
            _joined.clear()
        _joined[key] = (self, value)
    return value


# --- Jinja2: escaping and imports --------------------------------------------------------

_escape_inner = getattr(markupsafe, "_escape_inner", None)  # markupsafe's C escaping
_as_markup = str.__new__


def escape(value: object) -> Markup:
    """``markupsafe.escape`` with the same results, for every ``{{ … }}`` of a template.

    A page prints thousands of values (the board: about 2,000); markupsafe's Python wrapper
    (``escape`` then ``Markup.__new__``) was a fifth of the board's time. This skips the second
    call, and ints, which need no escaping, skip the escaping too.
    """
    kind = type(value)
    if kind is str:
        return _as_markup(Markup, _escape_inner(value))  # type: ignore[misc]
    if kind is int:
        return _as_markup(Markup, str(value))
    html = getattr(value, "__html__", None)
    if html is not None:
        return _as_markup(Markup, html())
    return _as_markup(Markup, _escape_inner(str(value)))  # type: ignore[misc]


_PLAIN_CALLABLES = (FunctionType, BuiltinFunctionType, MethodType)
_PASS_EVAL_CONTEXT = jinja2.utils._PassArg.eval_context
_PASS_ENVIRONMENT = jinja2.utils._PassArg.environment


class PageContext(jinja2.runtime.Context):
    """Jinja's render context, with a faster ``call`` for the calls a page makes most: plain
    functions and methods (``_()``, the labels, ``form.get``…). Jinja first asks whether the
    callable's ``__call__`` wants the context (for callable classes: two failed attribute
    look-ups on a method wrapper), about 1.5 µs a call and a page makes hundreds; a function's
    or method's ``__call__`` never does. Everything else, and functions that take the
    context, go through Jinja's own ``call``."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if type(__obj) not in _PLAIN_CALLABLES:
            return super().call(__obj, *args, **kwargs)
        pass_arg = getattr(__obj, "jinja_pass_arg", None)
        if pass_arg is _PASS_EVAL_CONTEXT:
            args = (__self.eval_ctx, *args)
        elif pass_arg is _PASS_ENVIRONMENT:
            args = (__self.environment, *args)
        elif pass_arg is not None:  # the context: Jinja's own (loop and block variables)
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


class PageTemplate(jinja2.Template):
    """Jinja's template, with a faster answer to ``{% import %}``: whether the importing
    page's globals hold a name the imported template does not (then it is made anew for
    them). Jinja compares the two sets of names, one of them a ChainMap, on every import of
    every render, which was 5 % of the SOP page; here the imported template's names are
    counted once, and a set comparison answers."""

    _names: frozenset[str] | None = None

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Any = None,
    ) -> jinja2.runtime.Context:
        """Jinja's context for a render, made as Jinja makes it (``jinja2.runtime.
        new_context``) but for the copy of the globals: Jinja copies them with
        ``dict(ChainMap)``, a Python look-up per name (60 names here), about 30 µs per render,
        which a page of parts (the board: nine renders) paid each time; the maps are merged
        here as ChainMap orders them, in C."""
        globals = self.globals
        if shared or locals or type(globals) is not ChainMap:
            return super().new_context(vars, shared, locals)
        parent: dict[str, Any] = {}
        for mapping in reversed(globals.maps):
            parent.update(mapping)
        if vars:
            parent.update(vars)
        return self.environment.context_class(
            self.environment, parent, self.name, self.blocks, globals=globals
        )

    def _get_default_module(self, ctx: jinja2.runtime.Context | None = None) -> Any:
        if ctx is not None:
            if self._names is None:
                self._names = frozenset(self.globals)
            if ctx.globals_keys <= self._names:
                ctx = None  # nothing new: the module made once serves
        return super()._get_default_module(ctx)


def install() -> None:
    """Put the patches in place (idempotent). Templates compiled before this keep Jinja's
    own escape; ``create_app`` installs before any template is loaded."""
    global _installed
    if _installed:
        return
    ForeignKey.__getattribute__ = _joined_column  # type: ignore[method-assign]
    if _escape_inner is not None:
        # Compiled templates take ``escape`` from jinja2.runtime when they are compiled.
        jinja2.runtime.escape = escape  # type: ignore[attr-defined]
    _installed = True
