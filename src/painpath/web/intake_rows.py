"""The intake form's repeated rows: diagnoses, medications, imaging studies (each with its
findings) and courses of conservative care, as many as the patient has.

A row's fields are named flat and numbered from 1 (``dx_1_code``, ``med_3_dose``, ``cc_2_kind``,
``img_2_finding_1_kind``) so the form works as a plain HTML form. How many rows a form shows is
read from the names it was sent with: a list's default, or its highest row number when that is
higher, so a form that comes back with errors keeps every row it had. Each list stops at
``MAX_ROWS``: a crafted form cannot make the server build thousands of rows, and a row number
beyond it (or one that is not a row number at all) is refused naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from painpath.services.errors import InvalidInputError

MAX_ROWS = 20

MEDICATION_FIELDS = (
    "name",
    "dose",
    "unit",
    "route",
    "units_per_dose",
    "doses_per_day",
    "started_on",
    "last_dose_on",
)
CARE_FIELDS = ("kind", "started_on", "weeks", "response", "ongoing")
STUDY_FIELDS = ("modality", "performed_on", "region", "concordant_with_symptoms")
FINDING_FIELDS = ("kind", "levels", "side", "severity")


@dataclass(frozen=True, kw_only=True)
class RowKind:
    """A list the form repeats. ``kind`` names it in the add button's intent
    (``add_medication``) and the row route (``/intake/rows/medication``); ``prefix`` starts its
    fields' names; ``noun`` and ``words`` make a field's label (``Medication 3 doses per day``);
    ``one`` is what the add button adds."""

    kind: str
    prefix: str
    noun: str
    one: str
    plural: str
    default: int
    words: Mapping[str, str]

    def field(self, row: int, name: str) -> str:
        return f"{self.prefix}_{row}_{name}"


def _as_words(names: Iterable[str]) -> dict[str, str]:
    return {name: name.replace("_", " ") for name in names}


DIAGNOSES = RowKind(
    kind="diagnosis",
    prefix="dx",
    noun="Diagnosis",
    one="diagnosis",
    plural="diagnoses",
    default=3,
    words=_as_words(("code", "description")),
)
MEDICATIONS = RowKind(
    kind="medication",
    prefix="med",
    noun="Medication",
    one="medication",
    plural="medications",
    default=4,
    words=_as_words(MEDICATION_FIELDS),
)
IMAGING = RowKind(
    kind="imaging",
    prefix="img",
    noun="Imaging study",
    one="imaging study",
    plural="imaging studies",
    default=1,
    words={
        "modality": "modality",
        "performed_on": "done on",
        "region": "region",
        "concordant_with_symptoms": "findings agree with symptoms",
    },
)
CARE = RowKind(
    kind="care",
    prefix="cc",
    noun="Conservative care",
    one="course of conservative care",
    plural="courses of conservative care",
    default=1,
    words={**_as_words(CARE_FIELDS), "weeks": "weeks given"},
)
# Findings repeat within a study: img_2_finding_1_kind is study 2's first finding.
FINDINGS = RowKind(
    kind="finding",
    prefix="finding",
    noun="finding",
    one="finding",
    plural="findings per study",
    default=1,
    words=_as_words(FINDING_FIELDS),
)
ROW_KINDS: dict[str, RowKind] = {
    kind.kind: kind for kind in (DIAGNOSES, MEDICATIONS, IMAGING, CARE)
}
_BY_PREFIX = {kind.prefix: kind for kind in ROW_KINDS.values()}

_ROW_NAME = re.compile(r"^(dx|med|img|cc)_(\d+)_(?:finding_(\d+)_)?([a-z_]+)$")
_ADD_FINDING = re.compile(r"^add_finding_(\d+)$")


def finding_field(study: int, finding: int, name: str) -> str:
    return f"{IMAGING.prefix}_{study}_{FINDINGS.prefix}_{finding}_{name}"


def row_label(name: str) -> str | None:
    """``Medication 5 dose`` for ``med_5_dose``; None for a name that is not a row's field."""
    matched = _ROW_NAME.match(name)
    if matched is None:
        return None
    prefix, row, finding, rest = matched.groups()
    kind = _BY_PREFIX[prefix]
    if finding is not None and kind is IMAGING and rest in FINDINGS.words:
        return f"{kind.noun} {int(row)} finding {int(finding)} {FINDINGS.words[rest]}"
    if finding is None and rest in kind.words:
        return f"{kind.noun} {int(row)} {kind.words[rest]}"
    return None


class RowError(InvalidInputError):
    """A row the form cannot have: numbered above ``MAX_ROWS`` or not a row number at all, or
    added to a list the form does not have."""


@dataclass(frozen=True)
class Rows:
    """How many rows of each list the form has, and of each imaging study's findings."""

    counts: Mapping[str, int]
    findings: Mapping[int, int] = field(default_factory=dict)

    def numbers(self, kind: RowKind) -> range:
        return range(1, self.counts.get(kind.kind, kind.default) + 1)

    def finding_numbers(self, study: int) -> range:
        return range(1, self.findings.get(study, FINDINGS.default) + 1)

    def adding(self, intent: str) -> tuple[Rows, str] | None:
        """These rows with the one the add button ``intent`` asks for, and the new row's
        first field (to focus); None when the intent is not to add a row."""
        finding = _ADD_FINDING.match(intent)
        if finding is not None:
            study = _row_number("intent", finding.group(1), IMAGING)
            if study > self.counts.get(IMAGING.kind, IMAGING.default):
                raise RowError("intent", f"the form has no imaging study {study}")
            number = _row_number("intent", str(len(self.finding_numbers(study)) + 1), FINDINGS)
            findings = {**self.findings, study: number}
            return replace(self, findings=findings), finding_field(study, number, "kind")
        if not intent.startswith("add_"):
            return None
        kind = ROW_KINDS.get(intent.removeprefix("add_"))
        if kind is None:
            raise RowError("intent", f"the form has no list to add to called {intent}")
        number = _row_number("intent", str(len(self.numbers(kind)) + 1), kind)
        first = next(iter(kind.words))
        return replace(self, counts={**self.counts, kind.kind: number}), kind.field(number, first)


def count_rows(values: Iterable[str]) -> Rows:
    """The rows a form sent with these field names has (see the module)."""
    counts = {kind.kind: kind.default for kind in ROW_KINDS.values()}
    findings: dict[int, int] = {}
    for name in values:
        matched = _ROW_NAME.match(name)
        if matched is None:
            continue
        prefix, row_text, finding_text, _ = matched.groups()
        kind = _BY_PREFIX[prefix]
        row = _row_number(name, row_text, kind)
        counts[kind.kind] = max(counts[kind.kind], row)
        if kind is IMAGING and finding_text is not None:
            finding = _row_number(name, finding_text, FINDINGS)
            findings[row] = max(findings.get(row, FINDINGS.default), finding)
    return Rows(counts=counts, findings=findings)


def _row_number(name: str, digits: str, kind: RowKind) -> int:
    if digits.startswith("0"):
        raise RowError(name, f"not a row of the form (rows are 1 to {MAX_ROWS})")
    # Length first: int() of thousands of digits is slow, and refused past Python's limit.
    if len(digits) > len(str(MAX_ROWS)) or int(digits) > MAX_ROWS:
        raise RowError(name, f"the form takes at most {MAX_ROWS} {kind.plural}")
    return int(digits)
