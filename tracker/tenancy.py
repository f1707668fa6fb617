"""The tenant scope: every query of tenant-owned data goes through it.

``OrgContext`` is resolved once per request from the URL's organisation slug and the
signed-in person's membership. ``TenantScope`` adds the organisation to every query, so a
row of another organisation is simply not found (404), exactly like a missing row. A
database-level backstop (row-level security) can later be switched on here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from piccolo.columns import Column
from piccolo.table import Table

from tracker.accounts.rules import Action, can
from tracker.errors import Forbidden, NotFound
from tracker.i18n import gettext as _
from tracker.sql import Statement, Unscoped, run

T = TypeVar("T", bound=type[Table])
MAX_ID = 2**31 - 1  # serial ids are 32-bit in PostgreSQL


@dataclass(frozen=True)
class Membership:
    org_id: int
    slug: str
    name: str
    role: str
    require_2fa: str = "none"  # the organisation's two-factor rule: none | admins | everyone
    unread: int = 0  # the person's unread notifications there (the bell; tracker.notifications)


@dataclass(frozen=True)
class OrgContext:
    person_id: int
    person_name: str
    person_email: str
    membership: Membership
    memberships: tuple[Membership, ...]  # every organisation of the person (switcher)
    # Changes, in the same transaction, with anything the portfolio board shows; None where
    # it is not known (SQLite, or outside the tenant wall). See migration 2026-11-23T08:00.
    board_revision: int | None = None
    # The revisions of the board's parts (0: its filter form, 1–6: its columns), each moving
    # only with what that part shows; None where not known (migration 2026-11-30T21:10).
    board_parts: tuple[int | None, ...] | None = None

    @property
    def org_id(self) -> int:
        return self.membership.org_id

    @property
    def slug(self) -> str:
        return self.membership.slug

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def scope(self) -> TenantScope:
        return TenantScope(self.org_id)

    def can(self, action: Action) -> bool:
        return can(self.role, action)

    def require(self, action: Action) -> None:
        """Refuse (403) what the person's role may not do. Routes declare it instead
        (``opt=needs(...)``), checked once as the organisation is resolved."""
        if not self.can(action):
            raise Forbidden(_("Your role in this organisation does not allow this."))


NEEDS = "needs"  # the route option naming the Action a route's role must allow


def needs(action: Action) -> dict[str, Action]:
    """A route's permission, declared where the route is: ``@post("/…", opt=needs(Action.X))``.
    ``organisations.context.provide_org_context`` refuses the request (403) before the
    handler runs when the person's role does not allow it; the handler checks nothing."""
    return {NEEDS: action}


def by_record(reason: str) -> dict[str, str]:
    """A changing route every member may call, because who may depends on the record (the
    initiative's lead, the comment's author, an assigned reviewer): its service checks it and
    raises ``errors.Forbidden``. The reason is for the next engineer (tests list them)."""
    return {"by_record": reason}


class TenantScope:
    """Queries of tenant-owned tables, always filtered by the organisation."""

    def __init__(self, org_id: int) -> None:
        self.org_id = org_id

    async def fetch(self, statement: Statement, /, **values: Any) -> list[Any]:
        """Rows of a hand-written statement (an area's ``queries.py``) of this organisation:
        ``:org`` is this scope's; a caller cannot name another."""
        if isinstance(statement, Unscoped):
            raise TypeError("an unscoped statement runs through tracker.sql.fetch_unscoped")
        return await run(statement.bind(org=self.org_id, **values))

    async def fetch_dicts(self, statement: Statement, /, **values: Any) -> list[dict[str, Any]]:
        """``fetch``, each row as a dict (for code that adds to the rows or hands them on)."""
        return [dict(row) for row in await self.fetch(statement, **values)]

    async def insert_rows(
        self, statement: Statement, rows: list[dict[str, Any]], /, **values: Any
    ) -> list[Any]:
        """A hand-written INSERT of many rows at once (``Statement.bind_rows``)."""
        if isinstance(statement, Unscoped):
            raise TypeError("an unscoped statement runs through tracker.sql.fetch_unscoped")
        return await run(statement.bind_rows(rows, org=self.org_id, **values))

    def _org(self, table: type[Table]) -> Column:
        return table._meta.get_column_by_name("org")

    def select(self, table: type[Table], *columns: Any) -> Any:
        return table.select(*columns).where(self._org(table) == self.org_id)

    def count(self, table: type[Table]) -> Any:
        return table.count().where(self._org(table) == self.org_id)

    async def get(self, table: type[Table], row_id: int, *columns: Any) -> dict[str, Any]:
        """One row by id, or 404 (a row of another organisation is a missing row)."""
        if not 0 < row_id <= MAX_ID:
            raise NotFound()  # beyond the id column: it cannot exist
        row = (
            await table.select(*columns)
            .where(self._org(table) == self.org_id, table._meta.primary_key == row_id)
            .first()
        )
        if row is None:
            raise NotFound()
        return row

    def insert(self, table: type[Table], *rows: dict[str, Any]) -> Any:
        return table.insert(*(table(**{**row, "org": self.org_id}) for row in rows))

    def update(self, table: type[Table], values: dict[Any, Any], *where: Any) -> Any:
        return table.update(values).where(self._org(table) == self.org_id, *where)

    def delete(self, table: type[Table], *where: Any) -> Any:
        return table.delete().where(self._org(table) == self.org_id, *where)
