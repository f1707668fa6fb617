"""The problem register's hand-written statements (see tracker/sql.py)."""

from tracker.problems import rules
from tracker.sql import Statement

# COLUMNS of the service and the initiative's code and name, of the organisation or of one
# initiative: the matrix is a busy page, and building this select cost more than running it.
PROBLEMS = Statement("""
SELECT pr.id, pr.initiative, pr.title, pr.description, pr.category, pr.impact, pr.urgency,
       pr.fishbone, pr.whys, pr.owner, o.name AS "owner.name", pr.status, pr.created_at,
       pr.version, i.process_code AS "initiative.process_code", i.name AS "initiative.name"
FROM problem pr
JOIN initiative i ON i.id = pr.initiative AND i.org = :org
LEFT JOIN person o ON o.id = pr.owner
WHERE pr.org = :org [AND pr.initiative = :initiative]
ORDER BY pr.id
""")

# One initiative's problems in priority order (tracker.problems.rules.priority_key: the
# quadrant, then impact × urgency, higher first, then age), a page at a time: the register's
# list and its top 5 (``:statuses``, the live ones). The register grows without bound (a soak
# put 8,000 problems in one initiative: a 2.1 MB page rendered on every visit).
_HIGH, _RANK = rules.HIGH, rules.QUADRANT_RANK  # the rule's own threshold and order
_QUADRANT_RANK = (
    f"CASE WHEN pr.impact >= {_HIGH} AND pr.urgency >= {_HIGH} "
    f"THEN {_RANK[rules.Quadrant.DO_FIRST]} "
    f"WHEN pr.impact >= {_HIGH} THEN {_RANK[rules.Quadrant.PLAN]} "
    f"WHEN pr.urgency >= {_HIGH} THEN {_RANK[rules.Quadrant.QUICK_FIX]} "
    f"ELSE {_RANK[rules.Quadrant.DEFER]} END"
)
PRIORITY_PAGE = Statement(f"""
SELECT pr.id, pr.initiative, pr.title, pr.category, pr.impact, pr.urgency, pr.fishbone,
       pr.whys, pr.owner, o.name AS "owner.name", pr.status, pr.created_at
FROM problem pr
LEFT JOIN person o ON o.id = pr.owner
WHERE pr.org = :org AND pr.initiative = :initiative [AND pr.status IN (:statuses)]
ORDER BY {_QUADRANT_RANK}, pr.impact * pr.urgency DESC, pr.created_at, pr.id
LIMIT :limit OFFSET :offset
""")
PROBLEM_COUNT = Statement("""
SELECT COUNT(*) AS n FROM problem pr WHERE pr.org = :org AND pr.initiative = :initiative
""")

# --- the matrix, the portfolio's and an initiative's, bounded (issue 19) -----------------------
# A problem on the matrix is open or analysing. The text is the partial indexes' own predicate
# (migrations 2026-11-30T23:00, problem_live_cell, and 2026-12-01T03:00, an initiative's),
# which SQLite uses only for a query that repeats it word for word.
LIVE = "status IN ('open', 'analysing')"
CELL_LIMIT = 5  # problems shown in one cell of the portfolio matrix; "Show all N" for the rest
INITIATIVE_CELL_LIMIT = 10  # in one cell of an initiative's matrix (its own few, mostly all)
SCORES = range(1, 6)


def _cell_top(impact: int, urgency: int, limit: int, initiative: bool) -> str:
    a = f"pr{impact}{urgency}"  # an alias of its own for each cell (see tests/sql_scope.py)
    return (
        f"SELECT * FROM (SELECT {a}.id, {a}.initiative, {a}.title, {a}.impact, {a}.urgency, "
        f"{a}.status, {a}.created_at FROM problem {a} WHERE {a}.org = :org "
        f"AND {a}.impact = {impact} AND {a}.urgency = {urgency} AND {a}.{LIVE} "
        f"{f'AND {a}.initiative = :initiative ' if initiative else ''}"
        f"ORDER BY {a}.created_at, {a}.id LIMIT {limit}) AS c{impact}{urgency}"
    )


