"""The intake form: its fields, and the records a submitted form makes.

One form records a visit: pain, the assessment (NRS, Oswestry, PEG, STarT Back and the body
map), red-flag questions, diagnoses, imaging, conservative care and medications. Each part
becomes the record the API would take for it, validated by the same models, so a form and an
API call cannot disagree about what is valid. A validation error is reported against the form
field it came from (the model's error location is mapped back to the field's name), and when
any part is invalid nothing is made: the form comes back with every problem marked.

Field names are flat (``odi_3``, ``med_1_dose``, ``img_2_finding_1_kind``,
``bm_thigh_left_intensity``) so the form works as a plain HTML form without JavaScript; the
lists repeat as many rows as the patient needs (``intake_rows``). Empty fields are unknown,
never zero or "no".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from painpath.domain.case import (
    ConservativeCare,
    Diagnosis,
    ImagingStudy,
    Pain,
    RedFlags,
    _icd10cm,
)
from painpath.domain.records import (
    BodyRegion,
    Dated,
    ListSection,
    MedicationCourse,
    RecordSection,
    SectionReview,
    VisitAssessment,
)
from painpath.domain.vocabulary import (
    CareResponse,
    ConservativeCareKind,
    DoseUnit,
    ImagingFindingKind,
    ImagingModality,
    PainDistribution,
    Route,
    Severity,
    Side,
    SpineRegion,
)
from painpath.web.intake_rows import (
    CARE,
    CARE_FIELDS,
    DIAGNOSES,
    FINDING_FIELDS,
    IMAGING,
    MEDICATION_FIELDS,
    MEDICATIONS,
    STUDY_FIELDS,
    Rows,
    count_rows,
    finding_field,
    row_label,
)

Model = TypeVar("Model", bound=BaseModel)
Options = tuple[tuple[str, str], ...]
Location = tuple[str | int, ...]

NRS_MAX = 10

# Section topics only: the Oswestry and STarT Back item wording is copyrighted and comes from
# the clinic's own licensed paper or electronic form, which the patient fills in.
ODI_SECTIONS = (
    "Pain intensity",
    "Personal care",
    "Lifting",
    "Walking",
    "Sitting",
    "Standing",
    "Sleeping",
    "Sex life",
    "Social life",
    "Travelling",
)
START_BACK_ITEMS = (
    "Leg pain in the last 2 weeks",
    "Shoulder or neck pain in the last 2 weeks",
    "Walks only short distances because of back pain",
    "Dresses more slowly because of back pain",
    "Not safe to be physically active (fear)",
    "Worrying thoughts a lot of the time",
    "Feels the back pain will never get better",
    "Has not enjoyed things as usual",
    "Bothersomeness overall",
)
PEG_ITEMS = (
    ("pain", "Average pain in the past week"),
    ("enjoyment", "Pain interfered with enjoyment of life"),
    ("general_activity", "Pain interfered with general activity"),
)
RED_FLAG_QUESTIONS = (
    ("saddle_anaesthesia", "Numbness in the saddle area"),
    ("new_bladder_dysfunction", "New bladder problems (retention or incontinence)"),
    ("anal_sphincter_laxity", "Loss of anal sphincter tone"),
    ("fever_or_chills", "Fever or chills"),
    ("recent_bacterial_infection", "Recent bacterial infection"),
    ("iv_drug_use", "Intravenous drug use"),
    ("unexplained_weight_loss", "Unexplained weight loss"),
    ("major_trauma", "Major trauma"),
    ("minor_trauma", "Minor trauma (in someone older or with osteoporosis)"),
)
PAIN_QUESTIONS = (
    ("neurogenic_claudication", "Neurogenic claudication (leg pain on walking, eased by sitting)"),
    ("below_l5", "Pain centred below L5, over the sacroiliac joint"),
    ("worsening", "Pain is getting worse"),
    ("new_or_changed", "Pain is new or has changed character"),
    ("pain_at_rest_or_night", "Pain at rest or at night"),
)

BODY_REGION_LABELS: dict[BodyRegion, str] = {
    region: region.value.replace("_", " ").replace(" left", " (left)").replace(" right", " (right)")
    for region in BodyRegion
}


def _choices(values: Sequence[str], *, blank: str = "Not recorded") -> Options:
    return (("", blank), *((value, value.replace("_", " ")) for value in values))


TRI_STATE: Options = (("", "Not asked"), ("yes", "Yes"), ("no", "No"))
START_BACK_ANSWERS: Options = (("", "Not answered"), ("yes", "Agree"), ("no", "Disagree"))
START_BACK_LAST_ANSWERS: Options = (
    ("", "Not answered"),
    ("no", "Not at all, slightly or moderately"),
    ("yes", "Very much or extremely"),
)
ODI_ANSWERS: Options = (
    ("", "Not answered"),
    *((str(n), f"{n}" + {0: " (least)", 5: " (most)"}.get(n, "")) for n in range(6)),
)
NRS_CHOICES: Options = (("", "—"), *((str(n), str(n)) for n in range(NRS_MAX + 1)))
OPTIONS: dict[str, Options] = {
    "distribution": _choices([v.value for v in PainDistribution]),
    "region": _choices([v.value for v in SpineRegion]),
    "side": _choices([v.value for v in Side]),
    "unit": _choices([v.value for v in DoseUnit]),
    "route": _choices([v.value for v in Route]),
    "care_kind": _choices([v.value for v in ConservativeCareKind]),
    "care_response": _choices([v.value for v in CareResponse]),
    "modality": _choices([v.value for v in ImagingModality]),
    "finding_kind": _choices([v.value for v in ImagingFindingKind]),
    "severity": _choices([v.value for v in Severity]),
}

# The lists a clinician can mark as reviewed with nothing to add: "none" becomes known.
NONE_FIELDS: dict[str, ListSection] = {
    "dx_none": ListSection.DIAGNOSES,
    "img_none": ListSection.IMAGING,
    "cc_none": ListSection.CONSERVATIVE_CARE,
    "med_none": ListSection.MEDICATIONS,
}
_NONE_ROWS = {"dx_none": "dx_", "img_none": "img_", "cc_none": "cc_", "med_none": "med_"}


def _labels() -> dict[str, str]:
    labels = {
        "recorded_on": "Visit date",
        "nrs": "Pain now (NRS)",
        "pain_onset_date": "Pain began on",
        "pain_distribution": "Distribution",
        "pain_region": "Spine region",
        "pain_side": "Side",
        "rf_cleared_on": "Red flags evaluated and cleared on",
        "dx_none": "No diagnoses",
        "img_none": "No imaging",
        "cc_none": "No conservative care",
        "med_none": "No medications",
    }
    labels.update({f"pain_{name}": label for name, label in PAIN_QUESTIONS})
    labels.update({f"odi_{n}": f"ODI {n} ({ODI_SECTIONS[n - 1]})" for n in range(1, 11)})
    labels.update({f"peg_{name}": f"PEG: {label}" for name, label in PEG_ITEMS})
    labels.update({f"sb_{n}": f"STarT Back {n} ({START_BACK_ITEMS[n - 1]})" for n in range(1, 10)})
    labels.update({f"rf_{name}": label for name, label in RED_FLAG_QUESTIONS})
    for region, label in BODY_REGION_LABELS.items():
        labels[f"bm_{region.value}"] = f"Body map: {label}"
        labels[f"bm_{region.value}_intensity"] = f"Body map: {label} intensity"
    return labels


# The fields of the form that do not repeat; a row's field is named by ``row_label``.
LABELS = _labels()


def label_of(name: str) -> str | None:
    """The field's name in words, or None when the form has no such field."""
    return LABELS.get(name) or row_label(name)


