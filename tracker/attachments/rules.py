"""Pure rules of attachments: who may attach and remove, and how a file is served."""

from __future__ import annotations

from urllib.parse import quote

from tracker.accounts.rules import Action, can

ATTACH = Action.LOG_FEEDBACK  # team members and above attach files (viewers read and download)


def can_attach(role: str) -> bool:
    """Team members and above attach files (viewers read and download)."""
    return can(role, ATTACH)


def can_remove(role: str, person_id: int, uploaded_by: int | None, permanent: bool) -> bool:
    """Who attached it, or a lead or admin; never once the subject is permanent (a decided
    review is the gate record; a published SOP version never changes)."""
    if permanent or not can_attach(role):
        return False
    return uploaded_by == person_id or can(role, Action.EDIT_INITIATIVE)


def content_disposition(filename: str, inline: bool = False) -> str:
    """RFC 6266: an ASCII fallback name and the real one as UTF-8 in ``filename*`` (RFC 5987),
    so a Chinese name arrives as it was; quotes, backslashes and control characters never
    reach the header."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename)
    fallback = fallback.strip() or "file"
    encoded = quote(filename, safe="!#$&+-.^_`|~")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def size_label(size: int) -> str:
    """Bytes as people read them (KB below 1 MB, MB above, one decimal)."""
    if size < 1024 * 1024:
        return f"{max(size, 1) / 1024:.1f} KB" if size else "0 KB"
    return f"{size / (1024 * 1024):.1f} MB"
