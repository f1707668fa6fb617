"""The audit trail's pure rules: secrets, reading stored changes, filters, keyset cursors and
the SQLite triggers' text."""

from datetime import date

from tracker.audit import rules
from tracker.audit.labels import field_label, value_label
from tracker.audit.triggers import pg_trigger, sqlite_triggers
from tracker.i18n import language


def test_secret_columns_are_recognised():
    for column in ("token_hash", "password_hash", "totp_secret", "totp_last_step", "link_key"):
        assert rules.is_secret(column), column
    for column in ("name", "status", "token_count", "hash_note"):
        assert not rules.is_secret(column), column


def test_stored_changes_read_from_text_or_json():
    text = '{"status": ["on_track", "at_risk"], "token_hash": "secret", "name": [null, "A"]}'
    changes = rules.changes_of(text)
    assert [c.field for c in changes] == ["name", "status", "token_hash"]
    assert changes[1].old == "on_track" and changes[1].new == "at_risk"
    assert changes[2].secret and changes[2].old is None
    assert rules.changes_of({"x": [1, 2]})[0].new == 2
    assert rules.changes_of(None) == []


def test_values_read_as_people_see_them():
    assert rules.plain(None) == "—" and rules.plain(2.0) == "2" and rules.plain(True) == "✓"
    assert rules.plain("2026-11-29T22:55:01.123+00:00") == "2026-11-29 22:55"
    with language("zh_Hans"):
        assert value_label("initiative", "status", "at_risk", {}) == "有风险"
        assert field_label("initiative", "status") == "状态"
    assert value_label("problem", "owner", 7, {7: "Li Lei"}) == "Li Lei"
    assert value_label("problem", "owner", 8, {}) == "#8"
    assert field_label("risk", "description") == "Risk"


def test_filters_and_their_problems():
    filters, problems = rules.parse_filters("12", "kpis", "2026-01-01", "2026-01-31")
    assert problems == [] and filters.person == 12 and filters.kind == "kpis"
    assert filters.since == date(2026, 1, 1)
    since, until = rules.day_bounds(filters)
    assert since is not None and until is not None and (until - since).days == 31
    _, problems = rules.parse_filters("x", "nothing", "last week", "")
    assert problems == ["person", "kind", "since"]
    _, problems = rules.parse_filters("", "", "2026-02-01", "2026-01-01")
    assert problems == ["until"]
    assert rules.parse_filters("0", "", "", "")[0].person == 0  # without a person


def test_keyset_cursor_round_trip_and_garbage():
    assert rules.decode_cursor(rules.encode_cursor(12345)) == 12345
    for bad in ("", "!!!", "a" * 40, rules.encode_cursor(0), "LTE"):
        assert rules.decode_cursor(bad) is None, bad


def test_every_kind_has_tables_and_every_table_one_kind():
    assert set(rules.KINDS) == {a.kind for a in rules.AUDITED}
    assert len(rules.BY_TABLE) == len(rules.AUDITED)
    assert "token_hash" not in rules.skipped(rules.BY_TABLE["api_token"])


def test_sqlite_triggers_name_columns_skip_bookkeeping_and_hide_secrets():
    audited = rules.BY_TABLE["api_token"]
    columns = ["id", "org", "name", "token_hash", "created_at", "last_used_at"]
    sql = " ".join(sqlite_triggers(audited, columns))
    assert 'OLD."name" IS NOT NEW."name"' in sql
    assert "last_used_at" not in sql and "created_at" not in sql
    assert 'json_array(OLD."token_hash"' not in sql and "json_quote('secret')" in sql
    cell = " ".join(sqlite_triggers(rules.BY_TABLE["raci_cell"], ["id", "org", "role", "letter"]))
    assert 'SELECT "version" FROM "raci_role"' in cell
    assert "'raci_role', 'version'" in pg_trigger(rules.BY_TABLE["raci_cell"])[1]
