"""Does a hand-written statement filter every tenant table it names by the organisation?

A small reader of our own SQL (not a general parser): string literals and quoted names are
blanked, then each table after FROM, JOIN, UPDATE or DELETE FROM must have ``<alias>.org =
:org`` somewhere in the statement (an alias is unique in our statements), or, without an
alias, ``org = :org`` in the same parenthesised SELECT; INSERT INTO a tenant table must give
its ``org`` column ``:org`` (in each VALUES row, or as the item of its INSERT … SELECT list).
A comma join is refused (write JOIN … ON).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import tracker
from tracker.sql import Statement, Unscoped

KEYWORDS = {
    "where", "join", "left", "right", "inner", "outer", "full", "cross", "natural", "on",
    "set", "order", "group", "limit", "values", "using", "returning", "union", "having",
    "window", "offset", "as",
}  # fmt: skip
_REF = re.compile(r"\b(from|join|update|into)\s+([a-z_][a-z0-9_]*)\b")
_WORD = re.compile(r"\s*(?:as\s+)?([a-z_][a-z0-9_]*)")


def tenant_tables() -> set[str]:
    from tracker.piccolo_app import APP_CONFIG

    return {
        t._meta.tablename
        for t in APP_CONFIG.table_classes
        if "org" in {c._meta.name for c in t._meta.columns}
    }


def _blank(sql: str) -> str:
    """Lower case, literals and quoted names blanked (their length kept)."""
    sql = re.sub(r"'(?:[^']|'')*'", lambda m: "'" + " " * (len(m.group()) - 2) + "'", sql)
    sql = re.sub(r'"[^"]*"', lambda m: '"' + " " * (len(m.group()) - 2) + '"', sql)
    return sql.lower()


def _enclosing(sql: str, at: int) -> tuple[int, int]:
    """The span of the innermost parentheses around position ``at`` (else the whole)."""
    depth, start = 0, 0
    for i in range(at - 1, -1, -1):
        if sql[i] == ")":
            depth += 1
        elif sql[i] == "(":
            if depth == 0:
                start = i + 1
                break
            depth -= 1
    depth, end = 0, len(sql)
    for i in range(at, len(sql)):
        if sql[i] == "(":
            depth += 1
        elif sql[i] == ")":
            if depth == 0:
                end = i
                break
            depth -= 1
    return start, end


def _same_level(sql: str, start: int, end: int) -> str:
    """The text between start and end with every nested parenthesis blanked."""
    out, depth = [], 0
    for ch in sql[start:end]:
        if ch == "(":
            depth += 1
        out.append(ch if depth == 0 else " ")
        if ch == ")":
            depth -= 1
    return "".join(out)


def _split_top(text: str) -> list[str]:
    items, depth, cur = [], 0, []
    for ch in text:
        if ch == "," and depth == 0:
            items.append("".join(cur).strip())
            cur = []
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur.append(ch)
    items.append("".join(cur).strip())
    return items


def _insert_select_problems(sql: str, table: str, columns: list[str], at: int) -> list[str]:
    """INSERT INTO t (columns) SELECT …: the select list's item for ``org`` must be ``:org``
    (its FROM names no tenant table: checked as every FROM is)."""
    if "org" not in columns:
        return [f"INSERT INTO {table} gives no org"]
    level = _same_level(sql, at, _enclosing(sql, at)[1])
    end = re.search(r"\bfrom\b", level)
    items = _split_top(sql[at : at + end.start()] if end else sql[at : at + len(level)])
    given = items[columns.index("org")] if len(items) == len(columns) else "?"
    return [] if given == ":org" else [f"INSERT INTO {table} gives org {given}"]


def _insert_problems(sql: str, table: str, at: int) -> list[str]:
    chosen = re.compile(r"\s*\(([^()]*)\)\s*select\s+").match(sql, at)
    if chosen:
        columns = [c.strip() for c in chosen.group(1).split(",")]
        return _insert_select_problems(sql, table, columns, chosen.end())
    m = re.compile(r"\s*\(([^()]*)\)\s*values\s*").match(sql, at)
    if not m:
        return [f"INSERT INTO {table} without (columns) VALUES or SELECT"]
    columns = [c.strip() for c in m.group(1).split(",")]
    if "org" not in columns:
        return [f"INSERT INTO {table} gives no org"]
    rest = sql[m.end() :]
    problems = []
    # every VALUES row, each a top-level parenthesis
    depth, row_start = 0, None
    for i, ch in enumerate(rest):
        if ch == "(":
            if depth == 0:
                row_start = i + 1
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and row_start is not None:
                values = _split_top(rest[row_start:i])
                if values[columns.index("org")] != ":org":
                    problems.append(f"INSERT INTO {table} gives org {values[columns.index('org')]}")
                row_start = None
        elif depth == 0 and rest[i:].lstrip().startswith(("on ", "returning")):
            break
    return problems


def problems_of(sql: str, tenant: set[str]) -> list[str]:
    """What is wrong with one statement's text (empty: every tenant table is filtered)."""
    sql = _blank(sql)
    problems: list[str] = []
    for m in _REF.finditer(sql):
        kind, table = m.group(1), m.group(2)
        word = _WORD.match(sql, m.end())
        alias = word.group(1) if word and word.group(1) not in KEYWORDS else None
        after = word.end() if word and alias else m.end()
        if kind != "into" and sql[after:].lstrip().startswith(","):
            problems.append(f"comma join after {table}: write JOIN … ON")
        if table not in tenant:
            continue
        if kind == "into":
            problems += _insert_problems(sql, table, m.end())
            continue
        if alias:
            if not re.search(rf"\b{alias}\.org\s*=\s*:org\b|:org\s*=\s*{alias}\.org\b", sql):
                problems.append(f"{table} {alias} is not filtered by {alias}.org = :org")
            continue
        level = _same_level(sql, *_enclosing(sql, m.start()))
        if not re.search(rf"(?<![\w.])(?:{table}\.)?org\s*=\s*:org\b", level):
            problems.append(f"{table} is not filtered by org = :org")
    return problems


def area_query_modules() -> Iterator[object]:
    """Every ``tracker.<area>.queries`` module."""
    for info in pkgutil.iter_modules(tracker.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"tracker.{info.name}.queries")
            except ModuleNotFoundError as error:
                if error.name != f"tracker.{info.name}.queries":
                    raise


def statements() -> Iterator[tuple[str, Statement]]:
    """(module.NAME, statement) of every statement kept in an area's queries.py."""
    for module in area_query_modules():
        for name, value in vars(module).items():
            if isinstance(value, Statement):
                yield f"{module.__name__}.{name}", value


def scoped_problems(statement: Statement, tenant: set[str]) -> list[str]:
    if isinstance(statement, Unscoped):
        return []
    return [p for text in statement.variants() for p in problems_of(text, tenant)]
