"""Uploaded files: the checks every upload passes (``checks``) and the per-organisation
storage they are kept in, within a quota (``storage``). Attachments are to use both:

    kind = uploads.check(filename, data, kinds=(...))   # size, type by content; UploadRefused
    await uploads.ensure_room(scope, len(data))          # QuotaExceeded with a message
    file_id = await uploads.keep(scope, "attachment", filename, data, person_id)
"""

from tracker.uploads.checks import MAX_BYTES, UploadRefused, check, in_worker
from tracker.uploads.storage import QuotaExceeded, ensure_room, keep, remove, usage

__all__ = [
    "MAX_BYTES",
    "QuotaExceeded",
    "UploadRefused",
    "check",
    "ensure_room",
    "in_worker",
    "keep",
    "remove",
    "usage",
]
