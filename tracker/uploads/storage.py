"""The files an organisation keeps, within its storage quota (``TRACKER_UPLOAD_QUOTA_MB``,
default 100 MB per organisation): imports keep the file they came from; attachments are to
keep theirs the same way."""

from __future__ import annotations

import hashlib
import mimetypes
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from tracker.i18n import gettext as _
from tracker.settings import get_settings
from tracker.tenancy import TenantScope
from tracker.uploads.tables import StoredFile

MB = 1024 * 1024
MAX_FILES = 1000  # per organisation, whatever their sizes


def quota_bytes() -> int:
    return get_settings().upload_quota_mb * MB


def megabytes(size: int) -> str:
    return f"{size / MB:.1f}"


class QuotaExceeded(Exception):
    """The file does not fit in the organisation's quota; ``message`` says so, translated."""

    def __init__(self, used: int, quota: int, size: int) -> None:
        super().__init__(used, quota, size)
        self.used, self.quota, self.size = used, quota, size

    @property
    def message(self) -> str:
        if self.size == 0:
            return _(
                "Your organisation keeps %(n)s files, the most it may. An admin can remove kept "
                "files under Settings › Uploaded files.",
                n=MAX_FILES,
            )
        return _(
            "Your organisation's storage for uploaded files is full: %(used)s of %(quota)s MB "
            "used, and this file needs %(size)s MB. An admin can remove kept files under "
            "Settings › Uploaded files.",
            used=megabytes(self.used),
            quota=megabytes(self.quota),
            size=megabytes(self.size),
        )


async def usage(scope: TenantScope) -> int:
    row = await scope.select(StoredFile, Sum(StoredFile.size).as_alias("used")).first()
    return int((row or {}).get("used") or 0)


async def ensure_room(scope: TenantScope, size: int) -> None:
    """Raise QuotaExceeded unless one more file of ``size`` bytes fits (bytes and count)."""
    row = await scope.select(
        StoredFile, Sum(StoredFile.size).as_alias("used"), Count().as_alias("files")
    ).first()
    used, files, quota = int(row["used"] or 0), int(row["files"] or 0), quota_bytes()
    if used + size > quota:
        raise QuotaExceeded(used, quota, size)
    if files >= MAX_FILES:
        raise QuotaExceeded(used, quota, 0)


async def keep(
    scope: TenantScope,
    kind: str,
    filename: str,
    data: bytes,
    person_id: int | None,
    checked: bool = False,
) -> int:
    """Keep a checked file for the organisation; raises QuotaExceeded when it does not fit
    (``checked``: the caller called ``ensure_room`` before its own writes)."""
    if not checked:
        await ensure_room(scope, len(data))
    name = "".join(c for c in filename if c.isprintable())[-255:] or "file"
    rows = await scope.insert(
        StoredFile,
        {
            "kind": kind,
            "filename": name,
            "media_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "content": data,
            "created_by": person_id,
        },
    )
    return int(rows[0]["id"])


async def files(scope: TenantScope) -> list[dict[str, Any]]:
    columns = [c for c in StoredFile.all_columns() if c._meta.name != "content"]
    return await scope.select(StoredFile, *columns, StoredFile.created_by.name).order_by(  # type: ignore[no-any-return]
        StoredFile.created_at, ascending=False
    )


async def remove(scope: TenantScope, file_id: int) -> None:
    await scope.get(StoredFile, file_id, StoredFile.id)  # 404 for another organisation's
    await scope.delete(StoredFile, StoredFile.id == file_id)
