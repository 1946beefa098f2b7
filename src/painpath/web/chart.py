"""What the patient chart shows: the timeline of visits, procedures, follow-ups and trials, and
the trends of NRS, ODI and MME/day, drawn as SVG on the server (no chart library, no script).

Trend points come from each visit's assessment and from each procedure follow-up. MME/day at a
visit is worked out (``painpath.scoring.mme``) from the medications active that day: started
(or, when no start is recorded, recorded) on or before it, and not stopped by it. A follow-up
gives the MME/day it recorded, or else the same working-out. Opioids the CDC table cannot
convert are left out of the total and the point is marked incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from painpath.domain.case import OswestryAnswers
from painpath.domain.records import (
    Dated,
    MedicationCourse,
    PatientHistory,
    ProcedureRecord,
    ProcedureStatus,
    VisitAssessment,
)
from painpath.scoring.mme import total_mme_per_day
from painpath.scoring.oswestry import oswestry_from_answers
from painpath.web.procedure_views import trial_notes

# Geometry of the SVG, in its own units (it scales to the width it is given).
WIDTH = 720
PANEL_HEIGHT = 110
PANEL_GAP = 34
TOP = 34
LEFT = 56
RIGHT = 20
BOTTOM = 30
INSET = 14  # keeps the first and last day's points off the axes
MIN_MME_SCALE = 50.0


@dataclass(frozen=True)
class TrendPoint:
    day: date
    source: str  # "visit" or "follow-up"
    nrs: float | None = None
    odi: float | None = None
    mme: float | None = None
    mme_complete: bool = True


@dataclass(frozen=True)
class PlotPoint:
    x: float
    y: float
    value: float
    day: date


@dataclass(frozen=True)
class Panel:
    key: str  # nrs, odi, mme: the CSS class of its line
    label: str
    top: float
    bottom: float
    ticks: tuple[tuple[float, str], ...]
    points: tuple[PlotPoint, ...]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if index == 0 else 'L'}{point.x:.1f},{point.y:.1f}"
            for index, point in enumerate(self.points)
        )


@dataclass(frozen=True)
class ProcedureMark:
    x: float
    day: date
    label: str


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    panels: tuple[Panel, ...]
    marks: tuple[ProcedureMark, ...]
    x_ticks: tuple[tuple[float, str], ...]
    points: tuple[TrendPoint, ...]  # the same numbers, for the table
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def has_data(self) -> bool:
        return any(panel.points for panel in self.panels)

    @property
    def rows(self) -> tuple[TrendPoint | ProcedureMark, ...]:
        """The points and the procedures in date order, for the table beside the chart."""
        both: list[TrendPoint | ProcedureMark] = [*self.points, *self.marks]
        return tuple(sorted(both, key=lambda row: (row.day, isinstance(row, TrendPoint))))


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str  # visit, procedure, follow-up, trial
    title: str
    details: tuple[str, ...] = ()
    status: ProcedureStatus | None = None
    order: int = field(default=0, compare=False)


def odi_score(odi: OswestryAnswers | None) -> float | None:
    """The ODI percent of an assessment, or None when it cannot be scored."""
    if odi is None:
        return None
    try:
        return oswestry_from_answers(odi).score
    except ValueError:
        return None


def active_on(course: Dated[MedicationCourse], day: date) -> bool:
    """Whether the medication was being taken on ``day`` (see the module)."""
    started = course.value.started_on or course.recorded_on
    stopped = course.value.stopped_on
    return started <= day and (stopped is None or day < stopped)


def mme_on(medications: Iterable[Dated[MedicationCourse]], day: date) -> tuple[float, bool]:
    """MME/day from the medications active on ``day``, and whether every opioid converted."""
    total = total_mme_per_day(
        course.value.medication() for course in medications if active_on(course, day)
    )
    return total.total, total.complete


def procedure_day(record: ProcedureRecord) -> date | None:
    """The day a procedure is placed on: done, else booked, else called off, else planned."""
    return record.performed_on or record.scheduled_on or record.cancelled_on or record.planned_on


def trend_points(history: PatientHistory) -> tuple[TrendPoint, ...]:
    medications = history.records.medications
    points: list[TrendPoint] = []
    for dated in history.records.assessments:
        assessment: VisitAssessment = dated.value
        mme, complete = mme_on(medications, assessment.assessed_on)
        points.append(
            TrendPoint(
                day=assessment.assessed_on,
                source="visit",
                nrs=assessment.nrs,
                odi=odi_score(assessment.odi),
                mme=mme,
                mme_complete=complete,
            )
        )
    for procedure in history.records.procedures:
        for follow_up in procedure.value.follow_ups:
            outcome = follow_up.value
            if outcome.mme_per_day is not None:
                mme, complete = outcome.mme_per_day, True
            else:
                mme, complete = mme_on(medications, outcome.followed_up_on)
            points.append(
                TrendPoint(
                    day=outcome.followed_up_on,
                    source="follow-up",
                    nrs=outcome.nrs,
                    odi=outcome.odi_score,
                    mme=mme,
                    mme_complete=complete,
                )
            )
    return tuple(sorted(points, key=lambda point: (point.day, point.source)))


def _scale(day: date, first: date, last: date) -> float:
    span = max((last - first).days, 1)
    return LEFT + INSET + (day - first).days / span * (WIDTH - LEFT - RIGHT - 2 * INSET)


def _panel(
    *,
    key: str,
    label: str,
    index: int,
    maximum: float,
    values: Sequence[tuple[date, float]],
    first: date,
    last: date,
) -> Panel:
    top = TOP + index * (PANEL_HEIGHT + PANEL_GAP)
    bottom = top + PANEL_HEIGHT

    def y_of(value: float) -> float:
        return bottom - min(value, maximum) / maximum * PANEL_HEIGHT

    ticks = tuple((y_of(tick), f"{tick:g}") for tick in (0.0, maximum / 2, maximum))
    points = tuple(
        PlotPoint(x=_scale(day, first, last), y=y_of(value), value=value, day=day)
        for day, value in values
    )
    return Panel(key=key, label=label, top=top, bottom=bottom, ticks=ticks, points=points)


def build_trend(history: PatientHistory, *, names: dict[str, str], today: date) -> Trend:
    """The three trend panels over the same days, with the performed procedures marked."""
    points = trend_points(history)
    performed = [
        (record.value.performed_on, record.value)
        for record in history.records.procedures
        if record.value.status is ProcedureStatus.PERFORMED and record.value.performed_on
    ]
    days = [point.day for point in points] + [day for day, _ in performed]
    first, last = (min(days), max(days)) if days else (today, today)
    if first == last:
        first = date.fromordinal(first.toordinal() - 7)
        last = date.fromordinal(last.toordinal() + 7)
    mme_values = [(p.day, p.mme) for p in points if p.mme is not None]
    mme_max = max([MIN_MME_SCALE, *(value for _, value in mme_values)])
    panels = (
        _panel(
            key="nrs",
            label="Pain (NRS 0–10)",
            index=0,
            maximum=10,
            values=[(p.day, float(p.nrs)) for p in points if p.nrs is not None],
            first=first,
            last=last,
        ),
        _panel(
            key="odi",
            label="Disability (ODI %)",
            index=1,
            maximum=100,
            values=[(p.day, p.odi) for p in points if p.odi is not None],
            first=first,
            last=last,
        ),
        _panel(
            key="mme",
            label="Opioids (MME/day)",
            index=2,
            maximum=float(round(mme_max / 10 + 0.499) * 10),
            values=mme_values,
            first=first,
            last=last,
        ),
    )
    height = TOP + 3 * PANEL_HEIGHT + 2 * PANEL_GAP + BOTTOM
    marks = tuple(
        ProcedureMark(
            x=_scale(day, first, last),
            day=day,
            label=names.get(record.procedure.value, record.procedure.value),
        )
        for day, record in sorted(performed, key=lambda item: item[0])
    )
    middle = date.fromordinal((first.toordinal() + last.toordinal()) // 2)
    x_ticks = tuple(
        (_scale(day, first, last), f"{day.day} {day.strftime('%b %Y')}")
        for day in (first, middle, last)
    )
    return Trend(
        width=WIDTH, height=height, panels=panels, marks=marks, x_ticks=x_ticks, points=points
    )


def _assessment_entry(assessment: VisitAssessment) -> TimelineEntry:
    details = []
    if assessment.nrs is not None:
        details.append(f"NRS {assessment.nrs}/10")
    odi = odi_score(assessment.odi)
    if odi is not None:
        details.append(f"ODI {odi:g}%")
    if assessment.rmdq is not None:
        details.append(f"RMDQ {assessment.rmdq}/24")
    if assessment.body_map:
        regions = ", ".join(entry.region.value.replace("_", " ") for entry in assessment.body_map)
        details.append(f"pain map: {regions}")
    return TimelineEntry(
        day=assessment.assessed_on, kind="visit", title="Visit assessment", details=tuple(details)
    )


def procedure_entries(record: ProcedureRecord, *, name: str, clinical: bool) -> list[TimelineEntry]:
    """The procedure on the timeline and, for clinical readers, its follow-ups and trial."""
    day = procedure_day(record)
    where = ", ".join(
        part
        for part in (
            record.region.value if record.region else None,
            " ".join(record.levels) or None,
            record.side.value if record.side else None,
        )
        if part
    )
    details: list[str] = [where] if where else []
    if clinical and record.status is ProcedureStatus.PERFORMED:
        if record.percent_relief is not None:
            details.append(f"relief {record.percent_relief:g}%")
        if record.pre_nrs is not None and record.post_nrs is not None:
            details.append(f"NRS {record.pre_nrs} before, {record.post_nrs} after")
    entries = []
    if day is not None:
        entries.append(
            TimelineEntry(
                day=day, kind="procedure", title=name, details=tuple(details), status=record.status
            )
        )
    if clinical:
        for dated in record.follow_ups:
            outcome = dated.value
            notes = []
            if outcome.nrs is not None:
                notes.append(f"NRS {outcome.nrs}/10")
            if outcome.percent_relief is not None:
                notes.append(f"relief {outcome.percent_relief:g}%")
            if outcome.odi_score is not None:
                notes.append(f"ODI {outcome.odi_score:g}%")
            if outcome.mme_per_day is not None:
                notes.append(f"{outcome.mme_per_day:g} MME/day")
            if outcome.note:
                notes.append(outcome.note)
            entries.append(
                TimelineEntry(
                    day=outcome.followed_up_on,
                    kind="follow-up",
                    title=f"Follow-up of {name}",
                    details=tuple(notes),
                )
            )
        entries.extend(
            TimelineEntry(
                day=trial.value.ended_on or trial.value.started_on,
                kind="trial",
                title=f"Trial of {name}",
                details=trial_notes(trial.value),
            )
            for trial in record.trials
        )
    return entries


def timeline(
    *,
    assessments: Iterable[VisitAssessment],
    procedures: Iterable[ProcedureRecord],
    names: dict[str, str],
    clinical: bool,
) -> list[TimelineEntry]:
    """Visits, procedures and follow-ups, newest first (the order recorded breaks ties)."""
    entries: list[TimelineEntry] = [_assessment_entry(item) for item in assessments]
    for record in procedures:
        name = names.get(record.procedure.value, record.procedure.value)
        entries.extend(procedure_entries(record, name=name, clinical=clinical))
    numbered = [
        TimelineEntry(
            day=entry.day,
            kind=entry.kind,
            title=entry.title,
            details=entry.details,
            status=entry.status,
            order=index,
        )
        for index, entry in enumerate(entries)
    ]
    return sorted(numbered, key=lambda entry: (entry.day, entry.order), reverse=True)
