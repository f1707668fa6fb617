"""The analytics page as a workbook: one sheet per table of the page, headers in the
reader's language, written by the one spreadsheet writer (tracker.spreadsheets)."""

from __future__ import annotations

from tracker import labels
from tracker.analytics.rules import OUTCOMES, OutcomeRow
from tracker.analytics.service import Report
from tracker.i18n import gettext as _
from tracker.spreadsheets import Table


def percent(value: float | None) -> float | str:
    return "" if value is None else round(value * 100, 1)


def days(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


def _outcome_headers(first: str) -> list[str]:
    return [
        first,
        _("Decisions"),
        *(labels.decision_label(o) for o in OUTCOMES),
        *(_("%(outcome)s (%%)", outcome=labels.decision_label(o)) for o in OUTCOMES),
        _("First reviews"),
        _("Passed first time"),
        _("First-pass rate (%%)"),
    ]


def _outcome_row(key: str, row: OutcomeRow) -> list[object]:
    return [
        key,
        row.total,
        *(row.counts[o] for o in OUTCOMES),
        *(percent(row.share(o)) for o in OUTCOMES),
        row.firsts,
        row.first_passed,
        percent(row.first_pass_rate),
    ]


def tables(report: Report) -> list[Table]:
    months = report.months
    phase = labels.phase_label
    sheets = [
        Table(
            _("Funnel"),
            [_("Phase"), _("Initiatives now"), _("Overdue now"), _("Entered"), _("Left")],
            [
                [phase(f.phase), f.now, f.overdue, f.entered_total, f.exited_total]
                for f in report.funnel
            ],
            preface=[[_("Completed"), report.completed], [_("Stopped"), report.stopped]],
        ),
        Table(
            _("Entered and left by month"),
            [_("Month"), *(f"{phase(p)} · {_('entered')}" for p in range(1, 7))]
            + [f"{phase(p)} · {_('left')}" for p in range(1, 7)],
            [
                [m, *(f.entered.get(m, 0) for f in report.funnel)]
                + [f.exited.get(m, 0) for f in report.funnel]
                for m in months
            ],
        ),
        Table(
            _("Outcomes by gate"),
            _outcome_headers(_("Gate")),
            [_outcome_row(phase(r.key), r) for r in report.by_gate]
            + [_outcome_row(_("All gates"), report.outcomes_total)],
        ),
        Table(
            _("Outcomes by quarter"),
            _outcome_headers(_("Quarter")),
            [_outcome_row(str(r.key), r) for r in report.by_quarter],
        ),
        Table(
            _("Decision lead time"),
            [
                _("Gate"),
                _("Decisions"),
                _("Shortest (days)"),
                _("First quartile (days)"),
                _("Median (days)"),
                _("Third quartile (days)"),
                _("90th percentile (days)"),
                _("Longest (days)"),
            ],
            [
                [
                    phase(t.gate) if t.gate else _("All gates"),
                    t.count,
                    *(days(v) for v in (t.low, t.q1, t.median, t.q3, t.p90, t.high)),
                ]
                for t in report.lead_times
            ],
        ),
        Table(
            _("Time in phase"),
            [
                _("Phase"),
                _("Phases finished"),
                _("Mean actual (days)"),
                _("Mean planned (days)"),
                _("Difference (days)"),
                _("Over plan"),
                _("Over plan (%%)"),
            ],
            [
                [
                    phase(t.phase),
                    t.count,
                    days(t.actual if t.count else None),
                    days(t.planned if t.count else None),
                    days(t.difference if t.count else None),
                    t.over_plan,
                    percent(t.over_rate),
                ]
                for t in report.phase_times
            ],
        ),
        Table(
            _("Conditions"),
            [_("Closed on time"), _("Closed late"), _("Open past due"), _("On time (%%)")],
            [
                [
                    report.conditions.counts["on_time"],
                    report.conditions.counts["late"],
                    report.conditions.counts["overdue"],
                    percent(report.conditions.on_time_rate),
                ]
            ],
        ),
    ]
    if report.calibration is not None:
        sheets.append(
            Table(
                _("Reviewer calibration"),
                [
                    _("Reviewer"),
                    _("Scores"),
                    _("Mean signed deviation"),
                    _("Mean absolute deviation"),
                    _("Votes"),
                    _("Votes matching the decision"),
                    _("Match rate (%%)"),
                ],
                [
                    [
                        c.name,
                        c.scores,
                        "" if c.signed is None else round(c.signed, 2),
                        "" if c.absolute is None else round(c.absolute, 2),
                        c.votes,
                        c.matched,
                        percent(c.match_rate),
                    ]
                    for c in report.calibration
                ],
            )
        )
    return sheets
