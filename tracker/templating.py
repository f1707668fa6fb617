"""The Jinja environment: translation, the domain's labels and filters. Used by the web app
(through Litestar's template engine) and by the e-mails the jobs send."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from markupsafe import Markup

from tracker import labels, program_labels
from tracker.i18n import get_language, translations
from tracker.notifications import texts as notification_texts
from tracker.patches import PageContext, PageTemplate

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _jinja_gettext(message: str) -> str:
    return translations(get_language()).gettext(message)


def _jinja_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(get_language()).ngettext(singular, plural, n)


# Texts without variables, translated and made markup, by language: a page asks for a hundred
# or more (the navigation alone has dozens), and Jinja's own newstyle gettext goes through two
# context calls, a Markup and a %-format each time (a fifth of a small page's time).
_PLAIN_TEXTS: dict[tuple[str, str], Markup] = {}


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, message: str, **variables: object) -> str:
    """Jinja's newstyle ``gettext``, with the same results: the translation is %-formatted
    with the variables (escaped where the template autoescapes), even with none."""
    lang = get_language()
    if not eval_ctx.autoescape:
        return translations(lang).gettext(message) % variables
    if variables:
        return Markup(translations(lang).gettext(message)) % variables
    key = (lang, message)
    text = _PLAIN_TEXTS.get(key)
    if text is None:
        text = Markup(translations(lang).gettext(message)) % {}
        if len(_PLAIN_TEXTS) < 20_000:  # the templates' texts; never a page's data
            _PLAIN_TEXTS[key] = text
    return text


@pass_eval_context
def template_pgettext(
    eval_ctx: EvalContext, context: str, message: str, **variables: object
) -> str:
    """``pgettext("link", "Open")``: a text whose English has another meaning elsewhere."""
    text = translations(get_language()).pgettext(context, message)
    if eval_ctx.autoescape:
        return Markup(text) % variables
    return text % variables


@pass_eval_context
def template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: object
) -> str:
    """Jinja's newstyle ``ngettext``, with the same results (``num`` is a variable too)."""
    text = translations(get_language()).ngettext(singular, plural, num)
    variables.setdefault("num", num)
    if eval_ctx.autoescape:
        return Markup(text) % variables
    return text % variables


def field_error(form: Any, name: str) -> Markup:
    """``f.error(form, name)`` (macros/forms.html): the field's error, if any, with the id its
    input's ``aria-describedby`` names. In Python: every field of every form calls it (and
    ``field_described``), a macro call each was a fifth of a form page's time."""
    message = form.errors.get(name)
    if not message:
        return Markup("")
    return Markup('<p class="field-error" id="%s%s-error">%s</p>') % (form.prefix, name, message)


def field_described(form: Any, name: str, hint: Any) -> Markup:
    """``f.described(form, name, hint)``: the input's ``aria-describedby`` (its hint, its
    error) and ``aria-invalid`` when it has an error."""
    invalid = bool(form.errors.get(name))
    ids = []
    if hint:
        ids.append(f"{form.prefix}{name}-hint")
    if invalid:
        ids.append(f"{form.prefix}{name}-error")
    described = Markup(' aria-describedby="%s"') % " ".join(ids) if ids else Markup("")
    return described + Markup(' aria-invalid="true"') if invalid else described


