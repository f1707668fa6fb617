"""SOP documents and their versions (seeds 000–002, 004 table 4): every version keeps its
steps, RACI matrix and approvals; a published version is never changed again."""

from piccolo.columns import (
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person
from tracker.initiatives.tables import Initiative


class SopDocument(Table, tablename="sop_document"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    initiative = ForeignKey(Initiative, null=False, index=True)
    process_name = Varchar(length=200)
    number = Varchar(length=60)  # unique per organisation (raw index)
    scope = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class SopVersion(Table, tablename="sop_version"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    document = ForeignKey(SopDocument, null=False, index=True)
    major = SmallInt(default=1)
    minor = SmallInt(default=0)
    status = Varchar(length=20, default="draft")  # draft | in_review | approved | published
    scope = Text(default="")  # where the procedure applies (适用范围)
    effective_date = Date(null=True, default=None)
    author = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    change_summary = Text(default="")
    exception_handling = Text(default="")
    contingency_plan = Text(default="")
    based_on = Integer(null=True, default=None)  # the version this revision started from
    created_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    revision = Integer(default=0)  # bumps on every edit: concurrent edits are refused
    remarks = Text(default="")  # seed 004 表4 备注


class SopStep(Table, tablename="sop_step"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    version = ForeignKey(SopVersion, null=False, index=True)
    position = Integer(default=0)
    key = Varchar(length=32)  # the same step across versions (for the diff)
    name = Varchar(length=200)
    responsible = Varchar(length=200)  # department / role
    instructions = Text(default="")
    inputs = Varchar(length=500, default="")
    outputs = Varchar(length=500, default="")
    time_value = Integer(null=True, default=None)
    time_unit = Varchar(length=10, default="")  # minutes | hours | days | workdays
    control_point = Varchar(length=300, default="")
    forms_tools = Varchar(length=300, default="")
    revision = Integer(default=0)
    # seed 003 模板二: who answers for the step, who helps, and how its output is accepted
    owner = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    assistant = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    acceptance = Varchar(length=500, default="")


class SopApproval(Table, tablename="sop_approval"):
    """One level of the approval chain of a version, decided in order."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    version = ForeignKey(SopVersion, null=False, index=True)
    round = SmallInt(default=1)  # each submission for review is a new round
    level = SmallInt()
    label = Varchar(length=100)
    approver = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)  # None: any admin
    decision = Varchar(length=10, default="")  # "" pending | approved | returned
    decided_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    comment = Text(default="")


class RaciRole(Table, tablename="raci_role"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    version = ForeignKey(SopVersion, null=False, index=True)
    position = Integer(default=0)
    name = Varchar(length=100)


class RaciCell(Table, tablename="raci_cell"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    step = ForeignKey(SopStep, null=False, index=True, on_delete=OnDelete.cascade)
    role = ForeignKey(RaciRole, null=False, index=True, on_delete=OnDelete.cascade)
    letter = Varchar(length=1)  # R | A | C | I
