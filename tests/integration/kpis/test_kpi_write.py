"""Recording a KPI measurement (the write of the load benchmark's mixed mode): a fixed number
of queries whatever the number of measurements and alerts, and the control chart judged on
the points it needs as if on the whole stage (a point dated between others, a first stage
laid over a long history, a proportion missing a denominator), only in its organisation."""

from datetime import date, timedelta

from tests.helpers import make_initiative
from tests.integration.kpis.test_control_charts import BASELINE, RUN, charted_kpi, signals_of
from tests.integration.kpis.test_kpis import make_kpi
from tracker.db import count_queries
from tracker.kpis.tables import KpiAlert, KpiMeasurement, KpiStage


def ago(days: int) -> date:
    return date.today() - timedelta(days=days)


async def post(client, kpi, day, value, status=303, **extra):
    response = await client.post(
        f"/o/alpha/kpis/{kpi}/measurements",
        data={"measured_on": day.isoformat(), "value": str(value), **extra},
    )
    assert response.status_code == status, response.text
    return response


async def counted(client, kpi, day, value):
    with count_queries() as queries:
        await post(client, kpi, day, value)
    return queries.count


async def charted(world, initiative, name):
    """A KPI whose baseline stage, from 500 days back, has its limits from 10 points
    (centre 2.2, limits 1.136 – 3.264; the alert threshold 3.5)."""
    kpi = await make_kpi(world, world.a, initiative, name=name)
    async with world.client(world.a, "lead") as client:
        added = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": ago(500).isoformat(), "label": "baseline", "limit_points": "10"},
        )
        assert added.status_code == 303, added.text
        for n, value in enumerate(BASELINE):
            await post(client, kpi, ago(500 - n), value)
    return kpi


async def grow(org_id, kpi, last_day, days, alerts):
    """``days`` more measurements of ``kpi`` on the centre line, daily back from
    ``last_day``, and ``alerts`` more open alerts of the organisation."""
    await KpiMeasurement.insert(
        *(
            KpiMeasurement(org=org_id, kpi=kpi, measured_on=last_day - timedelta(days=d), value=2.2)
            for d in range(days)
        )
    )
    if alerts:
        await KpiAlert.insert(
            *(
                KpiAlert(org=org_id, kpi=kpi, measured_on=ago(1000 + d), value=9, threshold=3.5)
                for d in range(alerts)
            )
        )


async def test_a_measurement_is_recorded_in_a_fixed_number_of_queries(world):
    """The session, the KPI with what judging the point needs, the writes (one statement on
    PostgreSQL), and one more to raise a control-chart signal: the same with 10 measurements
    in the stage as with 410, and with no other open alert as with 300."""
    initiative = await make_initiative(world.a, phase=6, name="Counted writes")
    counts = []
    for size in ("small", "large"):
        fresh = await make_kpi(world, world.a, initiative, name=f"New KPI {size}")
        kpi = await charted(world, initiative, f"Counted {size}")
        if size == "large":
            await grow(world.a.id, kpi, ago(50), 400, 0)  # in the stage, before the new points
            await grow(world.a.id, fresh, ago(2), 400, 300)  # before its first stage
        async with world.client(world.a, "lead") as client:
            counts.append(
                {
                    # a KPI's first stage: from the day of this breach of the threshold
                    "first, past the threshold": await counted(client, fresh, ago(1), 4.1),
                    "within the limits": await counted(client, kpi, ago(49), 2.2),
                    "past the limit and the threshold": await counted(client, kpi, ago(48), 4.1),
                }
            )
        assert await KpiStage.count().where(KpiStage.kpi == fresh) == 1
        assert [a["rule"] for a in await signals_of(kpi)] == ["beyond"]
        assert await KpiAlert.count().where(KpiAlert.kpi == kpi, KpiAlert.kind == "threshold") == 1
    small, large = counts
    print(f"\nKPI measurement queries ({world.backend}): {small}")
    assert small == large
    # PostgreSQL: tracker_identify, the read, the writes; SQLite: the session's queries, the
    # read, then each write on its own (the measurement, its alert, the stage)
    expected = {"postgres": (3, 3, 4), "sqlite": (6, 4, 6)}[world.backend]
    assert tuple(small.values()) == expected, small


async def test_a_point_dated_between_others_raises_the_signals_it_completes_after_it(world):
    """A run of 8 completed by a point entered late: the signal is on the later point (the
    8th of the run), as when the whole stage is judged; a run that goes on is not raised."""
    _initiative, kpi = await charted_kpi(world, name="Late entry")
    async with world.client(world.a, "member") as client:
        for n, value in enumerate(BASELINE):
            await post(client, kpi, ago(60 - n), value)
        # days 10 … 17 of the stage above the centre line, day 13 entered last
        for n in [10, 11, 12, 14, 15, 16, 17]:
            await post(client, kpi, ago(60 - n), RUN[0])
        assert await signals_of(kpi) == []  # 3, then 4 in a row
        await post(client, kpi, ago(60 - 13), RUN[1])
    alerts = await signals_of(kpi)
    # days 10 … 17 are now 8 in a row above the centre line: the signal is on day 17
    assert [(a["rule"], a["measured_on"]) for a in alerts] == [("run8", ago(60 - 17))]


