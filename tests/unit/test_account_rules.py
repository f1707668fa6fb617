import pytest

from tracker.accounts.rules import (
    Action,
    Failures,
    Refusal,
    Role,
    can,
    describe_user_agent,
    is_valid_email,
    is_valid_slug,
    login_refusal,
    login_wait_seconds,
    must_use_two_factor,
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
    assert "Use at least 12 characters." in password_problems("short")
    # ASVS 2.1.1: eleven characters are refused however random, twelve are enough
    assert password_problems("tq8#Vw2!pLz") == ["Use at least 12 characters."]
    assert password_problems("tq8#Vw2!pLzR") == []
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


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1234", "This is a common password, or too close to one."),
        ("123456789012", "This is a common password, or too close to one."),
        ("Passw0rd!!!!", "This is a common password, or too close to one."),
        ("abcdabcdabcd", "Repeated characters or words such as abcabc are easy to guess."),
        ("li.na20262026", "Do not use your e-mail address or name in your password."),
    ],
)
def test_guessable_passwords_are_refused_with_their_reason(password, reason):
    problems = password_problems(password, "li.na@example.com", "Li Na")
    assert problems[0] == reason
    assert "Add another word or two" in problems[1]


def test_the_scans_ten_character_examples_are_refused():
    for password in ("password12", "1234567890", "Passw0rd!!", "abcdabcdab", "li.na2026!"):
        assert password_problems(password, "li.na@example.com", "Li Na")


def test_long_unrelated_words_pass_and_very_long_passwords_are_estimated():
    assert password_problems("a quiet lantern by the river") == []
    assert password_problems("correct horse battery " * 9) == []  # > 72 characters: fine


def test_login_refusals():
    none = Failures()
    assert login_refusal(none, none, none, known_browser=False) == (Refusal.NONE, 0)
    # ten failures from one address, whatever the accounts: that address waits
    refusal, wait = login_refusal(Failures(10, 1), none, none, known_browser=False)
    assert refusal == Refusal.ADDRESS and wait > 0
    # ... but not a browser that logged in to this account before
    assert login_refusal(Failures(10, 1), none, none, known_browser=True)[0] == Refusal.NONE
    # five on one account from one address: that pair waits, a known browser too
    refusal, _wait = login_refusal(Failures(5, 1), Failures(5, 1), Failures(5, 1), True)
    assert refusal == Refusal.ACCOUNT
    # ten on one account from many addresses: only unknown browsers are held back
    assert login_refusal(none, none, Failures(10, 1), known_browser=False)[0] == Refusal.UNLOCK
    assert login_refusal(none, none, Failures(30, 1), known_browser=True) == (Refusal.NONE, 0)
    # the wait runs out
    assert login_refusal(none, none, Failures(10, 10_000), known_browser=False)[0] == Refusal.NONE


def test_who_must_use_two_factor():
    assert not must_use_two_factor("admin", "none")
    assert must_use_two_factor("admin", "admins") and not must_use_two_factor("lead", "admins")
    assert must_use_two_factor("viewer", "everyone")


def test_user_agents_are_described_briefly():
    assert (
        describe_user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Safari/604.1")
        == "Safari · iPhone"
    )
    assert describe_user_agent("Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Edg/131.0") == (
        "Edge · Windows"
    )
    assert describe_user_agent("") == "?"
