"""What the SOP modules share: the shipped RACI roles and admin level, the conflict a
state change loses, and the guard that a version is still a draft."""

from __future__ import annotations

from typing import Any

from tracker.errors import Conflict
from tracker.i18n import gettext as _
from tracker.sops import rules
from tracker.sops.tables import (
    SopVersion,
)
from tracker.tenancy import TenantScope

# The RACI roles of a new SOP, as (English, Chinese): given in the organisation's language.
DEFAULT_ROLES = (
    ("Process owner", "流程负责人"),
    ("Operator", "执行岗"),
    ("Manager", "部门经理"),
    ("Quality", "质量"),
)
# The approval level of an organisation without an approval chain (any admin decides).
ADMIN_LEVEL = ("Administrator", "管理员")


class SopConflict(Conflict):
    """The version moved on (someone else acted first) or is not editable (409)."""


async def require_draft(scope: TenantScope, version_id: int) -> dict[str, Any]:
    row = await scope.get(SopVersion, version_id, SopVersion.id, SopVersion.status)
    if not rules.may_edit(row["status"]):
        raise SopConflict(_("Only a draft can be edited; start a revision to change it."))
    return row
