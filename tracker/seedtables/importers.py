"""The seed tables that import: for each, the field of every column of its layout, how a row
becomes values, its natural key (a re-import updates the row with the same key) and the
all-or-nothing write. The preview and the write read the same rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tracker.accounts.tables import Membership
from tracker.db import write_transaction
from tracker.i18n import gettext as _
from tracker.kpis.tables import Kpi, KpiMeasurement, OptimisationEntry
from tracker.problems.tables import Measure, Problem
from tracker.risks.tables import Risk, RiskScoreChange
from tracker.seedtables import layouts, reading, values
from tracker.seedtables.values import Row
from tracker.tenancy import TenantScope

CHUNK = 100  # rows written between two progress reports


@dataclass
class Spec:
    layout: Callable[[], layouts.Layout]
    keys: tuple[str | None, ...]  # the field of each header of the layout (None: ignored)
    natural: str  # the field that identifies a row


SPECS: dict[str, Spec] = {
    "matrix": Spec(
        layouts.matrix,
        ("title", "impact", "urgency", None, "category", "status", "owner"),
        "title",
    ),
    "risks": Spec(
        layouts.risks,
        (
            "description",
            "manifestation",
            "mitigation",
            "category",
            "likelihood",
            "impact",
            None,
            "owner",
            "status",
        ),
        "description",
    ),
    "design": Spec(
        layouts.design,
        ("goal", "problem", "measure", "department", "completion_date", "expected_effect"),
        "measure",
    ),
    "kpi-monitoring": Spec(
        layouts.kpi_monitoring,
        (
            "name",
            "formula",
            "data_source",
            "frequency",
            "target",
            "actual",
            "department",
            "unit",
            "measured_on",
        ),
        "name",
    ),
    "optimisation-log": Spec(
        layouts.optimisation_log,
        ("logged_on", "process", "background", "measures", "effect", "owner", "notes"),
        "logged_on",
    ),
}


@dataclass
class Preview:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # line, column, message
    updates: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def messages(parsed: reading.Parsed, preview: Preview) -> None:
    for line, key, message in parsed.errors:
        column = parsed.headers.get(key, key)
        preview.errors.append(
            (line, column, _(message, n=reading.MAX_ROWS, name=parsed.headers.get("", "")))
        )


def _collect(parsed: reading.Parsed, preview: Preview, row: Row, limit: int = 300) -> None:
    for key, message in row.errors:
        preview.errors.append((row.line, parsed.headers.get(key, key), _(message, n=limit)))


async def members(org_id: int) -> dict[str, int]:
    """A member's name or e-mail address (lower case) → the person."""
    found: dict[str, int] = {}
    for r in await Membership.select(
        Membership.person.id, Membership.person.name, Membership.person.email
    ).where(Membership.org == org_id):
        found[r["person.email"].lower()] = r["person.id"]
        found.setdefault(str(r["person.name"]).strip().lower(), r["person.id"])
    return found


def member(row: Row, key: str, people: dict[str, int], allowed: set[str] = frozenset()) -> Any:  # type: ignore[assignment]
    text = row.raw.get(key, "").strip()
    if not text or text in allowed:
        return None
    person = people.get(text.lower())
    if person is None:
        row.errors.append((key, "No member of this organisation has this name or e-mail."))
    return person


async def _existing(scope: TenantScope, table: Any, column: Any, initiative: int) -> dict:
    rows = await scope.select(table, table.id, column).where(table.initiative == initiative)
    return {str(r[column._meta.name]).strip().lower(): r["id"] for r in rows}


def _key(value: Any) -> str:
    return str(value).strip().lower()


async def preview(scope: TenantScope, key: str, initiative: int, parsed: reading.Parsed) -> Preview:
    """Every row read and checked; nothing written."""
    result = Preview()
    messages(parsed, result)
    if result.errors:
        return result
    build = BUILDERS[key]
    context = await build.context(scope, initiative)
    seen: set[str] = set()
    for line, raw in parsed.rows:
        row = Row(line, raw)
        row_values = build.values(row, context)
        natural = _natural(key, row_values)
        if natural in seen:
            row.errors.append((SPECS[key].natural, "This row appears twice in the file."))
        seen.add(natural)
        _collect(parsed, result, row, build.limit)
        existing = natural in context["existing"]
        result.updates += existing
        result.rows.append({"line": line, "values": row_values, "existing": existing})
    return result


def _natural(key: str, row_values: dict[str, Any]) -> str:
    if key == "optimisation-log":
        return f"{row_values['logged_on']}|{_key(row_values['process'])}"
    return _key(row_values[SPECS[key].natural])


# --- each table ------------------------------------------------------------------------------


