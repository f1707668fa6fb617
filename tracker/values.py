"""What a person submitted, as plain values for the services, and the checks that collect
field errors into one ``errors.Invalid``.

A controller reads the request into a ``tracker.web.Form`` (which also shows the fields again
with their errors) and hands the service ``form.submitted``: a ``Submitted``, trimmed strings
by field name, with nothing of the web in it (a job, the CLI or a test builds one from a
dict). The service checks it with a ``Checks`` and calls ``checks.done()``, which raises
``Invalid`` with every field's error; the controller catches it and shows the form again
(``form.absorb(error)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tracker.errors import Invalid
from tracker.i18n import gettext as _


@dataclass(frozen=True)
class Submitted:
    """Trimmed strings by field name; repeated fields (checkboxes) also as lists."""

    values: Mapping[str, str] = field(default_factory=dict)
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Submitted:
        """From a plain dict (a job, the CLI, a test): lists stay lists, the rest is text."""
        values: dict[str, str] = {}
        lists: dict[str, tuple[str, ...]] = {}
        for key, value in data.items():
            if isinstance(value, list | tuple):
                lists[key] = tuple(str(v).strip() for v in value)
                values[key] = lists[key][0] if lists[key] else ""
            else:
                values[key] = "" if value is None else str(value).strip()
        return cls(values, lists)

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def all(self, key: str) -> list[str]:
        """Every value of a repeated field (checkboxes, multi-selects)."""
        return list(self.lists.get(key) or ([self.values[key]] if self.values.get(key) else []))

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def items(self) -> Any:
        return self.values.items()


class Fields(Protocol):
    """What field parsers need: a value by name, and a place for its error."""

    def get(self, key: str, default: str = "") -> str: ...

    def error(self, name: str, message: str) -> None: ...


class Checks:
    """Field errors found while checking a ``Submitted``; the first error of a field wins."""

    def __init__(self, submitted: Submitted) -> None:
        self.submitted = submitted
        self.errors: dict[str, str] = {}
        self.read: dict[str, str] = {}  # values as the service read them (``keep``)

    def get(self, key: str, default: str = "") -> str:
        if key in self.read:
            return self.read[key]
        return self.submitted.get(key, default)

    def keep(self, name: str, value: str) -> str:
        """The value of a field as the service reads it (an address in lower case, a code
        it made up): ``get`` gives it from now on, and the form shows it if it comes back."""
        self.read[name] = value
        return value

    def all(self, key: str) -> list[str]:
        return self.submitted.all(key)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def require(self, name: str, message: str, max_length: int = 200) -> str:
        if not self.get(name):
            self.error(name, message)
        return self.limit(name, max_length)

    def limit(self, name: str, max_length: int) -> str:
        value = self.get(name)
        if len(value) > max_length:
            self.error(name, _("Use at most %(n)s characters.", n=max_length))
        return value

    @property
    def ok(self) -> bool:
        return not self.errors

    def done(self) -> None:
        """Raise ``Invalid`` with every field's error, if any (and the values as read)."""
        if self.errors:
            raise Invalid(_("Please correct the marked fields."), self.errors, self.read)
