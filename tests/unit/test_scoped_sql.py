"""Hand-written SQL: every statement of every area's queries.py filters each tenant table it
names by the organisation, statements bind named values once compiled, and no module outside
the database layer runs SQL text of its own."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from tests.sql_scope import problems_of, scoped_problems, statements, tenant_tables
from tracker.sql import Statement, Unscoped
from tracker.tenancy import TenantScope

TRACKER = Path(__file__).resolve().parents[2] / "tracker"


def test_every_statement_of_an_area_filters_each_tenant_table_by_the_organisation() -> None:
    tenant = tenant_tables()
    found = dict(statements())
    assert len(found) >= 50, sorted(found)  # the areas' statements are all seen
    wrong = {name: p for name, s in found.items() if (p := scoped_problems(s, tenant))}
    assert not wrong, "\n".join(f"{name}: {'; '.join(p)}" for name, p in wrong.items())


def test_the_tenant_tables_are_those_with_an_organisation() -> None:
    tenant = tenant_tables()
    assert {"initiative", "phase", "gate_review", "membership", "kpi"} <= tenant
    assert not {"person", "web_session", "organisation", "login_failure"} & tenant


@pytest.mark.parametrize(
    ("sql", "problem"),
    [
        # a joined table without its own filter
        (
            "SELECT k.id, i.name FROM kpi k JOIN initiative i ON i.id = k.initiative "
            "WHERE k.org = :org",
            "initiative i is not filtered",
        ),
        # the filter on another alias does not count
        (
            "SELECT r.id FROM gate_review r JOIN review_criterion c ON c.review = r.id "
            "AND r.org = :org WHERE r.org = :org",
            "review_criterion c is not filtered",
        ),
        # a subquery's table, filtered only outside its parentheses
        (
            "SELECT i.id, (SELECT COUNT(*) FROM phase WHERE initiative = i.id) AS n "
            "FROM initiative i WHERE i.org = :org AND org = :org",
            "phase is not filtered",
        ),
        # no filter at all
        ("SELECT * FROM kpi_alert WHERE kpi = :kpi AND org = :org2", "kpi_alert is not"),
        # a value instead of the scope's organisation
        ("SELECT * FROM kpi a WHERE a.org = :other", "kpi a is not filtered"),
        # an insert naming another organisation
        (
            "INSERT INTO initiative_event (org, initiative) VALUES (:other, :initiative)",
            "gives org :other",
        ),
        ("INSERT INTO initiative_event (initiative) VALUES (:initiative)", "gives no org"),
        # an insert from a select naming another organisation, or none
        (
            "WITH m AS (SELECT 1 AS id) INSERT INTO kpi_alert (org, kpi, measurement) "
            "SELECT :other, :kpi, m.id FROM m",
            "gives org :other",
        ),
        ("INSERT INTO kpi_alert (kpi, value) SELECT :kpi, 1 FROM m", "gives no org"),
        ("INSERT INTO kpi_alert (org, kpi) SELECT :org FROM m", "gives org ?"),
        ("UPDATE gate_review SET claim = claim + 1 WHERE id = :review", "gate_review is not"),
        ("SELECT k.id FROM kpi k, initiative i WHERE k.org = :org", "comma join"),
    ],
)
def test_the_check_fails_for_a_statement_that_forgets_the_filter(sql: str, problem: str) -> None:
    problems = problems_of(sql, tenant_tables())
    assert any(problem in p for p in problems), problems


def test_the_check_reads_optional_parts_with_and_without_them() -> None:
    leaky = Statement("SELECT * FROM kpi WHERE id = :kpi [AND org = :org]")
    assert scoped_problems(leaky, tenant_tables()) == ["kpi is not filtered by org = :org"]


def test_the_check_passes_filtered_statements() -> None:
    tenant = tenant_tables()
    assert not problems_of(
        "SELECT k.id, 'FROM phase' AS x FROM kpi k JOIN initiative i ON i.id = k.initiative "
        "AND i.org = :org LEFT JOIN person p ON p.id = k.owner WHERE k.org = :org",
        tenant,
    )
    assert not problems_of(
        "INSERT INTO gate_score (org, review, value) VALUES (:org, :review, :value) "
        "ON CONFLICT DO NOTHING RETURNING id",
        tenant,
    )
    assert not problems_of(
        "WITH m AS (INSERT INTO kpi_measurement (org, kpi) VALUES (:org, :kpi) RETURNING id), "
        "a AS (INSERT INTO kpi_alert (org, kpi, measurement) SELECT :org, :kpi, m.id FROM m "
        "WHERE :alert) SELECT id FROM m",
        tenant,
    )


def test_a_statement_binds_named_values_and_the_scope_binds_the_organisation() -> None:
    s = Statement(
        "SELECT * FROM kpi k WHERE k.org = :org AND k.id = :kpi AND k.status IN (:states) "
        "AND k.created::date < :day [AND k.initiative = :initiative]"
    )
    q = s.bind(org=7, kpi=3, states=("a", "b"), day=date(2026, 1, 2), initiative=None)
    assert q.template == (
        "SELECT * FROM kpi k WHERE k.org = {} AND k.id = {} AND k.status IN ({}, {}) "
        "AND k.created::date < {} "
    )
    assert list(q.args) == [7, 3, "a", "b", date(2026, 1, 2)]
    q = s.bind(org=7, kpi=3, states=["a"], day=None, initiative=9)
    assert q.template.endswith("AND k.initiative = {}")
    assert list(q.args) == [7, 3, "a", None, 9]
    with pytest.raises(TypeError, match="no :kpj"):
        s.bind(org=7, kpj=3, states=(), day=None)
    with pytest.raises(ValueError, match=":org"):
        Statement("SELECT * FROM kpi WHERE id = :kpi")


async def test_the_caller_cannot_name_another_organisation() -> None:
    scope = TenantScope(1)
    statement = Statement("SELECT 1 FROM kpi WHERE org = :org")
    with pytest.raises(TypeError, match="org"):
        await scope.fetch(statement, org=2)
    with pytest.raises(TypeError, match="unscoped"):
        await scope.fetch(Unscoped("SELECT 1 FROM person WHERE id = :id", reason="a person"))


def test_a_statement_is_compiled_once_per_shape() -> None:
    s = Statement("SELECT * FROM kpi WHERE org = :org [AND id = :kpi]")
    for _ in range(3):
        s.bind(org=1, kpi=2)
        s.bind(org=1)
    assert len(s._cache) == 2


def test_many_rows_insert_repeats_the_values_group() -> None:
    s = Statement("INSERT INTO gate_score (org, review, value) VALUES (:org, :review, :value)")
    q = s.bind_rows([{"value": 1}, {"value": 2}], org=5, review=8)
    assert (
        q.template
        == "INSERT INTO gate_score (org, review, value) VALUES ({}, {}, {}), ({}, {}, {})"
    )
    assert list(q.args) == [5, 8, 1, 5, 8, 2]


def test_no_module_runs_sql_text_outside_the_database_layer() -> None:
    """Hand-written SQL goes through a Statement (TenantScope.fetch or sql.fetch_unscoped)."""
    offenders = []
    for path in TRACKER.rglob("*.py"):
        if path.name in ("db.py", "sql.py") and path.parent == TRACKER:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module == "tracker.db":
                names = {a.name for a in node.names} & {"fetch", "fetch_dicts"}
                if names:
                    offenders.append(f"{path.relative_to(TRACKER.parent)}: {sorted(names)}")
            if isinstance(node, ast.Attribute) and node.attr in ("fetch", "fetch_dicts"):
                if isinstance(node.value, ast.Name) and node.value.id == "db":
                    offenders.append(f"{path.relative_to(TRACKER.parent)}: db.{node.attr}")
    assert not offenders, offenders
