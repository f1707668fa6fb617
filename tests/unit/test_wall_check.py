"""Which database roles production refuses, and what the refusal says (tracker.wall_check)."""

from tracker.wall_check import bypass_reasons, refusal


def role(superuser=False, bypassrls=False, owned=()):
    return {
        "role": "tracker",
        "superuser": superuser,
        "bypassrls": bypassrls,
        "owned_tables": list(owned),
    }


def test_a_walled_role_bypasses_nothing():
    assert bypass_reasons(role()) == []
    assert refusal(role(), None) is None
    assert refusal(role(), "tracker_app") is None


def test_each_way_around_the_wall_is_named():
    assert bypass_reasons(role(superuser=True, bypassrls=True, owned=["kpi"])) == [
        "it is a superuser"
    ]
    assert bypass_reasons(role(bypassrls=True)) == ["it has BYPASSRLS"]
    assert bypass_reasons(role(owned=["a", "b", "c", "d", "e"])) == [
        "it owns tenant tables: a, b, c and 2 more"
    ]
    assert bypass_reasons(role(bypassrls=True, owned=["kpi"])) == [
        "it has BYPASSRLS",
        "it owns tenant tables: kpi",
    ]


def test_the_refusal_says_what_to_do():
    message = refusal(role(superuser=True), None)
    assert "'tracker' of DATABASE_URL" in message and "it is a superuser" in message
    assert "Set DB_APP_ROLE=tracker_app" in message
    message = refusal(role(bypassrls=True), "postgres")
    assert message.startswith("DB_APP_ROLE=postgres bypasses row-level security")
    assert "DB_APP_ROLE=tracker_app" in message