def _cell_tops(limit: int, initiative: bool) -> Statement:
    """The first ``limit`` problems of each of the 25 cells (a literal: a prepared statement's
    generic plan guesses a tenth of the rows for ``LIMIT $1``)."""
    return Statement(
        "SELECT t.*,\n"
        "  (SELECT ic.process_code FROM initiative ic WHERE ic.id = t.initiative AND ic.org = :org)"
        ' AS "initiative.process_code",\n'
        "  (SELECT iname.name FROM initiative iname WHERE iname.id = t.initiative"
        ' AND iname.org = :org) AS "initiative.name"\n'
        "FROM (\n"
        + "\nUNION ALL ".join(_cell_top(i, u, limit, initiative) for i in SCORES for u in SCORES)
        + "\n) AS t"
    )


# The first CELL_LIMIT problems of each of the 25 cells of the portfolio (or the first
# INITIATIVE_CELL_LIMIT of one initiative's), oldest first: 25 reads of the index,
# each stopping at its limit, in one round trip; each row's initiative looked up by its key
# (a join let PostgreSQL hash the organisation's every initiative for these 125 rows at most).
CELL_TOPS = _cell_tops(CELL_LIMIT, initiative=False)
INITIATIVE_CELL_TOPS = _cell_tops(INITIATIVE_CELL_LIMIT, initiative=True)

# How many problems each cell holds, or one cell's: kept by triggers in the same transaction as
# the problems (``problem_cell``, migration 2026-12-01T00:00), at most 25 rows read by their key
# whatever the size of the portfolio; a cell without a row has none.
CELL_COUNTS = Statement("""
SELECT c.impact, c.urgency, c.live AS n
FROM problem_cell c
WHERE c.org = :org [AND c.impact = :impact AND c.urgency = :urgency]
""")

# An initiative's problems per cell: counted, not kept (the portfolio's are kept, above), from
# the initiative's own range of problem_live_initiative_cell. It grows with that initiative's
# live problems alone, not the organisation's: a few microseconds at a register's usual tens;
# 16 ms at the 57,627 a 10-minute soak put into one initiative (EXPLAIN ANALYZE; there the
# initiative is the whole table and PostgreSQL scans it), still far cheaper than the grid it
# no longer renders.
INITIATIVE_CELL_COUNTS = Statement(f"""
SELECT pr.impact, pr.urgency, COUNT(*) AS n
FROM problem pr
WHERE pr.org = :org AND pr.initiative = :initiative AND pr.{LIVE}
  [AND pr.impact = :impact AND pr.urgency = :urgency]
GROUP BY pr.impact, pr.urgency
""")

# One cell's problems (of the portfolio or one initiative) a page at a time, oldest first, after
# the problem ``after`` (keyset: the page reads its own rows through the index whatever page).
CELL_PAGE = Statement(f"""
SELECT p.id, p.title, p.status, p.created_at, p.initiative, o.name AS "owner.name",
       i.process_code AS "initiative.process_code", i.name AS "initiative.name"
FROM (
  SELECT pr.id, pr.title, pr.status, pr.created_at, pr.initiative, pr.owner
  FROM problem pr
  WHERE pr.org = :org AND pr.impact = :impact AND pr.urgency = :urgency AND pr.{LIVE}
    [AND pr.initiative = :initiative]
    [AND (pr.created_at, pr.id) > (SELECT k.created_at, k.id FROM problem k
                                   WHERE k.org = :org AND k.id = :after)]
  ORDER BY pr.created_at, pr.id
  LIMIT :limit
) AS p
JOIN initiative i ON i.id = p.initiative AND i.org = :org
LEFT JOIN person o ON o.id = p.owner
ORDER BY p.created_at, p.id
""")
