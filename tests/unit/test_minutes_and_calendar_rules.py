"""Pure rules of the gate minutes (attendance, chair, next gate) and the calendar feeds
(token form, revision stamps, the iCalendar text)."""

from datetime import UTC, date, datetime

from icalendar import Calendar

from tracker.calendar import rules as cal
from tracker.gates import minutes_rules as mr


def reviewer(pid, name):
    return {"reviewer": pid, "reviewer.name": name}


def vote(pid, name, kind):
    return {"reviewer": pid, "reviewer.name": name, "vote": kind}


def test_attendance_puts_each_reviewer_in_exactly_one_group():
    reviewers = [reviewer(1, "An"), reviewer(2, "Bo"), reviewer(3, "Cy")]
    votes = [vote(2, "Bo", "abstain"), vote(1, "An", "go"), vote(4, "Di", "stop")]
    result = mr.attendance(reviewers, votes)
    # Di voted, then left the review: the vote stays, so Di was present
    assert result == mr.Attendance(present=["An", "Di"], abstaining=["Bo"], absent=["Cy"])


def test_attendance_with_nobody_voting():
    assert mr.attendance([reviewer(1, "An")], []) == mr.Attendance([], [], ["An"])


def test_chair_is_who_recorded_a_chairs_decision_else_the_rules_chair():
    assert mr.chair_id("chair", 7, 3) == 7
    assert mr.chair_id("rule", 7, 3) == 3
    assert mr.chair_id("rule", None, None) is None
    assert mr.chair_id(None, None, 5) == 5


def test_next_gate_date():
    set_by_decision, planned = date(2026, 12, 1), date(2026, 12, 20)
    assert mr.next_gate_date("hold", set_by_decision, planned) == set_by_decision
    assert mr.next_gate_date("go", None, planned) == planned
    assert mr.next_gate_date("recycle", None, planned) == planned
    assert mr.next_gate_date("hold", None, planned) is None
    assert mr.next_gate_date("stop", None, planned) is None


def test_tokens():
    token = cal.new_token()
    assert token.startswith("cal_") and cal.token_from_path(token + ".ics") == token
    assert len(cal.token_hash(token)) == 64 and cal.token_hash(token) != token
    for bad in ("", token, "x" + token + ".ics", "cal_'or 1=1--aaaaaaaaaa.ics", "cal_a.ics"):
        assert cal.token_from_path(bad) is None, bad


def test_latest_reads_sqlite_texts_and_falls_back_to_a_fixed_epoch():
    a = datetime(2026, 11, 1, 8, 30, 15, 123, tzinfo=UTC)
    assert cal.latest(a, "2026-11-02 09:00:00", None) == datetime(2026, 11, 2, 9, tzinfo=UTC)
    assert cal.latest(a) == a.replace(microsecond=0)
    assert cal.latest(None, "not a time") == cal.EPOCH


def test_to_ics_makes_all_day_events_with_stable_uids():
    stamp = datetime(2026, 11, 20, 10, tzinfo=UTC)
    specs = [
        cal.EventSpec(
            "review", 12, date(2026, 12, 3), "Vote due", "Gate 2", "https://x/r/12", stamp
        ),
        cal.EventSpec("condition", 4, date(2026, 12, 1), "条件到期", "", "", stamp, sequence=2),
    ]
    text = cal.to_ics(specs, "Alpha: my gate calendar", "Asia/Shanghai", "tracker.example.com")
    again = cal.to_ics(
        list(reversed(specs)), "Alpha: my gate calendar", "Asia/Shanghai", "tracker.example.com"
    )
    assert text == again  # the same events give the same bytes
    calendar = Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        "condition-4@tracker.example.com",
        "review-12@tracker.example.com",
    ]
    first = events[0]
    assert first.decoded("DTSTART") == date(2026, 12, 1)
    assert first.decoded("DTEND") == date(2026, 12, 2)
    assert int(first["SEQUENCE"]) == 2 and str(first["SUMMARY"]) == "条件到期"
    assert first.decoded("DTSTAMP") == stamp == first.decoded("LAST-MODIFIED")
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert b"\r\n" in text and text.startswith(b"BEGIN:VCALENDAR")
