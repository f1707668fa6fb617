"""The one error family services raise; ``app.py`` answers each once, for HTML pages and the
API alike (``TrackerError.http``): 404 NotFound, 403 Forbidden, 422 Invalid (with the errors
beside their fields), 409 Conflict. The message is for the person, already translated; a
NotFound says nothing, so a row of another organisation is a missing row.

A controller catches one only to show its page again with the person's input (a form that
comes back with its errors); otherwise it lets it through to ``app.py``.
"""

from __future__ import annotations

from collections.abc import Mapping

from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
)


class TrackerError(Exception):
    """A refused action; ``message`` is for the person (already translated)."""

    status_code = 400

    def __init__(
        self,
        message: str = "",
        fields: Mapping[str, str] | None = None,
        values: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})  # field name → its error (Invalid)
        # field name → the value as the service read it (an address in lower case, a code it
        # made up), shown again in place of what was typed when the form comes back
        self.values = dict(values or {})

    def http(self) -> HTTPException:
        """The HTTP answer, as ``app.py`` gives it to pages and the API."""
        if self.status_code == 404:
            return NotFoundException(detail=self.message)
        if self.status_code == 403:
            return PermissionDeniedException(detail=self.message)
        return ClientException(status_code=self.status_code, detail=self.message)


class NotFound(TrackerError):
    status_code = 404


class Forbidden(TrackerError):
    status_code = 403


class Invalid(TrackerError):
    status_code = 422


class Conflict(TrackerError):
    status_code = 409
