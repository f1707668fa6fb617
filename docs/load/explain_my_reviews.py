"""EXPLAIN (ANALYZE, BUFFERS) of "My reviews" behind the tenant wall (issue 19): its two
statements (the three lists' first pages; their totals) and a list's next page, as they were
before migration 2026-12-01T01:00 (read from the reviews, their reviewers, votes and approval
steps: copied below) and as they are (``review_waiting``, ``review_waiting_count``), taking
turns, three rounds of ``--runs`` each, medians; then what the kept rows cost a vote (its
INSERT with the deferred triggers run at once, rolled back).

Run it on a copy of a load-benchmark seed, migrated:

    createdb -h 127.0.0.1 -U root -T bb_seed_1x10000 mine_$$
    DATABASE_URL=postgresql://root@127.0.0.1/mine_$$ .venv/bin/python -m tracker.cli migrate
    .venv/bin/python docs/load/explain_my_reviews.py mine_$$ [--voted]

``--voted``: the person has voted on all but the last three open reviews (the votes are
deleted again at the end): a short list among many open reviews. The tables read are vacuumed
first (and after the votes), so that dead row versions of earlier runs count in neither."""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import asyncpg

from tracker.gates import queries as q
from tracker.sql import Statement

CHAIR = "CAST(CAST({r}.rule_snapshot AS jsonb) ->> 'chair' AS integer)"


def _waiting(kind: str, r: str) -> str:  # before: the lists' conditions on the reviews
    if kind == "vote":
        return (
            f"{r}.org = :org AND {r}.status = 'open' AND EXISTS (SELECT 1 FROM review_assignment "
            f"a{r} WHERE a{r}.org = :org AND a{r}.review = {r}.id AND a{r}.reviewer = :person) "
            f"AND NOT EXISTS (SELECT 1 FROM gate_vote v{r} WHERE v{r}.org = :org "
            f"AND v{r}.review = {r}.id AND v{r}.reviewer = :person)"
        )
    if kind == "chair":
        return (
            f"{r}.org = :org AND {r}.status = 'awaiting_chair' [AND {CHAIR.format(r=r)} = :chair]"
        )
    return (
        f"{r}.org = :org AND {r}.status = 'approving' AND EXISTS (SELECT 1 FROM approval_step "
        f"s{r} WHERE s{r}.org = :org AND s{r}.review = {r}.id AND s{r}.status = 'pending' "
        f"AND s{r}.approver = :person AND NOT EXISTS (SELECT 1 FROM approval_step e{r} "
        f"WHERE e{r}.org = :org AND e{r}.review = {r}.id AND e{r}.status = 'pending' "
        f"AND e{r}.level < s{r}.level))"
    )


def _rows(kind: str, r: str, cursor: bool) -> str:
    after = (
        f" [AND ({r}.due_date, {r}.id) > (SELECT k{r}.due_date, k{r}.id FROM gate_review k{r} "
        f"WHERE k{r}.org = :org AND k{r}.id = :after)]"
        if cursor
        else ""
    )
    return (
        f"SELECT '{kind}' AS waiting, {r}.id, {r}.gate, {r}.due_date, {r}.initiative "
        f"FROM gate_review {r} WHERE {_waiting(kind, r)}{after} "
        f"ORDER BY {r}.due_date, {r}.id LIMIT :limit"
    )


def _named(rows: str) -> str:
    return (
        "SELECT w.*, (SELECT ic.process_code FROM initiative ic WHERE ic.id = w.initiative "
        'AND ic.org = :org) AS "initiative.process_code", (SELECT iname.name FROM initiative '
        'iname WHERE iname.id = w.initiative AND iname.org = :org) AS "initiative.name" '
        f"FROM ({rows}) AS w ORDER BY w.due_date, w.id"
    )


BEFORE = {
    "lists (first pages)": Statement(
        _named(
            " UNION ALL ".join(
                f"SELECT * FROM ({_rows(kind, f'r{kind[0]}', False)}) AS w{kind[0]}"
                for kind in q.WAITING_KINDS
            )
        )
    ),
    "totals": Statement(
        "SELECT "
        + ", ".join(
            f"(SELECT count(*) FROM gate_review n{k[0]} WHERE {_waiting(k, f'n{k[0]}')}) AS {k}"
            for k in q.WAITING_KINDS
        )
    ),
    "vote list, page 2": Statement(_named(_rows("vote", "r", True))),
}
AFTER = {
    "lists (first pages)": q.WAITING,
    "totals": q.WAITING_COUNTS,
    "vote list, page 2": q.PAGES["vote"],
}


def _sql(statement: Statement, **values: Any) -> tuple[str, list[Any]]:
    bound = statement.bind(**values)
    numbers = iter(range(1, 1000))
    return re.sub(r"\{\}", lambda _: f"${next(numbers)}", bound.template), list(bound.args)


