"""One synthetic patient's chart as it is built, visit by visit, from the first consultation.

The pathways (``pathways.py``) decide what happens and when; the chart turns each step into
the records a clinic would have made of it, each dated on the visit it belongs to: assessments
before every procedure, blood thinners held for the procedure's bleeding-risk class (ASRA/ESRA
2018, from the drug table) and restarted after it, the procedure's note, its follow-ups at the
milestones of its schedule (some missed, a few late), the relief on each and its decay, and an
opioid dose that some patients bring down once a procedure has helped.

Every value is built with the record models themselves, so an invalid one fails here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from random import Random
from typing import Literal

from painpath.domain.case import (
    Assessment,
    ConservativeCare,
    LabResult,
    Medication,
    OswestryAnswers,
    PegAnswers,
    PlannedProcedure,
    PriorProcedure,
)
from painpath.domain.procedure_life import (
    TRIAL_PROCEDURES,
    Approach,
    Complication,
    DrugGiven,
    DrugUnit,
    FollowUp,
    Guidance,
    Trial,
    TrialOutcome,
)
from painpath.domain.records import (
    BodyMapEntry,
    BodyRegion,
    Dated,
    MedicationCourse,
    ProcedureRecord,
    ProcedureStatus,
    VisitAssessment,
)
from painpath.domain.vocabulary import (
    AspirinIndication,
    BleedingRisk,
    CareResponse,
    ConservativeCareKind,
    DoseUnit,
    LabTest,
    ProcedureId,
    ReliefScale,
    Route,
    Side,
    SpineRegion,
)
from painpath.knowledge_base.follow_up import load_follow_up_schedules
from painpath.knowledge_base.loader import load_antithrombotics, load_procedures
from painpath.knowledge_base.models import AntithromboticRow
from painpath.scoring.mme import total_mme_per_day
from painpath.scoring.relief import percent_relief
from painpath.services.procedure_details import FollowUpDetails, TrialDetails

Purpose = Literal["diagnostic", "therapeutic"]
HOURS_PER_DAY = 24
# How sharply relief wears off around its half-life.
_STEEPNESS = 3
# How far ahead the clinic books: a step due later than this is not on record yet.
BOOKING_HORIZON = timedelta(days=21)
OPERATORS = ("Dr. K. Raghunath", "Dr. S. Fathima", "Dr. P. Venkat", "Dr. A. Deshpande")


@dataclass(frozen=True)
class Response:
    """How a procedure works for this patient: the peak relief (percent) and the days until
    it is half of that. Relief holds near its peak at first and then wears off (a Hill curve,
    ``peak / (1 + (days / half_after_days) ** 3)``), as relief after an injection does."""

    peak: float
    half_after_days: float

    def relief_on(self, days: int, rng: Random) -> float:
        noise = rng.uniform(-6, 6)
        relief = self.peak / (1 + (days / self.half_after_days) ** _STEEPNESS) + noise
        return max(min(relief, 100), -30)

    def below_on(self, relief: float) -> int:
        """The day (after the procedure) from which the relief, noise aside, is below
        ``relief``; 0 when it never reaches it."""
        if self.peak <= relief:
            return 0
        ratio: float = (self.peak / relief - 1) ** (1 / _STEEPNESS)
        return round(self.half_after_days * ratio)


@dataclass(frozen=True)
class Step:
    """A procedure to do on a day: what, where, and what it will do for the patient."""

    procedure: ProcedureId
    day: date
    region: SpineRegion
    levels: tuple[str, ...] = ()
    side: Side | None = None
    purpose: Purpose = "therapeutic"
    approach: Approach | None = None
    steroid: str | None = None
    steroid_dose_mg: float | None = None
    response: Response = Response(0, 30)
    trial_days: int = 7
    note: str = ""


@dataclass
class _Course:
    """A medication being taken, from ``since``; ``medication`` is what the list says."""

    medication: Medication
    since: date


@dataclass
class Chart:
    """The records of one patient, in the order the clinic made them (see the module)."""

    rng: Random
    today: date
    first_visit: date
    baseline_nrs: int
    baseline_odi: float
    body_map: tuple[BodyMapEntry, ...]
    assessments: list[Dated[VisitAssessment]] = field(default_factory=list)
    conservative_care: list[Dated[ConservativeCare]] = field(default_factory=list)
    medications: list[Dated[MedicationCourse]] = field(default_factory=list)
    labs: list[Dated[LabResult]] = field(default_factory=list)
    procedures: list[Dated[ProcedureRecord]] = field(default_factory=list)
    opioid: _Course | None = None
    # Opioid courses already ended, with the day each ended: follow-ups of an earlier
    # procedure can fall after a later one, so the dose is looked up by day.
    opioid_before: list[tuple[_Course, date]] = field(default_factory=list)
    # The latest day a follow-up has stated the dose for: a change of dose comes after it.
    dose_stated_until: date = date.min
    thinner: _Course | None = None
    # The day of the last procedure (or the first visit): the next step is planned after it.
    last_step: date = date.min

    # --- visits and care before procedures -------------------------------------------------

    def assess(self, day: date, *, nrs: int | None = None, odi: float | None = None) -> None:
        """An assessment with NRS, ODI and PEG (and the body map at the first visit)."""
        pain = self.baseline_nrs if nrs is None else nrs
        disability = self.baseline_odi if odi is None else odi
        assessment = Assessment(
            assessed_on=day,
            nrs=pain,
            odi=OswestryAnswers(score=round(min(max(disability, 0), 100), 1)),
            peg=PegAnswers(
                pain=pain,
                enjoyment=_clamp(pain + self.rng.randint(-2, 1)),
                general_activity=_clamp(pain + self.rng.randint(-2, 1)),
            ),
        )
        body_map = self.body_map if not self.assessments else None
        self.assessments.append(Dated(day, VisitAssessment.of(assessment, body_map=body_map)))

    def care(
        self,
        kind: ConservativeCareKind,
        *,
        started_on: date,
        weeks: int,
        response: CareResponse = CareResponse.FAILED,
    ) -> None:
        """Conservative care given for ``weeks`` from ``started_on``, recorded at the first
        visit."""
        ongoing = started_on + timedelta(weeks=weeks) > self.first_visit
        entry = ConservativeCare(
            kind=kind, started_on=started_on, weeks=weeks, response=response, ongoing=ongoing
        )
        self.conservative_care.append(Dated(self.first_visit, entry))

    def start(self, medication: Medication, *, since: date) -> None:
        """A medication the patient takes from ``since`` (recorded at the first visit at the
        latest); an opioid or a drug of the blood-thinner table is followed through holds and
        dose changes."""
        course = _Course(medication, since)
        if load_antithrombotics().get(medication.name) is not None:
            self.thinner = course
        elif medication.name in _OPIOID_NAMES:
            self.opioid = course
        else:
            self._record_course(course, until=None)

    def lab(self, test: LabTest, value: float, day: date) -> None:
        self.labs.append(Dated(day, LabResult(test=test, value=round(value, 1), measured_on=day)))

    def mme_on(self, day: date) -> float:
        """MME/day of the opioid taken on ``day`` (0 when none)."""
        taken = [course for course, ended in self.opioid_before if course.since <= day < ended]
        if self.opioid is not None and self.opioid.since <= day:
            taken.append(self.opioid)
        return round(total_mme_per_day(course.medication for course in taken).total, 1)

    # --- procedures ---------------------------------------------------------------------------

    def perform(self, step: Step) -> ProcedureRecord | None:
        """Do the step (a procedure in the past or today), or book it when it is still to come
        within the booking horizon; None when it was not done (booked or too far ahead)."""
        planned_on = max(step.day - timedelta(days=self.rng.randint(7, 28)), self.last_step)
        if step.day > self.today:
            if planned_on <= self.today and step.day <= self.today + BOOKING_HORIZON:
                self._book(step, planned_on)
            return None
        pre_visit = max(step.day - timedelta(days=self.rng.randint(1, 10)), self.last_step)
        if pre_visit < step.day:
            self.assess(pre_visit, nrs=_clamp(self.baseline_nrs + self.rng.randint(-1, 1)))
        self._hold_blood_thinner(step)
        record = self._note(step, planned_on)
        record = replace(record, follow_ups=self._follow_ups(step, record))
        if step.procedure in TRIAL_PROCEDURES:
            record = replace(record, trials=(self._trial(step),))
        self.procedures.append(Dated(planned_on, record))
        self.last_step = step.day
        return record

    def cancel(self, step: Step, reason: str) -> None:
        """A booking called off before the day (the patient's choice, an illness...)."""
        planned_on = max(step.day - timedelta(days=self.rng.randint(7, 21)), self.last_step)
        called_off = min(step.day - timedelta(days=self.rng.randint(1, 5)), self.today)
        record = _booked(step, planned_on=planned_on, scheduled=True)
        record = replace(
            record,
            status=ProcedureStatus.CANCELLED,
            cancelled_on=max(called_off, planned_on),
            cancellation_reason=reason,
        )
        self.procedures.append(Dated(planned_on, record))

    def _book(self, step: Step, planned_on: date) -> None:
        # Booked (a date agreed) most of the time; otherwise planned and not yet booked.
        scheduled = self.rng.random() < 0.8
        record = _booked(step, planned_on=planned_on, scheduled=scheduled)
        if scheduled:
            record = replace(
                record,
                consent_recorded=self.rng.random() < 0.7,
                driver_arranged=self.rng.random() < 0.6,
            )
        self.procedures.append(Dated(planned_on, record))

    def _note(self, step: Step, planned_on: date) -> ProcedureRecord:
        pre = _clamp(self.baseline_nrs + self.rng.randint(-1, 1), low=3)
        diagnostic = step.purpose == "diagnostic"
        relief = step.response.peak if diagnostic else None
        post = _clamp(round(pre * (1 - step.response.peak / 100))) if diagnostic else None
        complication = self.rng.choices(
            (Complication.NONE, Complication.VASOVAGAL, Complication.INCREASED_PAIN),
            weights=(96, 3, 1),
        )[0]
        drugs = [DrugGiven("lidocaine", 2.0 if diagnostic else 3.0, DrugUnit.ML)]
        if step.procedure is ProcedureId.MEDIAL_BRANCH_BLOCK:
            drugs = [DrugGiven("bupivacaine", 0.5, DrugUnit.ML)]
        if step.steroid and step.steroid_dose_mg:
            drugs.append(DrugGiven(step.steroid, step.steroid_dose_mg, DrugUnit.MG))
        contrast = step.procedure not in _NO_CONTRAST
        record = ProcedureRecord(
            procedure=step.procedure,
            status=ProcedureStatus.PERFORMED,
            planned_on=planned_on,
            scheduled_on=step.day,
            performed_on=step.day,
            region=step.region,
            levels=step.levels,
            side=step.side,
            purpose=step.purpose,
            steroid=step.steroid,
            steroid_dose_mg=step.steroid_dose_mg,
            operator_name=self.rng.choice(OPERATORS),
            approach=step.approach,
            guidance=Guidance.FLUOROSCOPY,
            contrast_used=contrast,
            contrast_agent="iohexol" if contrast else None,
            drugs=tuple(drugs),
            pre_nrs=pre,
            post_nrs=post,
            complications=(complication,),
            note=step.note or None,
            consent_recorded=True,
            driver_arranged=True,
        )
        if relief is not None and post is not None:
            # A diagnostic block's answer is the relief during the anaesthetic (pain diary).
            record = replace(
                record, percent_relief=percent_relief(pre, post), relief_scale=ReliefScale.NRS
            )
        _validate(record)
        return record

    def _follow_ups(self, step: Step, record: ProcedureRecord) -> tuple[Dated[FollowUp], ...]:
        """Visits at the schedule's milestones: attended less often as time goes on, a few days
        early or late; none after today."""
        schedules = load_follow_up_schedules()[step.procedure]
        schedule = schedules.for_purpose(step.purpose) or schedules.for_purpose(
            "therapeutic" if step.purpose == "diagnostic" else "diagnostic"
        )
        if schedule is None or record.pre_nrs is None:
            return ()
        visits: list[Dated[FollowUp]] = []
        for index, milestone in enumerate(schedule.plan):
            if milestone.end_of_trial:
                continue  # the trial's own record closes it
            due = milestone.due_on(step.day)
            seen_on = due if milestone.same_day else due + timedelta(days=self.rng.randint(-3, 10))
            if seen_on > self.today:
                break
            attends = 0.92 - 0.07 * index
            if self.rng.random() > attends:
                continue  # missed: the worklist chases it, then lets it go
            visits.append(Dated(seen_on, self._visit(step, record, seen_on)))
        return tuple(visits)

    def _visit(self, step: Step, record: ProcedureRecord, day: date) -> FollowUp:
        pre = record.pre_nrs or self.baseline_nrs
        if record.post_nrs is not None and day == step.day:
            nrs = record.post_nrs
        else:
            relief = step.response.relief_on((day - step.day).days, self.rng)
            nrs = _clamp(round(pre * (1 - relief / 100)))
        reduced, on_opioid = False, self.mme_on(day) > 0
        if on_opioid and nrs <= pre / 2 and self.rng.random() < 0.35:
            reduced = self._reduce_opioid(day)
        self.dose_stated_until = max(self.dose_stated_until, day)
        odi = self.baseline_odi * (nrs / pre if pre else 1) + self.rng.uniform(-4, 4)
        return _follow_up(
            followed_up_on=day,
            nrs=nrs,
            percent_relief=percent_relief(pre, nrs),
            relief_scale=ReliefScale.NRS,
            odi_score=round(min(max(odi, 0), 100), 1),
            mme_per_day=self.mme_on(day),
            medication_reduced=reduced if on_opioid else None,
        )

    def _trial(self, step: Step) -> Dated[Trial]:
        ended = step.day + timedelta(days=step.trial_days)
        relief = round(min(max(step.response.peak + self.rng.uniform(-5, 5), 0), 100))
        passed = relief >= 50
        if ended > self.today:  # still under way
            return Dated(step.day, _trial(started_on=step.day))
        trial = _trial(
            started_on=step.day,
            ended_on=ended,
            percent_relief=relief,
            relief_scale=ReliefScale.NRS,
            function_improved=passed,
            medication_reduced=passed and self.opioid is not None,
            outcome=TrialOutcome.PASSED if passed else TrialOutcome.FAILED,
            note="Leads removed at the end of the trial.",
        )
        return Dated(ended, trial)

    # --- medications over time -------------------------------------------------------------

    def _hold_blood_thinner(self, step: Step) -> None:
        """Hold the blood thinner for the procedure's class: the last dose the hold's days
        before it (or a day earlier), the course resumed the day after the procedure."""
        course = self.thinner
        if course is None:
            return
        days = hold_days(course.medication, step.procedure, step.region)
        if days is None:
            return
        last = step.day - timedelta(days=days + self.rng.randint(0, 1))
        last = max(last, course.since)
        self._record_course(course, until=last + timedelta(days=1))
        held = course.medication.model_copy(update={"last_dose_on": last})
        self._record_course(
            _Course(held, course.since),
            until=step.day + timedelta(days=1),
            on=last + timedelta(days=1),
        )
        self.thinner = _Course(course.medication, step.day + timedelta(days=1))
        if hold_row(course.medication).requires_normal_inr:
            self.lab(LabTest.INR, self.rng.uniform(1.0, 1.3), step.day - timedelta(days=1))

    def _reduce_opioid(self, day: date) -> bool:
        """One dose a day fewer from ``day`` (or none at all); never before a day whose dose
        a follow-up has already stated."""
        course = self.opioid
        if course is None or course.since >= day or day < self.dose_stated_until:
            return False
        self._record_course(course, until=day)
        self.opioid_before.append((course, day))
        doses = course.medication.doses_per_day or 1
        if doses <= 1:
            self.opioid = None  # stopped altogether
            return True
        lower = course.medication.model_copy(update={"doses_per_day": doses - 1})
        self.opioid = _Course(lower, day)
        return True

    def close(self) -> None:
        """Put the courses still being taken on record."""
        for course in (self.opioid, self.thinner):
            if course is not None:
                self._record_course(course, until=None)
        self.opioid = self.thinner = None

    def _record_course(
        self, course: _Course, *, until: date | None, on: date | None = None
    ) -> None:
        recorded = on or max(course.since, self.first_visit)
        if recorded > self.today:
            return
        entry = MedicationCourse.of(course.medication, started_on=course.since, stopped_on=until)
        self.medications.append(Dated(recorded, entry))


# Procedures done without contrast (the lead or cement is seen on fluoroscopy itself).
_NO_CONTRAST = frozenset(
    {ProcedureId.SCS_TRIAL, ProcedureId.SCS_IMPLANT, ProcedureId.VERTEBROPLASTY}
)
_OPIOID_NAMES = frozenset({"tramadol", "tapentadol", "morphine", "oxycodone", "codeine"})


def hold_row(medication: Medication) -> AntithromboticRow:
    """The drug table's row for this medication (the aspirin row for its indication)."""
    drug = load_antithrombotics()[medication.name]
    wanted = {}
    if medication.aspirin_indication is not None:
        wanted["aspirin_indication"] = medication.aspirin_indication.value
    for row in drug.rows:
        if row.applies_when and row.applies_when == wanted:
            return row
    return next(row for row in drug.rows if not row.applies_when)


def bleeding_class(procedure: ProcedureId, region: SpineRegion) -> BleedingRisk:
    return load_procedures()[procedure].bleeding_risk_for(region)


def hold_days(medication: Medication, procedure: ProcedureId, region: SpineRegion) -> int | None:
    """Whole days to hold before the procedure, or None when the table says continue or
    decide together (the patient's own bleeding risk is never raised here: one blood thinner,
    no renal or liver disease)."""
    advice = hold_row(medication).hold[bleeding_class(procedure, region)]
    if advice.action != "hold" or advice.hours is None:
        return None
    return math.ceil(advice.hours / HOURS_PER_DAY)


def _booked(step: Step, *, planned_on: date, scheduled: bool) -> ProcedureRecord:
    record = ProcedureRecord(
        procedure=step.procedure,
        status=ProcedureStatus.SCHEDULED if scheduled else ProcedureStatus.PLANNED,
        planned_on=planned_on,
        scheduled_on=step.day if scheduled else None,
        region=step.region,
        levels=step.levels,
        side=step.side,
        purpose=step.purpose,
        steroid=step.steroid,
        steroid_dose_mg=step.steroid_dose_mg,
    )
    PlannedProcedure.model_validate(
        {name: getattr(record, name) for name in PlannedProcedure.model_fields}
    )
    return record


def _validate(record: ProcedureRecord) -> None:
    """Check a performed record with the case's own model of a prior procedure."""
    PriorProcedure.model_validate(
        {
            name: getattr(record, name)
            for name in PriorProcedure.model_fields
            if getattr(record, name) is not None
        }
    )


def _follow_up(**values: object) -> FollowUp:
    """A follow-up checked as the API checks one (``FollowUpDetails``)."""
    details = FollowUpDetails.model_validate(values)
    return FollowUp(**details.model_dump())


def _trial(**values: object) -> Trial:
    """A trial checked as the API checks one (``TrialDetails``)."""
    return Trial(**TrialDetails.model_validate(values).model_dump())


def _clamp(value: int, *, low: int = 0, high: int = 10) -> int:
    return min(max(value, low), high)


def medication(
    name: str,
    dose: float,
    *,
    doses_per_day: float,
    unit: DoseUnit = DoseUnit.MG,
    route: Route = Route.ORAL,
    aspirin_indication: AspirinIndication | None = None,
) -> Medication:
    return Medication(
        name=name,
        dose=dose,
        unit=unit,
        route=route,
        doses_per_day=doses_per_day,
        aspirin_indication=aspirin_indication,
        long_term=True,
    )


REGION_OF_SIDE: dict[Side, tuple[BodyRegion, ...]] = {
    Side.LEFT: (BodyRegion.LUMBAR_LEFT,),
    Side.RIGHT: (BodyRegion.LUMBAR_RIGHT,),
    Side.BILATERAL: (BodyRegion.LUMBAR_LEFT, BodyRegion.LUMBAR_RIGHT),
    Side.MIDLINE: (BodyRegion.LUMBAR_LEFT, BodyRegion.LUMBAR_RIGHT),
}
