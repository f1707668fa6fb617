"""Rollout waves, training sessions and assessment results (seeds 000, 004 phase 5)."""

from piccolo.columns import Date, ForeignKey, Serial, SmallInt, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person
from tracker.initiatives.tables import Initiative


class RolloutWave(Table, tablename="rollout_wave"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    scope = Varchar(length=200)  # departments, regions or weeks of this wave
    start_date = Date()
    end_date = Date()
    owner = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=20, default="planned")  # planned | in_progress | done
    created_at = Timestamptz(default=TimestamptzNow())


class TrainingSession(Table, tablename="training_session"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    wave = ForeignKey(RolloutWave, null=True, on_delete=OnDelete.set_null)
    held_on = Date()
    trainer = Varchar(length=200)
    topic = Varchar(length=200, default="")


class TrainingResult(Table, tablename="training_result"):
    """One attendee of a session and the assessment score (None: not assessed yet)."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    session = ForeignKey(TrainingSession, null=False, index=True, on_delete=OnDelete.cascade)
    attendee = Varchar(length=200)
    score = SmallInt(null=True, default=None)
