"""The files an organisation keeps, within its storage quota (``TRACKER_UPLOAD_QUOTA_MB``,
default 100 MB per organisation): imports keep the file they came from; attachments are to
keep theirs the same way, with their bytes in a back-end of ``blobs`` (``keep_stream``)."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import AsyncIterator
from typing import IO, Any

from piccolo.query.functions.aggregate import Count, Sum

from tracker.i18n import gettext as _
from tracker.settings import get_settings
from tracker.tenancy import TenantScope
from tracker.uploads import blobs
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
    name = clean_name(filename)
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


async def keep_stream(
    scope: TenantScope,
    kind: str,
    filename: str,
    source: IO[bytes],
    size: int,
    sha256: str,
    media_type: str,
    person_id: int | None,
) -> int:
    """Keep a checked file that is too large to hold in memory: its row, and its bytes in the
    back-end the settings choose (``blobs``), read from ``source`` chunk by chunk. The caller
    runs it in a transaction and has called ``ensure_room``."""
    store = blobs.for_new_files()
    rows = await scope.insert(
        StoredFile,
        {
            "kind": kind,
            "filename": clean_name(filename),
            "media_type": media_type,
            "size": size,
            "sha256": sha256,
            "content": b"",
            "storage": store.name,
            "created_by": person_id,
        },
    )
    file_id = int(rows[0]["id"])
    await store.put(scope, file_id, sha256, source)
    return file_id


def clean_name(filename: str) -> str:
    """A file name as kept: printable characters only, no folders, at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable()).strip()[-255:] or "file"


def read(scope: TenantScope, row: dict[str, Any]) -> AsyncIterator[bytes]:
    """The bytes of a kept file (a row with id, storage, sha256), chunk by chunk."""
    return blobs.of(row["storage"]).read(scope, row["id"], row["sha256"])


async def files(scope: TenantScope) -> list[dict[str, Any]]:
    columns = [c for c in StoredFile.all_columns() if c._meta.name != "content"]
    return await scope.select(StoredFile, *columns, StoredFile.created_by.name).order_by(  # type: ignore[no-any-return]
        StoredFile.created_at, ascending=False
    )


class AttachedFile(Exception):
    """The file is an attachment: it is removed where it is attached (with that rule)."""


async def remove(scope: TenantScope, file_id: int, attachment: bool = False) -> None:
    """Remove a kept file and its bytes; an attachment only through its attachment."""
    row = await scope.get(  # 404 for another organisation's
        StoredFile, file_id, StoredFile.id, StoredFile.kind, StoredFile.storage, StoredFile.sha256
    )
    if row["kind"] == "attachment" and not attachment:
        raise AttachedFile()
    if row["storage"]:
        await blobs.of(row["storage"]).remove(scope, file_id, row["sha256"])
    await scope.delete(StoredFile, StoredFile.id == file_id)
