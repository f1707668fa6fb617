"""The portfolio Pareto page: problems by fishbone cause across initiatives, drill-down to
the records, risks and resistance too; another organisation's records never counted; a
fixed number of queries."""

from tests.helpers import make_initiative
from tracker.db import count_queries
from tracker.problems.tables import Problem
from tracker.risks.tables import ResistanceEntry, Risk


async def add_problems(org, initiative, causes, prefix):
    await Problem.insert(
        *(
            Problem(
                org=org.id,
                initiative=initiative,
                title=f"{prefix} {n}",
                category="quality",
                impact=3,
                urgency=3,
                fishbone=cause,
            )
            for n, cause in enumerate(causes)
        )
    )


async def test_problems_ranked_by_fishbone_cause_with_drill_down(world):
    one = await make_initiative(world.a, phase=2, departments="Quality, 仓储部")
    two = await make_initiative(world.a, phase=3, departments="Quality")
    await add_problems(world.a, one, ["method", "method", "people"], "Alpha problem")
    await add_problems(world.a, two, ["method", "machine"], "Alpha problem two")
    other = await make_initiative(world.b, phase=2)
    await add_problems(world.b, other, ["machine"] * 9, "Beta secret")
    async with world.client(world.a, "viewer") as client:
        page = await client.get("/o/alpha/pareto?register=problems&by=fishbone")
        assert page.status_code == 200
        text = page.text
        assert 'id="pareto-chart"' in text and 'class="cumulative"' in text
        assert text.index(">Method<") < text.index(">Machine<")  # method recurs most
        assert "Beta secret" not in text
        drill = await client.get("/o/alpha/pareto?register=problems&by=fishbone&key=method")
        assert drill.text.count("Alpha problem") == 3 and "Beta secret" not in drill.text
        departments = await client.get("/o/alpha/pareto?register=problems&by=department")
        assert "仓储部" in departments.text
        for register in ("risks", "resistance"):
            assert (await client.get(f"/o/alpha/pareto?register={register}")).status_code == 200
        assert (await client.get("/o/alpha/pareto?register=nope")).status_code == 404
        assert (await client.get("/o/alpha/pareto?register=risks&by=fishbone")).status_code == 404
    async with world.client(world.b, "admin") as outsider:
        assert (await outsider.get("/o/alpha/pareto")).status_code == 404


async def test_the_pareto_page_reads_a_fixed_number_of_queries(world):
    initiative = await make_initiative(world.a, phase=2)

    async def measured() -> int:
        async with world.client(world.a, "lead") as client:
            with count_queries() as counter:
                response = await client.get("/o/alpha/pareto?register=risks&by=department")
            assert response.status_code == 200
        return counter.count

    await measured()  # a first visit keeps what it may (the filter's departments): not counted
    before = await measured()
    await Risk.insert(
        *(
            Risk(
                org=world.a.id,
                initiative=initiative,
                description=f"Risk {n}",
                category="people",
                likelihood=2,
                impact=2,
            )
            for n in range(60)
        )
    )
    await ResistanceEntry.insert(
        ResistanceEntry(
            org=world.a.id,
            initiative=initiative,
            stakeholder_group="Sales",
            level="low",
            barrier="desire",
        )
    )
    assert await measured() == before