async def test_a_first_stage_over_a_long_history_judges_every_point_of_it(world):
    """A KPI without stages measured for months, then a measurement dated before them: its
    baseline stage starts on that day and holds them all, its limits come from the first 20
    and every signal of the stage is raised, as before."""
    initiative = await make_initiative(world.a, phase=6, name="Long history")
    kpi = await make_kpi(world, world.a, initiative, name="Long history")
    values = [2.4, 2.0] * 10 + [2.3] * 12 + [5.0]  # after the 20, a run of 12 and a point beyond
    await KpiMeasurement.insert(
        *(
            KpiMeasurement(org=world.a.id, kpi=kpi, measured_on=ago(100 - n), value=v)
            for n, v in enumerate(values)
        )
    )
    async with world.client(world.a, "lead") as client:
        await post(client, kpi, ago(101), 2.2)
    stage = await KpiStage.select().where(KpiStage.kpi == kpi).first()
    assert stage["starts_on"] == ago(101) and stage["based_on"] == 20
    alerts = {(a["rule"], a["measured_on"]) for a in await signals_of(kpi)}
    assert ("beyond", ago(100 - 32)) in alerts  # the 5.0, judged on limits it never saw
    assert ("run8", ago(100 - 27)) in alerts  # the 8th of the 2.3 run (centre 2.2 + …)


async def test_a_proportion_with_a_point_missing_its_denominator_raises_no_signal(world):
    """A p-chart cannot be drawn while a point of its stage has no denominator (one entered
    before the KPI became a proportion): a point far beyond raises only its threshold alert,
    wherever in the stage the point without one is; once it has one, the signals come."""
    initiative = await make_initiative(world.a, phase=6, name="Rates")
    kpi = await make_kpi(
        world, world.a, initiative, name="Rate", unit="%", target="2", threshold="8",
        chart_kind="proportion",
    )  # fmt: skip
    await KpiMeasurement.insert(
        *(
            KpiMeasurement(
                org=world.a.id,
                kpi=kpi,
                measured_on=ago(60 - n),
                value=2.0 + n % 2,
                denominator=None if n == 15 else 100,
            )
            for n in range(30)
        ),
    )
    async with world.client(world.a, "lead") as client:
        added = await client.post(
            f"/o/alpha/kpis/{kpi}/stages",
            data={"starts_on": ago(60).isoformat(), "label": "baseline", "limit_points": "10"},
        )
        assert added.status_code == 303, added.text
        await post(client, kpi, ago(1), 30, denominator="100")
    assert await signals_of(kpi) == []
    assert await KpiAlert.count().where(KpiAlert.kpi == kpi, KpiAlert.kind == "threshold") == 1
    await KpiMeasurement.update({KpiMeasurement.denominator: 100}).where(
        KpiMeasurement.kpi == kpi, KpiMeasurement.measured_on == ago(45)
    )
    async with world.client(world.a, "lead") as client:
        await post(client, kpi, ago(0), 30, denominator="100")
    # 30 % of 100 is past 3 sigma; with the 30 % before it, 2 of 3 are past 2 sigma
    assert sorted((a["rule"], a["measured_on"]) for a in await signals_of(kpi)) == [
        ("beyond", ago(0)),
        ("two_of_three", ago(0)),
    ]


async def test_a_measurement_of_another_organisations_kpi_is_refused(world):
    initiative = await make_initiative(world.a, phase=6, name="Walled KPI")
    kpi = await make_kpi(world, world.a, initiative, name="Walled")
    async with world.client(world.b, "admin") as outsider:
        for day in (ago(1).isoformat(), "not a date"):
            response = await outsider.post(
                f"/o/beta/kpis/{kpi}/measurements", data={"measured_on": day, "value": "9"}
            )
            assert response.status_code == 404
    assert await KpiMeasurement.count().where(KpiMeasurement.kpi == kpi) == 0
    assert await KpiStage.count().where(KpiStage.kpi == kpi) == 0


async def test_the_read_takes_the_points_of_the_day_s_stage_only(world):
    """What recording a point reads (control.read_context): the stage the day falls in, from
    its first day up to the next stage's, never a neighbour's points; its first points only
    while its limits are incomplete."""
    from tracker.kpis import control
    from tracker.tenancy import TenantScope

    initiative = await make_initiative(world.a, phase=6, name="Two stages")
    kpi = await make_kpi(world, world.a, initiative, name="Two stages")
    await KpiMeasurement.insert(
        *(
            KpiMeasurement(org=world.a.id, kpi=kpi, measured_on=ago(100 - n), value=2.0 + n % 2)
            for n in range(60)
        )
    )
    await KpiStage.insert(
        KpiStage(org=world.a.id, kpi=kpi, starts_on=ago(100), limit_points=5, centre=2.5,
                 mr_bar=1.0, based_on=5),
        KpiStage(org=world.a.id, kpi=kpi, starts_on=ago(70), limit_points=50, centre=2.5,
                 mr_bar=1.0, based_on=10),
        KpiStage(org=world.a.id, kpi=kpi, starts_on=ago(60), limit_points=5),
    )  # fmt: skip
    scope = TenantScope(world.a.id)

    def days(points):
        return [(ago(0) - p["measured_on"]).days for p in points]

    # in the first stage (complete): 8 before, the points after up to the second stage
    first = await control.read_context(scope, kpi, ago(80))
    assert [s["starts_on"] for s in first.stages] == [ago(100), ago(70), ago(60)]
    assert first.head == [] and days(first.before) == list(range(88, 80, -1))
    assert days(first.after) == list(range(80, 70, -1))
    # the second stage's limits are incomplete (10 of 50): its first points, up to 51
    second = await control.read_context(scope, kpi, ago(69))
    assert days(second.head) == list(range(70, 60, -1)) and second.whole_stage
    assert days(second.before) == [70] and days(second.after) == list(range(69, 60, -1))
    # before the first stage: nothing to judge, nothing read
    before = await control.read_context(scope, kpi, ago(120))
    assert (before.head, before.before, before.after) == ([], [], [])
    assert before.kpi["id"] == kpi and before.kpi["chart_kind"] == "individuals"
