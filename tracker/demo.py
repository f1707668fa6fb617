"""The demo organisation: realistic initiatives drawn from the seed guides, in every phase."""

from __future__ import annotations

from datetime import date, timedelta

from tracker import demo_content as content
from tracker.accounts.rules import Role
from tracker.accounts.tables import Membership, Organisation, Person
from tracker.auth import hash_password
from tracker.db import write_transaction
from tracker.demo_benefits import seed_benefits
from tracker.demo_content import resolve
from tracker.demo_monitoring import seed_monitoring
from tracker.demo_program import seed_program
from tracker.gates.settings_service import ensure_defaults
from tracker.i18n import in_language
from tracker.initiatives import rules
from tracker.initiatives.tables import Initiative, Phase
from tracker.notifications import service as notifications

DEMO_SLUG = "demo"
DEMO_DOMAIN = "example.com"
DEMO_EMAIL = f"demo@{DEMO_DOMAIN}"
DEMO_PASSWORD = "demo-password-2026"


async def create_org_with_admin(
    name: str, slug: str, email: str, admin_name: str = "Admin", password: str | None = None
) -> str:
    from tracker.accounts.rules import is_valid_slug, normalise_email, password_problems

    email = normalise_email(email)
    if not is_valid_slug(slug):
        raise SystemExit(f"Not a valid organisation address: {slug!r}")
    if await Organisation.exists().where(Organisation.slug == slug):
        raise SystemExit(f"An organisation with the address {slug!r} exists already.")
    person = await Person.select(Person.id).where(Person.email == email).first()
    async with write_transaction():
        if person is None:
            if not password or password_problems(password, email):
                raise SystemExit("A new admin needs --admin-password of at least 12 characters.")
            person_id = (
                await Person.insert(
                    Person(
                        email=email, name=admin_name, password_hash=await hash_password(password)
                    )
                )
            )[0]["id"]
        else:
            person_id = person["id"]
        org = (await Organisation.insert(Organisation(name=name, slug=slug)))[0]["id"]
        await Membership.insert(Membership(org=org, person=person_id, role=Role.ADMIN))
        await ensure_defaults(org)
    return f"Created {name} at /o/{slug}/ with admin {email}."


async def seed_initiative(org_id: int, values: dict, start: date, phase: int, today: date) -> int:
    """Insert an initiative already in ``phase``: earlier phases ended on their plan + a little."""
    initiative_id = (await Initiative.insert(Initiative(org=org_id, start_date=start, **values)))[
        0
    ]["id"]
    plan = rules.plan_phases(start)
    rows = []
    cursor = start
    for p in plan:
        actual_start = actual_end = None
        if p.number < phase:
            length = (p.planned_end - p.planned_start).days if p.planned_end else 7
            actual_start, actual_end = cursor, cursor + timedelta(days=length + (p.number % 3))
            cursor = actual_end + timedelta(days=1)
        elif p.number == phase:
            actual_start = min(cursor, today)
        rows.append(
            Phase(
                org=org_id,
                initiative=initiative_id,
                number=int(p.number),
                planned_start=p.planned_start,
                planned_end=p.planned_end,
                actual_start=actual_start,
                actual_end=actual_end,
            )
        )
    ids = await Phase.insert(*rows)
    await Initiative.update({Initiative.current_phase: ids[phase - 1]["id"]}).where(
        Initiative.id == initiative_id
    )
    return int(initiative_id)


