"""The words of notifications, in the current language: each kind's name (the preferences),
its headline (the centre and the e-mail's subject) and the e-mail's text."""

from __future__ import annotations

from typing import Any

from tracker.i18n import gettext as _
from tracker.notifications.rules import Channel, Kind


def kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        Kind.VOTE_REQUESTED: _("A review asks for your vote"),
        Kind.REVIEW_DECIDED: _("A review you requested is decided"),
        Kind.CONDITION_ASSIGNED: _("A condition is assigned to you"),
        Kind.CONDITION_DUE: _("A condition of yours comes due"),
        Kind.MENTIONED: _("You are mentioned"),
        Kind.COMMENT: _("A comment on something you own or follow"),
        Kind.APPROVAL_WAITING: _("An approval waits at your level"),
        Kind.KPI_BREACH: _("A KPI you own breaches its threshold"),
        Kind.INVITATION_ACCEPTED: _("An invitation is accepted (admins)"),
    }
    return labels.get(kind, kind)


def channel_label(channel: str) -> str:
    labels: dict[str, str] = {
        Channel.IMMEDIATE: _("By e-mail at once"),
        Channel.DIGEST: _("In the digest only"),
        Channel.OFF: _("Not at all"),
    }
    return labels.get(channel, channel)


def headline(row: dict[str, Any]) -> str:
    """One line saying what happened (``row``: a notification's kind, title and detail)."""
    from tracker.labels import decision_label

    title, kind = row.get("title") or "", row.get("kind")
    if kind == Kind.VOTE_REQUESTED:
        return _("Your vote is asked: %(title)s", title=title)
    if kind == Kind.REVIEW_DECIDED:
        return _(
            "Decided: %(title)s — %(decision)s",
            title=title,
            decision=decision_label(row.get("detail") or ""),
        )
    if kind == Kind.CONDITION_ASSIGNED:
        return _("A condition is yours: %(title)s", title=title)
    if kind == Kind.CONDITION_DUE:
        return _("A condition of yours comes due: %(title)s", title=title)
    if kind == Kind.MENTIONED:
        return _("You were mentioned: %(title)s", title=title)
    if kind == Kind.COMMENT:
        return _("New comment: %(title)s", title=title)
    if kind == Kind.APPROVAL_WAITING:
        return _("An approval waits for you: %(title)s", title=title)
    if kind == Kind.KPI_BREACH:
        return _("KPI alert: %(title)s", title=title)
    if kind == Kind.INVITATION_ACCEPTED:
        return _("%(title)s accepted the invitation and joined", title=title)
    return title


def mail_text(row: dict[str, Any], link: str, settings_link: str) -> str:
    return "\n\n".join(
        [
            headline(row),
            _("Open it here: %(url)s", url=link),
            _(
                "You get this e-mail because of your notification settings; change them here: "
                "%(url)s",
                url=settings_link,
            ),
        ]
    )
