"""The initiative area's hand-written statements (see tracker/sql.py): the board, the
initiative every initiative page shows, its phases, and its history (written by the gates,
the KPIs and others). Hand-written because building them cost more than running them."""

from tracker.sql import Statement

# The board's filter as optional parts on the initiative ``i``, for every page that filters the
# portfolio as the board does (the roadmap, the benefits roll-up); its values are
# ``tracker.initiatives.board.filter_values``.
BOARD_FILTER = (
    "[AND i.status = :status] [AND i.owner = :owner] [AND i.process_class = :process_class] "
    "[AND LOWER(i.departments) LIKE :department] "
    "[AND (LOWER(i.name) LIKE :q OR LOWER(i.process_code) LIKE :q)]"
)

# The board's order within a column: overdue first (its phase's planned end passed), then
# blocked, then at risk, then by code. A card's column, due day and phase start are on the
# initiative (``board_phase``, ``board_due``, ``board_since``: migration 2026-11-30T21:00), with
# two indexes: ``initiative_board`` (org, board_phase, RANK, process_code) gives a column's
# cards in order, ``initiative_board_due`` (org, board_phase, board_due) its overdue ones. RANK
# is the index's expression, written alike.
RANK = "(CASE i.status WHEN 'blocked' THEN 0 WHEN 'at_risk' THEN 1 ELSE 2 END)"
PHASE_NUMBERS = range(1, 7)
# Up to this many overdue cards in a column are read all at once and sorted; more, and the
# first ones are read in order (see ``_board_pg``).
FEW_OVERDUE = 200
_CARD = (
    "i.id, i.process_code, i.name, i.status, i.owner, i.board_phase, i.board_due, "
    f"i.board_since, {RANK} AS card_rank"
)
_OVERDUE = "i.board_due < :today"
_ON_TIME = "(i.board_due IS NULL OR i.board_due >= :today)"
# A card's badges, probed per card through ``gate_review_initiative`` and
# ``gate_condition_initiative``. A scalar ``LIMIT 1``, not ``EXISTS``: PostgreSQL turns an
# ``EXISTS`` into one hashed scan of all the organisation's open reviews when most initiatives
# have one (at 10,000 initiatives: the board's statement 4.0 ms against 1.2 ms, medians of 290
# runs behind the wall; at 500 the same).
_BADGES = """
       (SELECT 1 FROM gate_review r
        WHERE r.initiative = c.id AND r.org = :org
          AND r.status IN (:open_states) LIMIT 1) IS NOT NULL AS review_open,
       (SELECT COUNT(*) FROM gate_condition gc
        WHERE gc.initiative = c.id AND gc.org = :org AND gc.closed_at IS NULL)
         AS open_conditions"""


def _cards(phase: str, overdue: bool, filtered: bool, first: str = "", gate: str = "") -> str:
    """A column's overdue cards or those on time (only while ``gate`` holds); the ``first``
    ones in the board's order."""
    order = f" ORDER BY {RANK}, i.process_code LIMIT {first}" if first else ""
    return (
        f"SELECT {_CARD}, {0 if overdue else 1} AS on_time FROM initiative i "
        f"WHERE i.org = :org AND i.board_phase = {phase} AND {_OVERDUE if overdue else _ON_TIME}"
        f"{' AND ' + gate if gate else ''} {BOARD_FILTER if filtered else ''}{order}"
    )


def _counts(filtered: bool) -> str:
    """Each column's count: kept by triggers (``board_column``, migration 2026-11-30T21:10),
    or, with a filter, of the initiatives that match it."""
    if filtered:
        return (
            "LEFT JOIN (SELECT i.board_phase AS phase, COUNT(*) AS total FROM initiative i "
            f"WHERE i.org = :org {BOARD_FILTER} GROUP BY i.board_phase) AS counted "
            "ON counted.phase = c.board_phase"
        )
    return "LEFT JOIN board_column counted ON counted.org = :org AND counted.phase = c.board_phase"


def _board_pg(filtered: bool, few: int = FEW_OVERDUE) -> Statement:
    """PostgreSQL: per column (``:limit_<n>`` cards, 0 for a column not wanted), its overdue
    cards counted up to FEW_OVERDUE through their index; few, they are all read and sorted,
    many, the first ones are read in order (they are dense there); the cards on time are read
    in order only when the overdue ones do not fill the column (few are skipped then). So a
    column reads about ``limit`` cards whether none, some or all of them are overdue."""
    columns = ", ".join(f"({n}, CAST(:limit_{n} AS INTEGER))" for n in PHASE_NUMBERS)
    probe = (
        "SELECT COUNT(*) AS overdue FROM (SELECT 1 FROM initiative i WHERE i.org = :org "
        f"AND i.board_phase = col.phase AND {_OVERDUE} {BOARD_FILTER if filtered else ''} "
        f"LIMIT {few}) AS o"
    )
    kinds = " UNION ALL ".join(
        f"({_cards('col.phase', overdue, filtered, first, gate)})"
        for overdue, first, gate in (
            (True, "", f"probe.overdue < {few}"),
            (True, "col.shown", f"probe.overdue >= {few}"),
            (False, "col.shown", "probe.overdue < col.shown"),
        )
    )
    return Statement(f"""
SELECT c.id, c.process_code, c.name, c.status, c.board_phase AS phase_no,
       p.name AS owner_name, c.board_since, c.board_due, counted.total,{_BADGES}
FROM (VALUES {columns}) AS col (phase, shown)
CROSS JOIN LATERAL ({probe}) AS probe
CROSS JOIN LATERAL (
  SELECT * FROM ({kinds}) AS kinds
  ORDER BY on_time, card_rank, process_code LIMIT col.shown
) AS c
LEFT JOIN person p ON p.id = c.owner
{_counts(filtered)}
ORDER BY c.board_phase, c.on_time, c.card_rank, c.process_code
""")