async def seed_registers(
    org: int, initiative_id: int, code: str, people: list[int], today: date, lang: str
) -> None:
    """Problems with as-is steps, measures, risks, resistance and a pilot for a few demo
    initiatives, so every register has data."""
    from tracker.problems import rules as problem_rules
    from tracker.problems.tables import AsIsStep, Measure, Problem
    from tracker.risks.rules import STARTER_MANIFESTATIONS, STARTER_RISKS
    from tracker.risks.tables import ResistanceEntry, Risk, RiskScoreChange

    problems = []
    for title, category, impact, urgency, fishbone, whys, status, steps in resolve(
        content.PROBLEMS.get(code, []), lang
    ):
        problem = (
            await Problem.insert(
                Problem(
                    org=org,
                    initiative=initiative_id,
                    title=title,
                    category=category,
                    impact=impact,
                    urgency=urgency,
                    fishbone=fishbone,
                    whys=whys,
                    owner=people[1],
                    status=status,
                )
            )
        )[0]["id"]
        problems.append(problem)
        if steps:
            # every step shows the problem's kind; the slowest one is also low efficiency
            slowest = max(range(len(steps)), key=lambda i: steps[i][2] or 0)
            await AsIsStep.insert(
                *(
                    AsIsStep(
                        org=org, problem=problem, position=i, step=step, role=role, minutes=m,
                        kinds=problem_rules.kinds_text(
                            {category, "efficiency"} if i == slowest else {category}
                        ),
                    )
                    for i, (step, role, m) in enumerate(steps)
                )
            )  # fmt: skip
    for index, goal, measure, department, days, effect in resolve(
        content.MEASURES.get(code, []), lang
    ):
        await Measure.insert(
            Measure(
                org=org,
                initiative=initiative_id,
                goal=goal,
                problem=problems[index],
                measure=measure,
                department=department,
                completion_date=today + timedelta(days=days),
                expected_effect=effect,
            )
        )
    for row in resolve(content.RESISTANCE.get(code, []), lang):
        group, level, barrier, concern, cause, action, owner, days, status, outcome = row
        await ResistanceEntry.insert(
            ResistanceEntry(
                org=org,
                initiative=initiative_id,
                stakeholder_group=group,
                level=level,
                barrier=barrier,
                concern=concern,
                root_cause=cause,
                action=action,
                owner=people[owner],
                due_date=today + timedelta(days=days),
                status=status,
                outcome=outcome,
            )
        )
    if code in ("SCM-ORDER", "PUR-APPROVAL", "MKT-ACTIVATION"):
        starters = zip(STARTER_RISKS, STARTER_MANIFESTATIONS, strict=True)
        for (texts, category, likelihood, impact, mitigations), shows in starters:
            risk = (
                await Risk.insert(
                    Risk(
                        org=org,
                        initiative=initiative_id,
                        description=in_language(texts, lang),
                        category=category,
                        likelihood=likelihood,
                        impact=impact,
                        mitigation=in_language(mitigations, lang),
                        manifestation=in_language(shows, lang),
                        owner=people[2],
                    )
                )
            )[0]["id"]
            await RiskScoreChange.insert(
                RiskScoreChange(
                    org=org, risk=risk, likelihood=likelihood, impact=impact, changed_by=people[2]
                )
            )
    await seed_pilot(org, initiative_id, code, people, today, lang)


async def seed_pilot(
    org: int, initiative_id: int, code: str, people: list[int], today: date, lang: str
) -> None:
    """A pilot with its metrics before and after and satisfaction ratings; User activation's
    also with an unmet problem and feedback."""
    from tracker.pilots.tables import (
        Pilot,
        PilotFeedback,
        PilotMetric,
        SatisfactionRating,
        UnmetProblem,
    )

    if code == "MKT-ACTIVATION":
        detail = resolve(content.PILOT, lang)
        process, scope, age = detail["process"], detail["scope"], 6
        metrics, ratings = detail["metrics"], (5, 4, 4, 3, 4)
    elif code in content.PILOTS:
        process, scope, age, metrics, ratings = resolve(content.PILOTS[code], lang)
    else:
        return
    pilot = (
        await Pilot.insert(
            Pilot(
                org=org,
                initiative=initiative_id,
                process=process,
                scope=scope,
                start_date=today - timedelta(days=age),
            )
        )
    )[0]["id"]
    await PilotMetric.insert(
        *(
            PilotMetric(
                org=org,
                pilot=pilot,
                name=name,
                unit=unit,
                direction=direction,
                baseline=baseline,
                result=result,
                target=target,
            )
            for name, unit, direction, baseline, result, target in metrics
        )
    )
    await SatisfactionRating.insert(
        *(
            SatisfactionRating(org=org, pilot=pilot, score=s, rated_by=person)
            for s, person in zip(ratings, people[1:6], strict=False)
        )
    )
    if code != "MKT-ACTIVATION":
        return
    problem, cause = detail["unmet"]
    await UnmetProblem.insert(UnmetProblem(org=org, pilot=pilot, problem=problem, cause=cause))
    await PilotFeedback.insert(
        PilotFeedback(
            org=org, pilot=pilot, author=people[5], category="tool", text=detail["feedback"]
        )
    )


