import pytest

from tracker.accounts.rules import (
    Action,
    Role,
    can,
    is_valid_email,
    is_valid_slug,
    login_wait_seconds,
    password_problems,
    slugify,
)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMIN, set(Action)),
        (
            Role.LEAD,
            {
                Action.READ,
                Action.CREATE_INITIATIVE,
                Action.EDIT_INITIATIVE,
                Action.WRITE_REGISTER,
                Action.LOG_FEEDBACK,
            },
        ),
        (Role.COMMITTEE, {Action.READ, Action.LOG_FEEDBACK}),
        (Role.MEMBER, {Action.READ, Action.WRITE_REGISTER, Action.LOG_FEEDBACK}),
        (Role.VIEWER, {Action.READ}),
    ],
)
def test_role_permissions(role, allowed):
    assert {a for a in Action if can(role, a)} == allowed


def test_unknown_role_may_do_nothing():
    assert not any(can("owner", a) for a in Action)


def test_password_rules():
    assert password_problems("correct horse battery") == []
    assert "Use at least 10 characters." in password_problems("short")
    assert "Use more different characters." in password_problems("aaaaaaaaaaaa")
    assert password_problems("me@example.com", "ME@example.com")
    assert password_problems("x" * 201 + "abcd")


def test_slugs():
    assert slugify("Acme Manufacturing Co.") == "acme-manufacturing-co"
    assert slugify("演示公司") == ""
    assert is_valid_slug("acme-2")
    assert not is_valid_slug("-acme") and not is_valid_slug("Acme") and not is_valid_slug("new")


def test_emails():
    assert is_valid_email("li.na@example.com")
    assert not is_valid_email("li.na@") and not is_valid_email("a b@example.com")


def test_login_throttle_grows_and_expires():
    assert login_wait_seconds(4, 0) == 0
    assert login_wait_seconds(5, 0) == 30
    assert login_wait_seconds(6, 0) == 60
    assert login_wait_seconds(6, 59) == 1
    assert login_wait_seconds(6, 61) == 0
    assert login_wait_seconds(50, 0) == 900
