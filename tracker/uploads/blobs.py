"""Where the bytes of a large kept file live: one interface, two back-ends.

- ``DatabaseBlobs`` (the default): chunk rows of at most ``CHUNK`` bytes in
  ``stored_file_chunk``, written and read one chunk at a time, so neither PostgreSQL nor SQLite
  holds the whole file in one value and the app never holds it in memory; every replica reads
  them with no other service.
- ``DirectoryBlobs`` (``ATTACHMENTS_DIR``): a file per content under
  ``<dir>/<organisation>/<sha256[:2]>/<sha256>``, written to a temporary name and renamed
  (atomic), shared by the organisation's kept files of the same content and removed with the
  last of them. For a single server with a large disk.

The back-end of new files is chosen in ``tracker.settings.Settings`` only; each kept file
records its own (``stored_file.storage``), so files written before a change stay readable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Protocol

import anyio
import anyio.to_thread

from tracker.settings import get_settings
from tracker.tenancy import TenantScope
from tracker.uploads.tables import StoredFile, StoredFileChunk

CHUNK = 512 * 1024


class Blobs(Protocol):
    name: str  # the value of ``stored_file.storage``

    async def put(self, scope: TenantScope, file_id: int, sha256: str, source: IO[bytes]) -> None:
        """Keep the bytes of ``source`` (read from its start) for the kept file."""

    def read(self, scope: TenantScope, file_id: int, sha256: str) -> AsyncIterator[bytes]:
        """The bytes, chunk by chunk."""

    async def remove(self, scope: TenantScope, file_id: int, sha256: str) -> None:
        """Forget the bytes (the kept file's row is being deleted)."""


class DatabaseBlobs:
    name = "database"

    async def put(self, scope: TenantScope, file_id: int, sha256: str, source: IO[bytes]) -> None:
        source.seek(0)
        seq = 0
        while data := source.read(CHUNK):
            await scope.insert(StoredFileChunk, {"file": file_id, "seq": seq, "data": data})
            seq += 1

    async def read(self, scope: TenantScope, file_id: int, sha256: str) -> AsyncIterator[bytes]:
        seq = 0
        while True:
            row = (
                await scope.select(StoredFileChunk, StoredFileChunk.data)
                .where(StoredFileChunk.file == file_id, StoredFileChunk.seq == seq)
                .first()
            )
            if row is None:
                return
            yield bytes(row["data"])
            seq += 1

    async def remove(self, scope: TenantScope, file_id: int, sha256: str) -> None:
        await scope.delete(StoredFileChunk, StoredFileChunk.file == file_id)


class DirectoryBlobs:
    name = "directory"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, scope: TenantScope, sha256: str) -> Path:
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / str(scope.org_id) / sha256[:2] / sha256

    async def put(self, scope: TenantScope, file_id: int, sha256: str, source: IO[bytes]) -> None:
        await anyio.to_thread.run_sync(self._write, self.path(scope, sha256), source)

    @staticmethod
    def _write(target: Path, source: IO[bytes]) -> None:
        if target.exists():
            return  # the same content is kept already
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.part"
        source.seek(0)
        try:
            with open(temporary, "xb") as out:
                while data := source.read(CHUNK):
                    out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)  # atomic: a reader sees all of it or nothing
        finally:
            temporary.unlink(missing_ok=True)

    async def read(self, scope: TenantScope, file_id: int, sha256: str) -> AsyncIterator[bytes]:
        async with await anyio.open_file(self.path(scope, sha256), "rb") as stream:
            while data := await stream.read(CHUNK):
                yield data

    async def remove(self, scope: TenantScope, file_id: int, sha256: str) -> None:
        others = await scope.count(StoredFile).where(
            StoredFile.sha256 == sha256,
            StoredFile.storage == self.name,
            StoredFile.id != file_id,
        )
        if not others:
            self.path(scope, sha256).unlink(missing_ok=True)


def for_new_files() -> Blobs:
    """The back-end new files go to, as the settings say."""
    settings = get_settings()
    if settings.attachments_dir is not None:
        return DirectoryBlobs(settings.attachments_dir)
    return DatabaseBlobs()


def of(storage: str) -> Blobs:
    """The back-end a kept file's bytes are in (``stored_file.storage``)."""
    if storage == DirectoryBlobs.name:
        root = get_settings().attachments_dir
        if root is None:
            raise RuntimeError("a file kept in ATTACHMENTS_DIR, which is no longer set")
        return DirectoryBlobs(root)
    return DatabaseBlobs()
