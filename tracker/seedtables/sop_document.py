"""An SOP version as a Word document (.docx, python-docx) in the layout of seed 001: the basic
information block, the steps, responsibilities (RACI), key control points, forms and tools,
exception handling, the contingency plan and the version log."""

from __future__ import annotations

import io
from typing import Any

from tracker.i18n import gettext as _
from tracker.i18n import pgettext
from tracker.seedtables import layouts, rows

CJK_FONT = "Noto Sans CJK SC"  # Debian's fonts-noto-cjk; Word and WPS fall back to their own


def _table(document: Any, headers: list[str], body: list[list[Any]]) -> None:
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in body:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)


def _section(document: Any, title: str, text: str) -> None:
    document.add_heading(title, level=2)
    document.add_paragraph(text or "—")


def _use_cjk_font(document: Any) -> None:
    from docx.oxml.ns import qn

    style = document.styles["Normal"]
    style.font.name = CJK_FONT
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), CJK_FONT)


def sop_docx(view: dict[str, Any], document_view: dict[str, Any]) -> bytes:
    """The version as a .docx file."""
    from docx import Document

    version, steps, raci = view["version"], view["steps"], view["raci"]
    document = Document()
    _use_cjk_font(document)
    document.add_heading(
        f"{version['document.process_name']} {_('Standard operating procedure')}", level=1
    )
    document.add_heading(pgettext("seed table", "Process basic information"), level=2)
    pairs = zip(layouts.sop_basic_block(), rows.sop_basic_block(view), strict=True)
    _table(document, [_("Item"), _("Content")], [[label, value] for label, value in pairs])
    document.add_heading(_("Steps"), level=2)
    _table(document, list(layouts.sop_steps().columns), [r[:7] for r in rows.sop_steps(view)])
    if raci["roles"] and steps:
        document.add_heading(_("RACI matrix"), level=2)
        _table(
            document,
            [_("Step"), *(r["name"] for r in raci["roles"])],
            [
                [
                    f"{n}. {s['name']}",
                    *(raci["cells"].get((s["id"], r["id"]), "") for r in raci["roles"]),
                ]
                for n, s in enumerate(steps, start=1)
            ],
        )
    controls = [
        f"{n}. {s['name']}: {s['control_point']}"
        for n, s in enumerate(steps, 1)
        if s["control_point"]
    ]
    _section(document, _("Key control points"), "\n".join(controls))
    tools = [
        f"{n}. {s['name']}: {s['forms_tools']}" for n, s in enumerate(steps, 1) if s["forms_tools"]
    ]
    _section(document, _("Forms and tools"), "\n".join(tools))
    _section(document, _("Exception handling"), version["exception_handling"])
    _section(document, _("Contingency plan"), version["contingency_plan"])
    document.add_heading(
        pgettext("seed table", "Process optimisation log (version management)"), level=2
    )
    _table(document, list(layouts.version_log().columns), rows.version_log(document_view))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
