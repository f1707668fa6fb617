"""Services check plain values (tracker.values) and raise one Invalid with every field's error."""

from __future__ import annotations

import pytest

from tracker.errors import Invalid
from tracker.values import Checks, Submitted
from tracker.web import Form


def test_a_form_hands_the_service_its_trimmed_values_and_lists() -> None:
    class Multi(dict):
        def getall(self, key: str) -> list[str]:
            return [" a ", "b "] if key == "kinds" else [self[key]]

    form = Form(Multi({"title": "  Late approvals ", "kinds": " a "}))
    submitted = form.submitted
    assert submitted.get("title") == "Late approvals"
    assert submitted.all("kinds") == ["a", "b"]
    assert Submitted.of({"kinds": ["x", " y"], "n": 3}).all("kinds") == ["x", "y"]
    assert Submitted.of({"n": 3}).get("n") == "3"


def test_checks_collect_every_field_error_and_raise_them_together() -> None:
    checks = Checks(Submitted.of({"title": "", "note": "x" * 11}))
    checks.require("title", "Name it.")
    checks.limit("note", 10)
    checks.require("title", "Second message loses.")
    with pytest.raises(Invalid) as raised:
        checks.done()
    assert raised.value.fields == {"title": "Name it.", "note": "Use at most 10 characters."}
    form = Form({}).absorb(raised.value)
    assert form.errors["title"] == "Name it." and not form.ok


def test_checks_pass_quietly_when_all_is_well() -> None:
    checks = Checks(Submitted.of({"title": "Fine"}))
    assert checks.require("title", "Name it.") == "Fine"
    checks.done()


def test_a_value_as_the_service_read_it_comes_back_in_place_of_what_was_typed() -> None:
    checks = Checks(Submitted.of({"email": " Ada@Example.COM ", "name": ""}))
    email = checks.keep("email", checks.get("email").lower())
    assert checks.get("email") == email == "ada@example.com"
    checks.require("name", "Enter your name.")
    with pytest.raises(Invalid) as raised:
        checks.done()
    assert raised.value.values == {"email": "ada@example.com"}
    form = Form({"email": "Ada@Example.COM", "name": ""}).absorb(raised.value)
    assert form.get("email") == "ada@example.com" and form.errors == {"name": "Enter your name."}
