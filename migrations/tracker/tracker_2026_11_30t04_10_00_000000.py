"""Weekly digests are keyed by their ISO week (W2026-W48), no longer by the date they were
sent (W2026-11-25): the date changed with the weekday, so moving the digest day within a
week made a second digest that week (issue 14, defect 2). Existing weekly keys are
rewritten so that the first run after this release finds this week's digest made. Should a
person already have two weekly digests in one ISO week (a weekday changed before), the
first keeps the new key and the other keeps its old one."""

from datetime import date
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-30T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "weekly digest keys by ISO week"


def iso_week_key(old: str) -> str | None:
    """W2026-11-25 → W2026-W48; None for a key that is not an old weekly one."""
    try:
        day = date.fromisoformat(old[1:])
    except ValueError:
        return None
    year, week, _ = day.isocalendar()
    return f"W{year}-W{week:02d}"


async def weekly_keys_by_iso_week(engine: Any = None) -> None:
    engine = engine or engine_finder()
    rows = await engine.run_ddl(
        "SELECT id, org, person, period_key FROM digest WHERE period_key LIKE 'W%' ORDER BY id"
    )
    taken = {(r["org"], r["person"], r["period_key"]) for r in rows or []}
    for row in rows or []:
        new = iso_week_key(row["period_key"])
        if new is None or (row["org"], row["person"], new) in taken:
            continue
        taken.add((row["org"], row["person"], new))
        await engine.run_ddl(f"UPDATE digest SET period_key = '{new}' WHERE id = {int(row['id'])}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)
    manager.add_raw(weekly_keys_by_iso_week)
    return manager
