"""What the OpenAPI document says about the API beyond what Litestar derives from the
handlers: every error answer a route gives, request bodies without unknown fields, and the
``Allow`` header of a 405 (issue 17, finding 8: schemathesis checks the API against it)."""

from __future__ import annotations

from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPI

from tracker.api import schemas

ANSWERS = {
    400: "The request is not valid (a parameter or the body); `detail` says what.",
    401: "No API token, or one that is not valid or revoked.",
    403: "The token may only read.",
    404: "No such record in this organisation.",
    409: "A date already has a measurement, or appears twice; nothing was written.",
    413: "The body is larger than 64 KiB.",
    415: "The body is not sent as `application/json`.",
    422: "The body is well formed but refused by a rule (a measurement dated in the future); "
    "nothing was written.",
}


def answers(*codes: int) -> dict[int, ResponseSpec]:
    """The error answers a route gives, for the OpenAPI document (always JSON `Error`)."""
    return {
        code: ResponseSpec(data_container=schemas.Error, description=ANSWERS[code])
        for code in (400, 401, *codes)
    }


def allowed(exc: HTTPException) -> dict[str, str]:
    """A 405's ``Allow`` header (RFC 9110), with HEAD wherever GET is (see TrackerApp)."""
    methods = (exc.headers or {}).get("allow", "")
    if not methods:
        return {}
    names = [m.strip() for m in methods.split(",")]
    if "GET" in names and "HEAD" not in names:
        names.append("HEAD")
    return {"Allow": ", ".join(names)}


def document_strict_bodies(document: OpenAPI) -> None:
    """Say in the OpenAPI document what the API enforces: request bodies take no unknown
    fields (msgspec's ``forbid_unknown_fields``, which Litestar does not describe)."""
    schemas_ = document.components.schemas if document.components else None
    for name in ("NewMeasurement", "NewMeasurements"):
        if schemas_ and name in schemas_:
            schemas_[name].additional_properties = False