class Builder:
    limit = 300

    async def context(self, scope: TenantScope, initiative: int) -> dict[str, Any]:
        raise NotImplementedError

    def values(self, row: Row, context: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def write(self, scope: TenantScope, initiative: int, rows: list, person: int) -> None:
        raise NotImplementedError


class Problems(Builder):
    limit = 200

    async def context(self, scope: TenantScope, initiative: int) -> dict[str, Any]:
        return {
            "existing": await _existing(scope, Problem, Problem.title, initiative),
            "people": await members(scope.org_id),
            "categories": values.problem_categories(),
            "statuses": values.problem_statuses(),
        }

    def values(self, row: Row, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "title": row.text("title", 200, "Name the problem."),
            "impact": row.score("impact"),
            "urgency": row.score("urgency"),
            "category": row.choice(
                "category", c["categories"], "efficiency",
                "Use efficiency, quality, coordination or risk.",
            ),
            "status": row.choice(
                "status", c["statuses"], "open", "Use open, analysing, solved or deferred."
            ),
            "owner": member(row, "owner", c["people"]),
        }  # fmt: skip

    async def write(self, scope: TenantScope, initiative: int, rows: list, person: int) -> None:
        existing = await _existing(scope, Problem, Problem.title, initiative)
        new: list[dict[str, Any]] = []
        for v in rows:
            found = existing.get(_key(v["title"]))
            if found:
                await scope.update(
                    Problem, {getattr(Problem, k): x for k, x in v.items()}, Problem.id == found
                )
            else:
                new.append({**v, "initiative": initiative})
        if new:
            await scope.insert(Problem, *new)


class Risks(Builder):
    async def context(self, scope: TenantScope, initiative: int) -> dict[str, Any]:
        return {
            "existing": await _existing(scope, Risk, Risk.description, initiative),
            "people": await members(scope.org_id),
            "categories": values.risk_categories(),
            "statuses": values.risk_statuses(),
        }

    def values(self, row: Row, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "description": row.text("description", 300, "Describe the risk."),
            "manifestation": row.text("manifestation", 5000),
            "mitigation": row.text("mitigation", 5000),
            "category": row.choice(
                "category", c["categories"], "other", "Choose one of the options."
            ),
            "likelihood": row.score("likelihood", 3),
            "impact": row.score("impact", 3),
            "owner": member(row, "owner", c["people"]),
            "status": row.choice(
                "status", c["statuses"], "open", "Use open, mitigating or closed."
            ),
        }

    async def write(self, scope: TenantScope, initiative: int, rows: list, person: int) -> None:
        existing = await _existing(scope, Risk, Risk.description, initiative)
        new: list[dict[str, Any]] = []
        for v in rows:
            found = existing.get(_key(v["description"]))
            if found:
                await scope.update(
                    Risk, {getattr(Risk, k): x for k, x in v.items()}, Risk.id == found
                )
            else:
                new.append({**v, "initiative": initiative})
        if not new:
            return
        ids = [r["id"] for r in await scope.insert(Risk, *new)]
        await scope.insert(
            RiskScoreChange,
            *(
                {"risk": i, "likelihood": v["likelihood"], "impact": v["impact"],
                 "changed_by": person}
                for i, v in zip(ids, new, strict=True)
            ),
        )  # fmt: skip


class Measures(Builder):
    async def context(self, scope: TenantScope, initiative: int) -> dict[str, Any]:
        return {
            "existing": await _existing(scope, Measure, Measure.measure, initiative),
            "problems": await _existing(scope, Problem, Problem.title, initiative),
        }

    def values(self, row: Row, c: dict[str, Any]) -> dict[str, Any]:
        problem = row.raw.get("problem", "")
        found = c["problems"].get(_key(problem)) if problem else None
        if problem and found is None:
            row.errors.append(("problem", "No problem of this initiative has this title."))
        return {
            "goal": row.text("goal", 300, "Name the goal."),
            "problem": found,
            "measure": row.text("measure", 5000, "Describe the measure."),
            "department": row.text("department", 100),
            "completion_date": row.day("completion_date"),
            "expected_effect": row.text("expected_effect", 300),
        }

    async def write(self, scope: TenantScope, initiative: int, rows: list, person: int) -> None:
        existing = await _existing(scope, Measure, Measure.measure, initiative)
        new: list[dict[str, Any]] = []
        for v in rows:
            found = existing.get(_key(v["measure"]))
            if found:
                await scope.update(
                    Measure, {getattr(Measure, k): x for k, x in v.items()}, Measure.id == found
                )
            else:
                new.append({**v, "initiative": initiative})
        if new:
            await scope.insert(Measure, *new)


class Kpis(Builder):
    limit = 200

    async def context(self, scope: TenantScope, initiative: int) -> dict[str, Any]:
        return {
            "existing": await _existing(scope, Kpi, Kpi.name, initiative),
            "frequencies": values.frequencies(),
        }

    def values(self, row: Row, c: dict[str, Any]) -> dict[str, Any]:
        actual = row.number("actual")
        measured_on = row.day("measured_on")
        return {
            "name": row.text("name", 200, "Name the indicator."),
            "formula": row.text("formula", 5000),
            "data_source": row.text("data_source", 200),
            "frequency": row.choice(
                "frequency", c["frequencies"], "weekly", "Use daily, weekly or monthly."
            ),
            "target": row.number("target", required=True),
            "department": row.text("department", 100),
            "unit": row.text("unit", 30),
            "actual": actual,
            "measured_on": measured_on,
        }

    async def write(self, scope: TenantScope, initiative: int, rows: list, person: int) -> None:
        from datetime import date

        existing = await _existing(scope, Kpi, Kpi.name, initiative)
        for v in rows:
            actual, measured_on = v.pop("actual"), v.pop("measured_on")
            found = existing.get(_key(v["name"]))
            if found:
                await scope.update(Kpi, {getattr(Kpi, k): x for k, x in v.items()}, Kpi.id == found)
            else:
                found = (
                    await scope.insert(
                        Kpi, {**v, "initiative": initiative, "threshold": v["target"]}
                    )
                )[0]["id"]
            if actual is None:
                continue
            day = measured_on or date.today()
            if not await scope.count(KpiMeasurement).where(
                KpiMeasurement.kpi == found, KpiMeasurement.measured_on == day
            ):
                await scope.insert(
                    KpiMeasurement,
                    {"kpi": found, "measured_on": day, "value": actual, "source": "import",
                     "recorded_by": person},
                )  # fmt: skip


class Log(Builder):
    limit = 200

    async def context(self, scope: TenantScope, initiative: int) -> dict[str, Any]:
        return {"existing": await self._existing(scope, initiative)}

    async def _existing(self, scope: TenantScope, initiative: int) -> dict[str, int]:
        rows = await scope.select(
            OptimisationEntry, OptimisationEntry.id, OptimisationEntry.logged_on,
            OptimisationEntry.process,
        ).where(OptimisationEntry.initiative == initiative)  # fmt: skip
        return {f"{r['logged_on']}|{_key(r['process'])}": r["id"] for r in rows}

    def values(self, row: Row, c: dict[str, Any]) -> dict[str, Any]:
        return {
            "logged_on": row.day("logged_on", required=True),
            "process": row.text("process", 200, "Name the process."),
            "background": row.text("background", 5000),
            "measures": row.text("measures", 5000),
            "effect": row.text("effect", 5000),
            "owner": row.text("owner", 200),
            "notes": row.text("notes", 5000),
        }

    async def write(self, scope: TenantScope, initiative: int, rows: list, person: int) -> None:
        existing = await self._existing(scope, initiative)
        new: list[dict[str, Any]] = []
        for v in rows:
            found = existing.get(f"{v['logged_on']}|{_key(v['process'])}")
            if found:
                await scope.update(
                    OptimisationEntry,
                    {getattr(OptimisationEntry, k): x for k, x in v.items()},
                    OptimisationEntry.id == found,
                )
            else:
                new.append({**v, "initiative": initiative})
        if new:
            await scope.insert(OptimisationEntry, *new)


BUILDERS: dict[str, Builder] = {
    "matrix": Problems(),
    "risks": Risks(),
    "design": Measures(),
    "kpi-monitoring": Kpis(),
    "optimisation-log": Log(),
}


async def write(
    scope: TenantScope,
    key: str,
    initiative: int,
    result: Preview,
    person: int,
    progress: Callable[[int], Awaitable[None]] | None = None,
) -> int:
    """All rows in one transaction, or none (``progress`` may raise to roll everything back)."""
    rows = [dict(r["values"]) for r in result.rows]
    async with write_transaction():
        for start in range(0, len(rows), CHUNK):
            await BUILDERS[key].write(scope, initiative, rows[start : start + CHUNK], person)
            if progress is not None:
                await progress(min(start + CHUNK, len(rows)))
    return len(rows)


def _messages() -> list[str]:
    """Never called: the message ids of reading and values, for extraction."""
    return [
        _("The file has more rows than an import takes (%(n)s)."),
        _("No header row naming the table's first column (%(name)s)."),
        _("Give the time limit as a number and a unit, e.g. within 2 hours."),
        _("Enter a number."),
        _("No member of this organisation has this name or e-mail."),
        _("No problem of this initiative has this title."),
        _("Name the goal."),
        _("Describe the measure."),
        _("Name the indicator."),
        _("Use daily, weekly or monthly."),
        _("Name the process."),
        _("This row appears twice in the file."),
        _("Use at most %(n)s characters."),
        _("Enter a date as YYYY-MM-DD."),
    ]
