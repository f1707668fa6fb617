"""The language an organisation's shipped defaults are made in."""

from __future__ import annotations

from tracker.accounts.tables import Organisation
from tracker.i18n import DEFAULT_LANGUAGE, LANGUAGES


async def org_language(org_id: int) -> str:
    """``Organisation.language`` (English when unknown)."""
    row = await Organisation.select(Organisation.language).where(Organisation.id == org_id).first()
    language = row["language"] if row else None
    return language if language in LANGUAGES else DEFAULT_LANGUAGE
