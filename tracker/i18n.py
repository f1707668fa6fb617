"""Translation: the language of the current request lives in a context variable.

Catalogs are the ``.po`` files in ``tracker/locale``; they are compiled in memory at start-up,
so there is no build step. English is the source language (msgids are English).
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = {"en": "English", "zh_Hans": "中文"}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default="en")


def language_names() -> dict[str, str]:
    """The languages, named in the reader's language (for sentences; the language switcher
    names each in itself)."""
    return {"en": gettext("English"), "zh_Hans": gettext("Simplified Chinese")}


def in_language(texts: tuple[str, str], lang: str) -> str:
    """One of a shipped (English, Chinese) pair: the Chinese in Chinese, else the English."""
    return texts[1] if lang == "zh_Hans" else texts[0]


@cache
def translations(language: str) -> _gettext.NullTranslations:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def get_language() -> str:
    return _language.get()


def set_language(language: str) -> contextvars.Token[str]:
    return _language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def language(lang: str) -> Iterator[None]:
    token = set_language(lang)
    try:
        yield
    finally:
        _language.reset(token)


def gettext(message: str, **variables: object) -> str:
    """Like Jinja's newstyle gettext: always %-formatted, so a literal % is written %%."""
    return translations(_language.get()).gettext(message) % variables


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(_language.get()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def pick_language(preferred: str | None, accept_language: str | None) -> str:
    """The person's choice, else the best match in the browser's Accept-Language."""
    if preferred in LANGUAGES:
        return preferred  # type: ignore[return-value]
    for tag, _q in _parse_accept_language(accept_language or ""):
        tag = tag.lower()
        if tag.startswith("zh"):
            if tag in {"zh-tw", "zh-hk", "zh-mo", "zh-hant"}:
                continue  # traditional Chinese: we ship simplified only; English is safer
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE


def _parse_accept_language(header: str) -> list[tuple[str, float]]:
    items: list[tuple[str, float]] = []
    for part in header.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        items.append((tag.strip(), q))
    return sorted(items, key=lambda item: -item[1])
