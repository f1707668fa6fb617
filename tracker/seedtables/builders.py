"""How each importable seed table's rows become records: the values of a row (every problem
noted for its row and column), the records it matches by natural key, and the write of a
chunk of rows (updates in place, new rows inserted in one batch)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tracker.accounts.tables import Membership
from tracker.kpis.tables import Kpi, KpiMeasurement, OptimisationEntry
from tracker.problems import rules as problem_rules
from tracker.problems.tables import AsIsStep, Measure, Problem
from tracker.risks.tables import Risk, RiskScoreChange
from tracker.seedtables import values
from tracker.seedtables.values import Row
from tracker.tenancy import TenantScope


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


class AsIs(Builder):
    """Seed 004 表1: a row per current step, under the problem it shows ("title: details"),
    with the kinds of problem found at it (可多选); a problem not there yet is added (scored
    3 × 3, to be rated on the matrix, its category the row's first kind)."""

    NUMBERED = re.compile(r"^\s*\d+\s*[.、．)]\s*")

    async def context(self, scope: TenantScope, initiative: int) -> dict[str, Any]:
        problems = await _existing(scope, Problem, Problem.title, initiative)
        steps = await scope.select(AsIsStep, AsIsStep.problem.title, AsIsStep.step).where(
            AsIsStep.problem.initiative == initiative
        )
        return {
            "problems": problems,
            "existing": {f"{_key(s['problem.title'])}|{_key(s['step'])}" for s in steps},
            "kinds": values.as_is_kinds(),
        }

    def values(self, row: Row, c: dict[str, Any]) -> dict[str, Any]:
        row.raw["step"] = self.NUMBERED.sub("", row.raw.get("step", ""))
        title, _sep, details = row.raw.get("problem", "").partition(": ")
        row.raw["problem"] = title.strip()
        minutes = re.match(r"^\d+", row.raw.get("minutes", "").strip())
        return {
            "step": row.text("step", 200, "Name the step."),
            "role": row.text("role", 100),
            "minutes": int(minutes.group(0)) if minutes else None,
            "kinds": row.kinds("kind", c["kinds"]),
            "problem": row.text("problem", 200, "Name the problem."),
            "description": details.strip()[:5000],
        }

    async def write(self, scope: TenantScope, initiative: int, rows: list, person: int) -> None:
        problems = await _existing(scope, Problem, Problem.title, initiative)
        for v in rows:
            known = problems.get(_key(v["problem"]))
            if known and v["description"]:
                await scope.update(
                    Problem, {Problem.description: v["description"]}, Problem.id == known
                )
            elif not known:
                kinds = problem_rules.kinds_of(v["kinds"])
                problems[_key(v["problem"])] = (
                    await scope.insert(
                        Problem,
                        {
                            "initiative": initiative,
                            "title": v["problem"],
                            "impact": 3,
                            "urgency": 3,
                            "category": kinds[0] if kinds else "efficiency",
                            "description": v["description"],
                        },
                    )
                )[0]["id"]
        ids = list({problems[_key(v["problem"])] for v in rows})
        steps = await scope.select(
            AsIsStep, AsIsStep.id, AsIsStep.problem, AsIsStep.step, AsIsStep.position
        ).where(AsIsStep.problem.is_in(ids))
        found = {(s["problem"], _key(s["step"])): s["id"] for s in steps}
        last = {i: max((s["position"] for s in steps if s["problem"] == i), default=0) for i in ids}
        new = []
        for v in rows:
            problem = problems[_key(v["problem"])]
            values_ = {"role": v["role"], "minutes": v["minutes"], "kinds": v["kinds"]}
            step = found.get((problem, _key(v["step"])))
            if step:
                await scope.update(
                    AsIsStep, {getattr(AsIsStep, k): x for k, x in values_.items()},
                    AsIsStep.id == step,
                )  # fmt: skip
                continue
            last[problem] += 1
            new.append({**values_, "problem": problem, "step": v["step"],
                        "position": last[problem]})  # fmt: skip
        if new:
            await scope.insert(AsIsStep, *new)


BUILDERS: dict[str, Builder] = {
    "as-is-survey": AsIs(),
    "matrix": Problems(),
    "risks": Risks(),
    "design": Measures(),
    "kpi-monitoring": Kpis(),
    "optimisation-log": Log(),
}
