"""Each patch of tracker/patches.py against the library it changes: the thing patched still
exists with the shape the patch assumes, and the results are the library's own. An upgrade
that moves or changes one fails here, not in production."""

from __future__ import annotations

import inspect

import jinja2
import jinja2.runtime
import markupsafe
from piccolo.columns import ForeignKey

from tracker import patches
from tracker.gates.tables import Condition, GateReview

patches.install()


def _with_piccolos_own(build):
    ours = ForeignKey.__getattribute__
    ForeignKey.__getattribute__ = patches._fk_getattribute  # type: ignore[method-assign]
    try:
        return build()
    finally:
        ForeignKey.__getattribute__ = ours  # type: ignore[method-assign]


def test_piccolo_still_defines_the_foreign_key_lookup_the_patch_wraps() -> None:
    assert patches._fk_getattribute.__qualname__ == "ForeignKey.__getattribute__"
    assert inspect.getmodule(patches._fk_getattribute).__name__.startswith("piccolo.")
    assert vars(ForeignKey)["__getattribute__"] is patches._joined_column


def test_joined_columns_give_piccolos_own_sql_and_are_built_once() -> None:
    def queries() -> list[str]:
        return [
            str(Condition.select(Condition.initiative.owner.name, Condition.text)),
            str(
                GateReview.select(GateReview.initiative.current_phase.number).where(
                    GateReview.initiative.owner == 3
                )
            ),
            str(Condition.select(Condition.initiative.name.as_alias("n"))),
        ]

    assert queries() == _with_piccolos_own(queries)
    assert Condition.initiative.owner is Condition.initiative.owner  # one per path
    assert _with_piccolos_own(lambda: Condition.initiative.owner is not Condition.initiative.owner)


def test_markupsafe_still_has_the_c_escape_and_jinja_compiles_calls_to_runtime_escape() -> None:
    assert markupsafe._escape_inner is not None  # else the patch would silently do nothing
    env = jinja2.Environment(autoescape=True)
    code = env.compile("{{ x }}", raw=True)
    assert "escape" in code and "from jinja2.runtime import" in code
    assert jinja2.runtime.escape is patches.escape
    assert env.from_string("{{ x }}").render(x="<a&'\">") == markupsafe.escape("<a&'\">")


def test_jinja_still_has_the_import_hook_page_template_overrides() -> None:
    parameters = inspect.signature(jinja2.Template._get_default_module).parameters
    assert list(parameters) == ["self", "ctx"]
    assert "_get_default_module" in vars(patches.PageTemplate)
    # Jinja decides whether to make an imported module anew by comparing globals: the
    # attribute the override reads must still be there
    assert "globals_keys" in inspect.getsource(jinja2.runtime.Context.__init__)


def test_a_page_template_s_context_is_jinja_s_own() -> None:
    """``PageTemplate.new_context`` copies the globals faster; what a render sees is Jinja's:
    the template's globals over the environment's, the render's variables over both."""
    from collections import ChainMap

    source = inspect.getsource(jinja2.runtime.new_context)
    assert "parent = dict(globals or (), **vars)" in source  # what the override does faster
    env = jinja2.Environment(autoescape=True)
    env.template_class = patches.PageTemplate
    env.globals.update(shown="env", both="env", kept="env")
    template = env.from_string("{{ shown }} {{ both }} {{ kept }} {{ x }}", {"both": "template"})
    assert isinstance(template, patches.PageTemplate) and type(template.globals) is ChainMap
    ours = template.new_context({"x": 1, "kept": "vars"})
    jinjas = jinja2.Template.new_context(template, {"x": 1, "kept": "vars"})
    assert ours.parent == jinjas.parent and ours.vars == jinjas.vars
    assert ours.globals_keys == jinjas.globals_keys
    assert template.render(x=1, kept="vars") == "env template vars 1"
    env.globals["shown"] = "changed"  # globals changed later are seen
    assert template.render(x=2) == "changed template env 2"


def test_jinja_still_asks_a_callable_s_call_method_before_the_callable() -> None:
    """``PageContext.call`` skips the look-up for a callable class's ``__call__`` for plain
    functions and methods, whose ``__call__`` never takes a context: Jinja must still decide
    by ``_PassArg.from_obj`` as the override does."""
    source = inspect.getsource(jinja2.runtime.Context.call)
    assert "_PassArg.from_obj(__obj.__call__)" in source
    assert "pass_arg = _PassArg.from_obj(__obj)" in source
    assert set(jinja2.utils._PassArg.__members__) == {"context", "eval_context", "environment"}


def test_a_page_context_calls_everything_as_jinja_does() -> None:
    class Shout:
        @jinja2.pass_context
        def __call__(self, context, word):
            return f"{context['name']}:{word.upper()}"

    @jinja2.pass_eval_context
    def escaping(eval_ctx, word):
        return f"{eval_ctx.autoescape}:{word}"

    @jinja2.pass_environment
    def which(environment, word):
        return f"{type(environment).__name__}:{word}"

    @jinja2.pass_context
    def looped(context, word):
        return f"{context.get('i')}:{word}"

    def stops():
        raise StopIteration

    source = (
        "{% macro m(w) %}<{{ w }}>{% endmacro %}"
        "{{ plain('a') }} {{ escaping('b') }} {{ which('c') }} {{ shout('d') }} "
        "{{ words.get('k') }} {{ 'x,y'.split(',')|join('+') }} {{ m('e') }} "
        "{% for i in [7] %}{{ looped('f') }}{% endfor %} [{{ stops() }}]"
    )
    values = {
        "plain": lambda w: w * 2,
        "escaping": escaping,
        "which": which,
        "shout": Shout(),
        "words": {"k": "v"},
        "looped": looped,
        "stops": stops,
        "name": "n",
    }

    def render(context_class) -> str:
        env = jinja2.Environment(autoescape=True)
        env.context_class = context_class
        return env.from_string(source).render(values)

    ours = render(patches.PageContext)
    assert ours == render(jinja2.runtime.Context)
    assert ours == "aa True:b Environment:c n:D v x+y <e> None:f []"
