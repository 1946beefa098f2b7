"""When a follow-up milestone is due, overdue, met, and no longer chased: same-day diagnostic
blocks, weeks and months after an injection, and the end of a trial."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from painpath.domain.worklist import (
    Milestone,
    add_months,
    follow_up_window,
    milestone_windows,
    pending_follow_up,
)

DONE = date(2025, 1, 6)
SAME_DAY = (Milestone(what="relief within the anaesthetic's duration"),)
COURSE = (
    Milestone(days=14),
    Milestone(days=42),
    Milestone(months=3),
    Milestone(months=6),
    Milestone(months=12),
)
TRIAL = (Milestone(days=7, end_of_trial=True),)


def _pending(
    schedule: tuple[Milestone, ...], *seen: date, today: date, trial_ended: bool = False
) -> tuple[str, date, bool] | None:
    found = pending_follow_up(DONE, seen, schedule=schedule, today=today, trial_ended=trial_ended)
    return None if found is None else (found.label, found.due_on, found.overdue)


def test_a_same_day_milestone_is_due_on_the_day_and_overdue_from_the_next() -> None:
    assert _pending(SAME_DAY, today=DONE - timedelta(days=1)) is None
    assert _pending(SAME_DAY, today=DONE) == ("same-day", DONE, False)
    assert _pending(SAME_DAY, today=DONE + timedelta(days=1)) == ("same-day", DONE, True)
    # Recorded on the day (from the diary): met. Chased for a week, then dropped.
    assert _pending(SAME_DAY, DONE, today=DONE + timedelta(days=1)) is None
    assert _pending(SAME_DAY, today=DONE + timedelta(days=7)) == ("same-day", DONE, True)
    assert _pending(SAME_DAY, today=DONE + timedelta(days=8)) is None


@pytest.mark.parametrize(
    ("milestone", "window_days", "chase_days"),
    [
        (Milestone(days=14), 7, 56),
        (Milestone(days=42), 7, 56),
        (Milestone(months=3), 14, 56),
        # 6 January to 6 July is 181 days: chased for half of it.
        (Milestone(months=6), 28, 90),
        (Milestone(months=12), 42, 112),
        (Milestone(days=7, end_of_trial=True), 3, 56),
    ],
)
def test_windows_grow_with_the_distance_from_the_procedure(
    milestone: Milestone, window_days: int, chase_days: int
) -> None:
    windows = milestone_windows(milestone.due_on(DONE) - DONE)
    assert windows.early == windows.ahead == timedelta(days=window_days)
    assert windows.chase == timedelta(days=chase_days)


def test_the_six_and_twelve_month_milestones_are_listed_ahead_and_met_a_little_early() -> None:
    seen_at_3_months = add_months(DONE, 3)
    six = add_months(DONE, 6)
    assert six == date(2025, 7, 6)
    assert _pending(COURSE, seen_at_3_months, today=six - timedelta(days=29)) is None
    assert _pending(COURSE, seen_at_3_months, today=six - timedelta(days=28)) == (
        "6-month",
        six,
        False,
    )
    # A visit four weeks early counts; five weeks early does not.
    assert _pending(COURSE, six - timedelta(days=28), today=six + timedelta(days=30)) is None
    assert _pending(COURSE, six - timedelta(days=35), today=six + timedelta(days=30)) == (
        "6-month",
        six,
        True,
    )
    twelve = add_months(DONE, 12)
    assert _pending(COURSE, six, today=twelve - timedelta(days=42)) == ("12-month", twelve, False)
    # Missed: chased for 16 weeks after the day, then no longer.
    assert _pending(COURSE, six, today=twelve + timedelta(weeks=16)) is not None
    assert _pending(COURSE, six, today=twelve + timedelta(weeks=16, days=1)) is None


def test_only_the_latest_unmet_milestone_is_listed() -> None:
    # Nobody came after the 2-week visit: at 3 months, the 3-month visit is what is asked.
    found = _pending(COURSE, DONE + timedelta(days=14), today=add_months(DONE, 3))
    assert found == ("3-month", add_months(DONE, 3), False)


def test_the_end_of_a_trial_is_met_by_the_trial_s_recorded_end() -> None:
    end = DONE + timedelta(days=7)
    assert _pending(TRIAL, today=end - timedelta(days=4)) is None
    assert _pending(TRIAL, today=end - timedelta(days=3)) == ("end-of-trial", end, False)
    assert _pending(TRIAL, today=end + timedelta(days=1)) == ("end-of-trial", end, True)
    # The trial was ended (and recorded) early: nothing is asked.
    assert _pending(TRIAL, today=end + timedelta(days=1), trial_ended=True) is None


def test_months_are_calendar_months() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert Milestone(months=3).due_on(date(2025, 11, 30)) == date(2026, 2, 28)


def test_milestone_names() -> None:
    names = [(m.key, m.label) for m in (*SAME_DAY, *COURSE, *TRIAL)]
    assert names == [
        ("same_day", "same-day"),
        ("2w", "2-week"),
        ("6w", "6-week"),
        ("3m", "3-month"),
        ("6m", "6-month"),
        ("12m", "12-month"),
        ("1w", "end-of-trial"),
    ]
    assert Milestone(days=3).key == "3d"


def test_the_worklist_looks_back_as_far_as_the_last_milestone_is_chased() -> None:
    today = date(2026, 1, 1)
    assert follow_up_window(today, SAME_DAY) == (today - timedelta(weeks=1), today)
    earliest, latest = follow_up_window(today, COURSE)
    assert latest == today
    # 12 months (at most 372 days) and 16 weeks of chasing.
    assert earliest == today - timedelta(days=12 * 31 + 16 * 7)
