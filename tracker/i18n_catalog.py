"""Message extraction and catalog checks: ``python -m tracker.i18n_catalog [update]``.

``update`` extracts every translatable string from the Python code and the templates and
merges it into each language's ``messages.po``, keeping existing translations. Without
arguments it prints the messages still untranslated (and exits 1 when there are any).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "tracker" / "locale"
TRANSLATED_LANGUAGES = ["zh_Hans"]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def extract() -> Catalog:
    catalog = Catalog(project="tracker", charset="utf-8")
    sources = [
        (ROOT / "tracker", [("**.py", "python")], {}),
        (
            ROOT / "templates",
            [("**.html", "jinja2"), ("**.jinja", "jinja2"), ("**.txt", "jinja2")],
            {"**.html": JINJA_OPTIONS, "**.jinja": JINJA_OPTIONS, "**.txt": JINJA_OPTIONS},
        ),
    ]
    for directory, method_map, options in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(directory),
            method_map=method_map,
            options_map=options,
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)},
        ):
            catalog.add(
                message,
                None,
                [(f"{directory.name}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


def load(language: str) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="tracker", charset="utf-8")
    with path.open("rb") as f:
        return read_po(f, locale=language)


def missing(language: str, template: Catalog | None = None) -> list[str]:
    """Message ids of the code and templates with no translation in ``language``."""
    template = template or extract()
    catalog = load(language)
    gaps = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        if (
            found is None
            or not found.string
            or (isinstance(found.string, tuple) and not all(found.string))
        ):
            text = message.id if isinstance(message.id, str) else message.id[0]
            gaps.append(f"{text} ({message.context})" if message.context else text)
    return gaps


def update() -> None:
    template = extract()
    for language in TRANSLATED_LANGUAGES:
        catalog = load(language)
        catalog.update(template, no_fuzzy_matching=True)
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True)


def main() -> None:
    if sys.argv[1:] == ["update"]:
        update()
    template = extract()
    gaps = {language: missing(language, template) for language in TRANSLATED_LANGUAGES}
    for language, ids in gaps.items():
        for message_id in ids:
            print(f"{language}: {message_id}")
    sys.exit(1 if any(gaps.values()) else 0)


if __name__ == "__main__":
    main()