async def create_demo(
    today: date | None = None,
    lang: str = "en",
    slug: str = DEMO_SLUG,
    domain: str = DEMO_DOMAIN,
) -> str:
    """The demo organisation, all its texts in ``lang`` (en or zh_Hans): initiatives in every
    phase with their gate history, registers, SOPs, rollout and KPIs. Its people find their
    notifications in the app; no e-mail goes to their made-up addresses."""
    from tracker.notifications.service import without_mail

    with without_mail():
        return await _create_demo(today, lang, slug, domain)


async def _create_demo(today: date | None, lang: str, slug: str, domain: str) -> str:
    from tracker.demo_gates import seed_gates

    today = today or date.today()
    if await Organisation.exists().where(Organisation.slug == slug):
        return "The demo organisation exists already."
    password_hash = await hash_password(DEMO_PASSWORD)
    async with write_transaction():
        org = (
            await Organisation.insert(
                Organisation(name=resolve(content.ORG_NAME, lang), slug=slug, language=lang)
            )
        )[0]["id"]
        await ensure_defaults(org)
        people: list[int] = []
        for local, name, role in content.PEOPLE:
            email = f"{local}@{domain}"
            existing = await Person.select(Person.id).where(Person.email == email).first()
            if existing:
                person_id = existing["id"]
            else:
                person_id = (
                    await Person.insert(
                        Person(
                            email=email,
                            name=resolve(name, lang),
                            password_hash=password_hash,
                            language=lang,
                        )
                    )
                )[0]["id"]
            people.append(person_id)
            await Membership.insert(Membership(org=org, person=person_id, role=Role(role)))
        initiatives = []
        for item in resolve(content.INITIATIVES, lang):
            (name, code, klass, depts, owner, metric, unit, baseline, target, direction) = item[:10]
            (scope_in, scope_out, start_point, end_point, phase, status, age) = item[10:]
            start = today - timedelta(days=age)
            dept, business = code.split("-")
            values = dict(
                name=name,
                process_code=f"{dept}-{business}-{start.year}-001",
                process_class=klass,
                departments=depts,
                owner=people[owner],
                sponsor=resolve(content.SPONSOR, lang),
                goal_metric=metric,
                goal_unit=unit,
                goal_baseline=baseline,
                goal_target=target,
                goal_direction=direction,
                goal_due=start + timedelta(days=180),
                scope_in=scope_in,
                scope_out=scope_out,
                start_point=start_point,
                end_point=end_point,
                status=status,
            )
            initiative_id = await seed_initiative(org, values, start, 1, today)
            await seed_registers(org, initiative_id, code, people, today, lang)
            await seed_program(
                org, initiative_id, code, values["process_code"], people, today, lang=lang
            )
            initiatives.append((initiative_id, code, start, phase, status))
        await seed_gates(org, slug, people, initiatives, today, lang)
        await seed_monitoring(org, people[1], today, lang)
        await seed_benefits(org, people[1], today)
        await notifications.settle_demo(org)  # the made history's notifications: read
    return (
        f"Created the demo organisation at /o/{slug}/ with {len(content.INITIATIVES)} "
        f"initiatives; log in as demo@{domain} / {DEMO_PASSWORD}."
    )
