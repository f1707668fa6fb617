"""Services raise one error family (tracker.errors); app.py answers each once, the same way
for pages and the API."""

from __future__ import annotations

import pytest
from litestar import get
from litestar.testing import create_test_client

from tracker.app import error_handler
from tracker.errors import Conflict, Forbidden, Invalid, NotFound, TrackerError
from tracker.gates.common import GateError

ERRORS: dict[str, TrackerError] = {
    "missing": NotFound(),
    "forbidden": Forbidden("Not yours."),
    "invalid": Invalid("Please correct the marked fields.", {"vote": "Choose your vote."}),
    "conflict": Conflict("Someone else decided first."),
    "gate": GateError("Voting on this review has closed."),
    "gate-role": GateError("Only the assigned reviewers vote on this gate.", 403),
}


@get("/api/v1/raise/{name:str}")
async def api_raise(name: str) -> None:
    raise ERRORS[name]


@get("/o/demo/raise/{name:str}")
async def page_raise(name: str) -> None:
    raise ERRORS[name]


@pytest.mark.parametrize(
    ("name", "status", "api_detail"),
    [
        ("missing", 404, "Not found in this organisation."),
        ("forbidden", 403, "Not yours."),
        ("invalid", 422, "Please correct the marked fields."),
        ("conflict", 409, "Someone else decided first."),
        ("gate", 409, "Voting on this review has closed."),
        ("gate-role", 403, "Only the assigned reviewers vote on this gate."),
    ],
)
def test_each_error_is_answered_with_its_status_on_pages_and_the_api(
    name: str, status: int, api_detail: str
) -> None:
    with create_test_client(
        [api_raise, page_raise], exception_handlers={Exception: error_handler}
    ) as client:
        api = client.get(f"/api/v1/raise/{name}")
        page = client.get(f"/o/demo/raise/{name}", headers={"accept": "application/json"})
    assert api.status_code == page.status_code == status
    assert api.json()["detail"] == api_detail
    if status in (409, 422):  # the person's message, as worded by the service
        assert page.json()["detail"] == api_detail
    elif status == 403:
        assert page.json()["detail"] == "Your role in this organisation does not allow this."
    else:
        assert page.json()["detail"] == "This page does not exist, or you have no access to it."


def test_gate_errors_and_invalid_input_are_of_the_family() -> None:
    assert isinstance(GateError("x"), TrackerError)
    assert ERRORS["invalid"].fields == {"vote": "Choose your vote."}
    assert GateError("x", 422).http().status_code == 422