def configure_jinja(
    env: Environment, auto_reload: bool = True, cache_dir: Path | None = None
) -> None:
    """Production passes auto_reload=False: templates do not change under a running process,
    and checking every template file's time on every render costs about 1 % of a page.
    ``cache_dir`` keeps the compiled templates on disk (keyed by their source), so that a
    restarted process loads them instead of compiling them again (see ``warm``)."""
    env.auto_reload = auto_reload
    # Every template, kept in a plain dict: Jinja's default LRU cache (400 entries, more
    # than the app's templates) takes a lock and reorders a list on each of the several
    # look-ups a page makes (its parts and imports): 20 µs of a kept board.
    env.cache = {}
    if cache_dir is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            env.bytecode_cache = FileSystemBytecodeCache(str(cache_dir))
        except OSError:  # a read-only data directory: compile in memory only
            pass
    env.template_class = PageTemplate
    env.context_class = PageContext
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_jinja_gettext, _jinja_ngettext, newstyle=True)  # type: ignore[attr-defined]
    # the same, called straight (see template_gettext); {% trans %} blocks call these too
    env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
    )
    env.globals.update(
        field_error=field_error,
        field_described=field_described,
        phase_label=labels.phase_label,
        notification_headline=notification_texts.headline,
        phase_full_label=labels.phase_full_label,
        status_label=labels.status_label,
        role_label=labels.role_label,
        process_class_label=labels.process_class_label,
        direction_label=labels.direction_label,
        decision_label=labels.decision_label,
        review_status_label=labels.review_status_label,
        criterion_kind_label=labels.criterion_kind_label,
        method_label=labels.method_label,
        event_label=labels.event_label,
        translate=labels.translate,
        problem_category_label=labels.problem_category_label,
        as_is_kind_label=labels.as_is_kind_label,
        quadrant_label=labels.quadrant_label,
        fishbone_label=labels.fishbone_label,
        problem_status_label=labels.problem_status_label,
        risk_category_label=labels.risk_category_label,
        risk_status_label=labels.risk_status_label,
        band_label=labels.band_label,
        resistance_level_label=labels.resistance_level_label,
        barrier_label=labels.barrier_label,
        action_status_label=labels.action_status_label,
        feedback_label=labels.feedback_label,
        frequency_label=program_labels.frequency_label,
        sop_status_label=program_labels.sop_status_label,
        time_unit_label=program_labels.time_unit_label,
        time_limit_label=program_labels.time_limit_label,
        wave_status_label=program_labels.wave_status_label,
        raci_label=program_labels.raci_label,
        step_field_label=program_labels.step_field_label,
        mail_kind_label=program_labels.mail_kind_label,
        mail_status_label=program_labels.mail_status_label,
        stage_label=program_labels.stage_label,
        spc_rule_label=program_labels.spc_rule_label,
        sustainment_label=program_labels.sustainment_label,
        pareto_dimension_label=program_labels.pareto_dimension_label,
        analytics_kind_label=program_labels.analytics_kind_label,
        condition_state_label=program_labels.condition_state_label,
        benefit_method_label=program_labels.benefit_method_label,
        value_kind_label=program_labels.value_kind_label,
        benefit_field_label=program_labels.benefit_field_label,
        phase_numbers=range(1, 7),
        person_options=lambda people: [(str(p["person.id"]), p["person.name"]) for p in people],
        score_options=[(str(n), str(n)) for n in range(1, 6)],
        hour_options=[(str(h), f"{h:02d}:00") for h in range(24)],
    )
    env.filters["list_pairs"] = lambda keys, values: list(zip(keys, values, strict=False))
    env.filters["pct"] = lambda v: "—" if v is None else f"{v * 100:.1f} %"
    env.filters["dec1"] = lambda v: "—" if v is None else f"{v:.1f}"
    env.filters["num"] = lambda v: "" if v is None else f"{v:,.6g}" if abs(v) >= 1e6 else f"{v:g}"
    env.filters["money"] = lambda v: "" if v is None else f"{round(v):,}"
    env.trim_blocks = True
    env.lstrip_blocks = True


def warm(env: Environment) -> int:
    """Compile every template now, at start-up, rather than in a person's first request of
    each page: compiling was most of a page's first load (a large template takes 50 to 200 ms
    to parse and compile; the SOP list page's first load was 422 ms). Returns how many."""
    names = env.list_templates(extensions=("html", "jinja", "txt"))
    for name in names:
        env.get_template(name)
    return len(names)


@lru_cache(maxsize=1)
def environment() -> Environment:
    """A standalone environment (autoescaping HTML) for e-mails rendered outside requests."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=False),
    )
    configure_jinja(env)
    return env