@dataclass
class IntakeSubmission:
    """What a submitted form makes: the records to add, in order, or the problems by field."""

    values: Mapping[str, str]
    rows: Rows
    recorded_on: date | None = None
    entries: list[tuple[RecordSection, Dated[Any]]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        """Record the first problem found with a field, named so the summary reads alone."""
        self.errors.setdefault(name, f"{label_of(name) or name}: {message}")


def read_intake(values: Mapping[str, str], *, today: date) -> IntakeSubmission:
    """The records the form makes for a visit on its ``recorded_on`` day (not after today).

    Raises ``RowError`` for a row the form cannot have (see ``intake_rows``)."""
    submission = IntakeSubmission(values=values, rows=count_rows(values))
    visit = _visit_day(submission, today)
    parts: list[tuple[RecordSection, BaseModel | None]] = [
        (RecordSection.PAIN, _pain(submission)),
        (RecordSection.ASSESSMENTS, _assessment(submission, visit)),
        (RecordSection.RED_FLAG_SCREENS, _red_flags(submission)),
        *((RecordSection.DIAGNOSES, dx) for dx in _diagnoses(submission)),
        *((RecordSection.IMAGING, study) for study in _imaging(submission)),
        *((RecordSection.CONSERVATIVE_CARE, care) for care in _care(submission)),
        *((RecordSection.MEDICATIONS, med) for med in _medications(submission)),
        *((RecordSection.SECTION_REVIEWS, review) for review in _reviews(submission)),
    ]
    if visit is not None:
        _no_day_after(submission, visit)
    if not submission.errors and visit is not None:
        submission.entries = [
            (section, Dated(recorded_on=visit, value=value))
            for section, value in parts
            if value is not None
        ]
        if not submission.entries:
            submission.error("recorded_on", "the form is empty: fill in at least one part")
    return submission


# --- The parts of the form -----------------------------------------------------------------


def text(values: Mapping[str, str], name: str) -> str | None:
    """The field's value with spaces trimmed, or None when it is empty."""
    value = values.get(name, "").strip()
    return value or None


def given(values: Mapping[str, str], names: Sequence[str]) -> dict[str, str]:
    """``{name: value}`` for each of the prefixed fields that is filled in, prefix removed."""
    return {name: value for name in names if (value := text(values, name)) is not None}


def _visit_day(submission: IntakeSubmission, today: date) -> date | None:
    raw = text(submission.values, "recorded_on")
    if raw is None:
        submission.error("recorded_on", "give the day of the visit")
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        submission.error("recorded_on", "give a date as YYYY-MM-DD")
        return None
    if day > today:
        submission.error("recorded_on", f"{day.isoformat()} is after today ({today.isoformat()})")
        return None
    submission.recorded_on = day
    return day


def _pain(submission: IntakeSubmission) -> Pain | None:
    values = submission.values
    names = {
        "onset_date": "pain_onset_date",
        "distribution": "pain_distribution",
        "region": "pain_region",
        "side": "pain_side",
        **{name: f"pain_{name}" for name, _ in PAIN_QUESTIONS},
    }
    data = {model: value for model, form in names.items() if (value := text(values, form))}
    if not data:
        return None
    return _build(submission, Pain, data, {(m,): f for m, f in names.items()}, "pain_region")


def odi_items(values: Mapping[str, str]) -> list[str | None]:
    return [text(values, f"odi_{n}") for n in range(1, 11)]


def start_back_items(values: Mapping[str, str]) -> list[str | None]:
    return [text(values, f"sb_{n}") for n in range(1, 10)]


def peg_items(values: Mapping[str, str]) -> dict[str, str | None]:
    return {name: text(values, f"peg_{name}") for name, _ in PEG_ITEMS}


def body_map_marks(values: Mapping[str, str]) -> list[tuple[BodyRegion, str | None]]:
    """The regions marked (ticked, or given an intensity) with the intensity given."""
    marks = []
    for region in BodyRegion:
        intensity = text(values, f"bm_{region.value}_intensity")
        if text(values, f"bm_{region.value}") is not None or intensity is not None:
            marks.append((region, intensity))
    return marks


def _assessment(submission: IntakeSubmission, visit: date | None) -> VisitAssessment | None:
    values = submission.values
    data: dict[str, Any] = {}
    names: dict[Location, str] = {("nrs",): "nrs", ("assessed_on",): "recorded_on"}
    if (nrs := text(values, "nrs")) is not None:
        data["nrs"] = nrs
    odi = odi_items(values)
    if any(answer is not None for answer in odi):
        data["odi"] = {"items": odi}
        names.update({("odi", "items", n - 1): f"odi_{n}" for n in range(1, 11)})
        names[("odi",)] = "odi_1"
    peg = peg_items(values)
    if _all_or_none(submission, peg, prefix="peg_", what="the three PEG items"):
        data["peg"] = peg
        names.update({("peg", name): f"peg_{name}" for name, _ in PEG_ITEMS})
    start_back = dict(zip((str(n) for n in range(1, 10)), start_back_items(values), strict=True))
    if _all_or_none(submission, start_back, prefix="sb_", what="all nine STarT Back items"):
        data["start_back"] = list(start_back.values())
        names.update({("start_back", n - 1): f"sb_{n}" for n in range(1, 10)})
        names[("start_back",)] = "sb_1"
    body_map: list[dict[str, str]] = []
    for region, intensity in body_map_marks(values):
        if intensity is None:
            submission.error(f"bm_{region.value}_intensity", "give the intensity, 0 to 10")
            continue
        names[("body_map", len(body_map))] = f"bm_{region.value}_intensity"
        body_map.append({"region": region.value, "intensity": intensity})
    if body_map:
        data["body_map"] = body_map
    if not data or visit is None:
        return None
    data["assessed_on"] = visit
    return _build(submission, VisitAssessment, data, names, "nrs")


def _all_or_none(
    submission: IntakeSubmission, answers: Mapping[str, str | None], *, prefix: str, what: str
) -> bool:
    """True when every item is answered; an error on the first blank when only some are."""
    blank = [name for name, answer in answers.items() if answer is None]
    if len(blank) == len(answers):
        return False
    if blank:
        answered = len(answers) - len(blank)
        submission.error(f"{prefix}{blank[0]}", f"answer {what}, or none ({answered} answered)")
        return False
    return True


def _red_flags(submission: IntakeSubmission) -> RedFlags | None:
    names = {name: f"rf_{name}" for name, _ in RED_FLAG_QUESTIONS}
    names["cleared_on"] = "rf_cleared_on"
    data = {
        model: value for model, form in names.items() if (value := text(submission.values, form))
    }
    if not data:
        return None
    locations: dict[Location, str] = {(m,): f for m, f in names.items()}
    return _build(submission, RedFlags, data, locations, "rf_saddle_anaesthesia")


def _diagnoses(submission: IntakeSubmission) -> list[Diagnosis]:
    found = []
    for row in submission.rows.numbers(DIAGNOSES):
        code_field = DIAGNOSES.field(row, "code")
        code = text(submission.values, code_field)
        description = text(submission.values, DIAGNOSES.field(row, "description"))
        if code is None and description is None:
            continue
        if code is None:
            submission.error(code_field, "give the ICD-10-CM code")
            continue
        data = {"code": code} | ({"description": description} if description else {})
        names: dict[Location, str] = {
            (name,): DIAGNOSES.field(row, name) for name in ("code", "description")
        }
        diagnosis = _build(submission, Diagnosis, data, names, code_field)
        if diagnosis is not None and diagnosis.description is None:
            # The code's own title, so the record reads on its own in the chart.
            title = str(_icd10cm().get_description(diagnosis.code))
            diagnosis = diagnosis.model_copy(update={"description": title})
        if diagnosis is not None:
            found.append(diagnosis)
    return found


def filled_in(values: Mapping[str, str], fields: Mapping[str, str]) -> dict[str, str]:
    """``{model field: value}`` for each of ``fields`` (model field to form field) filled in."""
    return {name: value for name, form in fields.items() if (value := text(values, form))}


def medication_data(values: Mapping[str, str], row: int) -> dict[str, str]:
    """The medication row's filled-in fields, by the model's field names."""
    return filled_in(values, {name: MEDICATIONS.field(row, name) for name in MEDICATION_FIELDS})


def _medications(submission: IntakeSubmission) -> list[MedicationCourse]:
    found = []
    for row in submission.rows.numbers(MEDICATIONS):
        data = medication_data(submission.values, row)
        if not data:
            continue
        name_field = MEDICATIONS.field(row, "name")
        if "name" not in data:
            submission.error(name_field, "give the generic name of the drug")
            continue
        names: dict[Location, str] = {
            (name,): MEDICATIONS.field(row, name) for name in MEDICATION_FIELDS
        }
        course = _build(submission, MedicationCourse, data, names, name_field)
        if course is not None:
            found.append(course)
    return found


def _care(submission: IntakeSubmission) -> list[ConservativeCare]:
    found = []
    for row in submission.rows.numbers(CARE):
        fields = {name: CARE.field(row, name) for name in CARE_FIELDS}
        data = filled_in(submission.values, fields)
        if not data:
            continue
        names: dict[Location, str] = {(name,): form for name, form in fields.items()}
        care = _build(submission, ConservativeCare, data, names, fields["kind"])
        if care is not None:
            found.append(care)
    return found


LEVEL_SEPARATORS = re.compile(r"[\s,;]+")


def _imaging(submission: IntakeSubmission) -> list[ImagingStudy]:
    found = []
    for study in submission.rows.numbers(IMAGING):
        fields = {name: IMAGING.field(study, name) for name in STUDY_FIELDS}
        data: dict[str, Any] = filled_in(submission.values, fields)
        names: dict[Location, str] = {(name,): form for name, form in fields.items()}
        findings = _findings(submission, study, names)
        if not data and not findings:
            continue
        if findings:
            data["findings"] = findings
        built = _build(submission, ImagingStudy, data, names, fields["modality"])
        # A finding that does not say what was found is reported at its field; the study's
        # own fields are still checked, so every problem shows at once.
        if built is not None and findings is not None:
            found.append(built)
    return found


def _findings(
    submission: IntakeSubmission, study: int, names: dict[Location, str]
) -> list[dict[str, Any]] | None:
    """The study's findings that are filled in (their locations added to ``names``), or None
    when one of them does not say what was found."""
    findings: list[dict[str, Any]] = []
    complete = True
    for number in submission.rows.finding_numbers(study):
        fields = {name: finding_field(study, number, name) for name in FINDING_FIELDS}
        finding: dict[str, Any] = filled_in(submission.values, fields)
        if not finding:
            continue
        if "kind" not in finding:
            submission.error(fields["kind"], "say what was found")
            complete = False
            continue
        if "levels" in finding:
            levels = LEVEL_SEPARATORS.split(finding["levels"].upper())
            finding["levels"] = [level for level in levels if level]
        names.update({("findings", len(findings), name): form for name, form in fields.items()})
        findings.append(finding)
    return findings if complete else None


def _reviews(submission: IntakeSubmission) -> list[SectionReview]:
    reviews = []
    for name, section in NONE_FIELDS.items():
        if text(submission.values, name) is None:
            continue
        prefix = _NONE_ROWS[name]
        entered = [
            key
            for key, value in submission.values.items()
            if key.startswith(prefix) and key != name and value.strip()
        ]
        if entered:
            submission.error(name, "it is ticked, but entries are filled in below it")
            continue
        reviews.append(SectionReview(section=section))
    return reviews


def _no_day_after(submission: IntakeSubmission, visit: date) -> None:
    """No day in the form may be after the visit: a case as of the visit could not hold it."""
    for name, value in submission.values.items():
        if not (name.endswith(("_on", "_date")) and name != "recorded_on"):
            continue
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            continue  # reported by the part's own model
        if day > visit:
            submission.error(name, f"{day.isoformat()} is after the visit ({visit.isoformat()})")


# --- Validation, mapped back to the form ---------------------------------------------------


def _build(
    submission: IntakeSubmission,
    model: type[Model],
    data: Mapping[str, Any],
    names: Mapping[Location, str],
    fallback: str,
) -> Model | None:
    """The model from the form's data, or None with each error put on its form field."""
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        for problem in invalid.errors():
            location = tuple(problem["loc"])
            submission.error(_field_for(location, names, fallback), _plain(problem))
        return None


def _field_for(location: Location, names: Mapping[Location, str], fallback: str) -> str:
    for length in range(len(location), 0, -1):
        found = names.get(location[:length])
        if found is not None:
            return found
    return fallback


_PLAIN: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "less_than_equal": lambda ctx: f"must be {ctx.get('le')} or less",
    "greater_than_equal": lambda ctx: f"must be {ctx.get('ge')} or more",
    "greater_than": lambda ctx: f"must be more than {ctx.get('gt')}",
    "int_parsing": lambda ctx: "must be a whole number",
    "int_from_float": lambda ctx: "must be a whole number",
    "float_parsing": lambda ctx: "must be a number",
    "date_from_datetime_parsing": lambda ctx: "give a date as YYYY-MM-DD",
    "date_parsing": lambda ctx: "give a date as YYYY-MM-DD",
    "bool_parsing": lambda ctx: "choose yes or no",
    "enum": lambda ctx: f"choose one of: {ctx.get('expected', 'the options')}",
    "literal_error": lambda ctx: f"choose one of: {ctx.get('expected', 'the options')}",
    "string_too_short": lambda ctx: f"must be at least {ctx.get('min_length')} characters",
    "string_too_long": lambda ctx: f"must be at most {ctx.get('max_length')} characters",
    "string_pattern_mismatch": lambda ctx: "give a vertebra (L4) or a segment (L4-L5)",
    "missing": lambda ctx: "this is needed",
}


def _plain(problem: Mapping[str, Any]) -> str:
    """The error in words a clinician reads; a rule's own message is kept as it is."""
    kind = str(problem.get("type", ""))
    context = problem.get("ctx") or {}
    if kind == "value_error" and "error" in context:
        return str(context["error"])
    plain = _PLAIN.get(kind)
    return plain(context) if plain else str(problem.get("msg", "is not valid"))
