"""The portfolio Pareto page: problems, risks and resistance barriers ranked by a dimension,
bars with the cumulative line, and the records behind a bar."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from tracker import labels, program_labels
from tracker.pareto import rules, service
from tracker.tenancy import OrgContext
from tracker.web import render

KEY_LABELS = {
    ("problems", "category"): labels.problem_category_label,
    ("problems", "fishbone"): labels.fishbone_label,
    ("risks", "category"): labels.risk_category_label,
    ("resistance", "barrier"): labels.barrier_label,
}


@get("/pareto", name="pareto")
async def pareto_page(
    request: Request,
    ctx: OrgContext,
    register: str = "problems",
    by: str = "",
    key: str | None = None,
) -> Template:
    if register not in service.REGISTERS:
        raise NotFoundException()
    dimensions = service.REGISTERS[register][0]
    by = by or dimensions[0]
    if by not in dimensions:
        raise NotFoundException()
    rows = await service.records(ctx.scope, register)
    bars = service.pareto(rows, by)
    name = KEY_LABELS.get((register, by))
    if by == "process_class":
        name = labels.process_class_label
    return render(
        request,
        "pareto/page.html",
        ctx=ctx,
        register=register,
        by=by,
        key=key,
        dimensions=dimensions,
        registers=list(service.REGISTERS),
        bars=bars,
        chart=rules.geometry(bars) if bars else None,
        total=len(rows),
        key_label=lambda k: (name(k) if name and k else k) or program_labels.not_set_label(),
        drilled=service.drill(rows, by, key) if key is not None else None,
    )


ROUTES = [pareto_page]