async def _explain(c: asyncpg.Connection, org: int, person: int, sql: str, args: list) -> str:
    async with c.transaction():
        await c.execute("SET LOCAL ROLE tracker_app")
        await c.execute(
            "SELECT set_config('app.tenant_id', $1, true), set_config('app.person_id', $2, true)",
            str(org),
            str(person),
        )
        rows = await c.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
        await c.execute("RESET ROLE")
    return "\n".join(r[0] for r in rows)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--org", type=int, default=1)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--voted", action="store_true")
    args = parser.parse_args()
    c = await asyncpg.connect(host=args.host, user="root", database=args.database)
    org = args.org
    person = await c.fetchval(
        "SELECT person FROM membership WHERE org = $1 AND role = 'admin' ORDER BY id LIMIT 1", org
    )
    tables = (
        "gate_review",
        "review_assignment",
        "gate_vote",
        "review_waiting",
        "review_waiting_count",
    )
    vacuum = f"VACUUM ANALYZE {', '.join(tables)}"
    await c.execute(vacuum)
    voted: list[int] = []
    try:
        if args.voted:
            voted = [
                r["id"]
                for r in await c.fetch(
                    "INSERT INTO gate_vote (org, review, reviewer, vote) "
                    "SELECT r.org, r.id, $2, 'go' FROM gate_review r WHERE r.org = $1 "
                    "AND r.status = 'open' AND r.id NOT IN (SELECT id FROM gate_review "
                    "WHERE org = $1 AND status = 'open' ORDER BY due_date DESC, id DESC LIMIT 3) "
                    "RETURNING id",
                    org,
                    person,
                )
            ]
            await c.execute(vacuum)
        after = await c.fetchval(
            "SELECT id FROM gate_review WHERE org = $1 AND status = 'open' "
            "ORDER BY due_date, id OFFSET 49 LIMIT 1",
            org,
        )
        values = {"org": org, "person": person, "chair": None, "limit": 51}
        times: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
        for _ in range(3):
            for when, statements in (("before", BEFORE), ("after", AFTER)):
                for name, statement in statements.items():
                    wanted = {k: v for k, v in values.items() if f":{k}" in statement.sql}
                    if when == "after" and "chair" in wanted:
                        wanted["chair"] = 0  # an admin's chair list is person 0's
                    if ":after" in statement.sql:
                        wanted["after"] = after
                    sql, bound = _sql(statement, **wanted)
                    for _ in range(args.runs):
                        plan = await _explain(c, org, person, sql, bound)
                        times.setdefault((name, when), []).append(
                            (
                                float(re.search(r"Planning Time: ([\d.]+)", plan).group(1)),
                                float(re.search(r"Execution Time: ([\d.]+)", plan).group(1)),
                                int(re.search(r"Buffers: shared hit=(\d+)", plan).group(1)),
                            )
                        )
        print(f"{args.database}, organisation {org}, person {person}" + (" (voted)" * args.voted))
        for (name, when), runs in times.items():
            planning = statistics.median(t[0] for t in runs)
            execution = statistics.median(t[1] for t in runs)
            print(
                f"  {name:20} {when:6}  execution {execution:7.3f} ms  planning "
                f"{planning:6.3f} ms  buffers {runs[-1][2]:5}  (median of {len(runs)})"
            )
        await _vote_cost(c, org)
    finally:
        if voted:
            await c.execute("DELETE FROM gate_vote WHERE id = ANY($1::int[])", voted)
            await c.execute(vacuum)
        await c.close()


async def _vote_cost(c: asyncpg.Connection, org: int) -> None:
    """A vote's INSERT with the deferred triggers run at once, each rolled back."""
    votes = await c.fetch(
        "SELECT a.review, a.reviewer FROM review_assignment a JOIN gate_review r "
        "ON r.id = a.review WHERE r.org = $1 AND r.status = 'open' AND NOT EXISTS "
        "(SELECT 1 FROM gate_vote v WHERE v.review = a.review AND v.reviewer = a.reviewer) "
        "ORDER BY a.id LIMIT 41",
        org,
    )
    kept = []
    for vote in votes:
        savepoint = c.transaction()
        await savepoint.start()
        await c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        plan = "\n".join(
            r[0]
            for r in await c.fetch(
                "EXPLAIN (ANALYZE) INSERT INTO gate_vote (org, review, reviewer, vote) "
                "VALUES ($1, $2, $3, 'go')",
                org,
                vote["review"],
                vote["reviewer"],
            )
        )
        await c.execute("SET CONSTRAINTS ALL DEFERRED")
        await savepoint.rollback()
        kept.append(float(re.search(r"review_waiting: time=([\d.]+)", plan).group(1)))
    print(
        f"  a vote's kept rows (trigger review_waiting): median {statistics.median(kept):.3f} ms "
        f"of {len(kept)} votes"
    )


if __name__ == "__main__":
    asyncio.run(main())