def _board_lite(filtered: bool) -> Statement:
    """SQLite (no LATERAL): per column, its first overdue cards and its first on time (the
    planner takes the overdue ones through their index), cut per column."""
    firsts = " UNION ALL ".join(
        f"SELECT * FROM ({_cards(str(n), overdue, filtered, f':limit_{n}')}) AS c{n}{overdue:d}"
        for n in PHASE_NUMBERS
        for overdue in (True, False)
    )
    shown = " ".join(f"WHEN {n} THEN :limit_{n}" for n in PHASE_NUMBERS)
    return Statement(f"""
SELECT c.id, c.process_code, c.name, c.status, c.board_phase AS phase_no,
       p.name AS owner_name, c.board_since, c.board_due, counted.total,{_BADGES}
FROM (
  SELECT u.*, ROW_NUMBER() OVER (
           PARTITION BY u.board_phase ORDER BY u.on_time, u.card_rank, u.process_code
         ) AS position
  FROM ({firsts}) AS u
) AS c
LEFT JOIN person p ON p.id = c.owner
{_counts(filtered)}
WHERE c.position <= CASE c.board_phase {shown} END
ORDER BY c.board_phase, c.position
""")


BOARD = _board_pg(filtered=False)
BOARD_FILTERED = _board_pg(filtered=True)
BOARD_LITE = _board_lite(filtered=False)
BOARD_FILTERED_LITE = _board_lite(filtered=True)

# People who may own an initiative: the organisation's members of the given roles.
OWNER_CHOICES = Statement(
    'SELECT p.id AS "person.id", p.name AS "person.name" FROM membership m '
    "JOIN person p ON p.id = m.person WHERE m.org = :org AND m.role IN (:roles) "
    "ORDER BY p.name, p.id"
)
# The organisation's distinct departments, one index step each (``initiative_departments``),
# not a read of every initiative.
_DEPARTMENTS = """
WITH RECURSIVE d (departments) AS (
  SELECT MIN(i.departments) FROM initiative i WHERE i.org = :org
  UNION ALL
  SELECT (SELECT MIN(i.departments) FROM initiative i
          WHERE i.org = :org AND i.departments > d.departments)
  FROM d WHERE d.departments IS NOT NULL
)"""
DEPARTMENTS = Statement(f"{_DEPARTMENTS} SELECT departments FROM d WHERE departments IS NOT NULL")
# The board's filter form's choices in one round trip: the people who may own an initiative
# (as OWNER_CHOICES, by name) and the departments.
FILTER_CHOICES = Statement(f"""{_DEPARTMENTS}
SELECT p.id AS "person.id", p.name AS "person.name", NULL AS departments
FROM membership m JOIN person p ON p.id = m.person
WHERE m.org = :org AND m.role IN (:roles)
UNION ALL
SELECT NULL, NULL, departments FROM d WHERE departments IS NOT NULL
ORDER BY 2, 1
""")

# The initiative page, its edit form and most registers' pages read the initiative this way.
INITIATIVE = Statement("""
SELECT i.id, i.name, i.process_code, i.process_class, i.departments, i.owner,
       o.name AS "owner.name", i.sponsor, i.goal_metric, i.goal_unit, i.goal_baseline,
       i.goal_target, i.goal_direction, i.goal_due, i.scope_in, i.scope_out, i.start_point,
       i.end_point, i.status, i.start_date, ph.number AS "current_phase.number", i.version,
       i.updated_at
FROM initiative i
LEFT JOIN person o ON o.id = i.owner
LEFT JOIN phase ph ON ph.id = i.current_phase AND ph.org = :org
WHERE i.org = :org AND i.id = :initiative
""")
PHASES = Statement(
    "SELECT * FROM phase WHERE org = :org AND initiative = :initiative ORDER BY number"
)

# The initiative's history: one event (the gates, sustainment decisions and others write it).
INSERT_EVENT = Statement(
    "INSERT INTO initiative_event (org, initiative, at, actor, kind, detail) "
    "VALUES (:org, :initiative, :at, :actor, :kind, :detail)"
)
