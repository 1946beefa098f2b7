"""The scores beside the intake form, worked out as the form is filled in.

Every figure comes from ``painpath.scoring`` (the same functions the engine and the reports
use); nothing is scored in the browser. The form may be half filled in, so each score says
what it still needs rather than failing: an instrument with items left blank reports how many
are answered, and a medication row that is not complete reports why it is not converted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import ValidationError

from painpath.domain.case import Medication, PegAnswers
from painpath.scoring import (
    NotScorable,
    is_opioid,
    load_mme_thresholds,
    mme_per_day,
    mme_threshold_flags,
    score_oswestry,
    score_peg,
    score_start_back,
    total_mme_per_day,
)
from painpath.web.intake_form import (
    NRS_MAX,
    medication_data,
    odi_items,
    peg_items,
    start_back_items,
    text,
)
from painpath.web.intake_rows import MEDICATIONS, count_rows

_ANSWERS = {"yes": True, "no": False}


@dataclass(frozen=True)
class Score:
    """One instrument's result: the figure (None until it can be scored) and a note."""

    value: str | None
    note: str


@dataclass(frozen=True)
class MmeRow:
    medication: str
    value: str | None
    note: str


@dataclass(frozen=True)
class IntakeScores:
    nrs: Score
    odi: Score
    peg: Score
    start_back: Score
    mme_rows: tuple[MmeRow, ...]
    mme_total: Score | None
    mme_warnings: tuple[str, ...]


def intake_scores(values: Mapping[str, str]) -> IntakeScores:
    rows, total, warnings = _mme(values)
    return IntakeScores(
        nrs=_nrs(values),
        odi=_odi(values),
        peg=_peg(values),
        start_back=_start_back(values),
        mme_rows=rows,
        mme_total=total,
        mme_warnings=warnings,
    )


def _nrs(values: Mapping[str, str]) -> Score:
    raw = text(values, "nrs")
    if raw is None:
        return Score(None, "not recorded")
    if not raw.isdigit() or int(raw) > NRS_MAX:
        return Score(None, "give a whole number from 0 to 10")
    return Score(raw, "out of 10")


def _odi(values: Mapping[str, str]) -> Score:
    answers: list[int | None] = []
    for number, raw in enumerate(odi_items(values), start=1):
        if raw is not None and not (raw.isdigit() and int(raw) <= 5):
            return Score(None, f"section {number} must be 0 to 5")
        answers.append(None if raw is None else int(raw))
    answered = sum(answer is not None for answer in answers)
    if answered == 0:
        return Score(None, "not started")
    try:
        result = score_oswestry(answers)
    except NotScorable:
        return Score(None, f"{answered} of 10 sections answered; at most one may be left blank")
    total = sum(answer for answer in answers if answer is not None)
    band = result.band.value.replace("_", " ")
    return Score(
        f"{result.score:.1f}%",
        f"{band}; {total} of {5 * answered} points, {answered} of 10 sections answered",
    )


def _peg(values: Mapping[str, str]) -> Score:
    items = peg_items(values)
    answered = {name: raw for name, raw in items.items() if raw is not None}
    if len(answered) < len(items):
        return Score(None, f"{len(answered)} of 3 items answered")
    try:
        answers = PegAnswers.model_validate(answered)
    except ValidationError:
        return Score(None, "each item is a whole number from 0 to 10")
    return Score(f"{score_peg(answers):.1f}", "mean of the three items, 0 to 10")


def _start_back(values: Mapping[str, str]) -> Score:
    raw = start_back_items(values)
    answers = [_ANSWERS.get(item or "") for item in raw]
    known = [answer for answer in answers if answer is not None]
    if len(known) < len(answers):
        return Score(None, f"{len(known)} of 9 items answered")
    result = score_start_back(known)
    return Score(
        f"{result.risk.value} risk",
        f"total {result.total} of 9, psychosocial {result.psychosocial} of 5",
    )


def _mme(values: Mapping[str, str]) -> tuple[tuple[MmeRow, ...], Score | None, tuple[str, ...]]:
    rows: list[MmeRow] = []
    medications: list[Medication] = []
    for row in count_rows(values).numbers(MEDICATIONS):
        data = medication_data(values, row)
        name = data.get("name")
        if name is None or not is_opioid(name):
            continue
        fields = {key: data[key] for key in Medication.model_fields if key in data}
        try:
            medication = Medication.model_validate(fields)
        except ValidationError:
            rows.append(MmeRow(name, None, "check this row: a value is not valid"))
            continue
        line = mme_per_day(medication)
        medications.append(medication)
        if line.mme_per_day is None:
            rows.append(MmeRow(medication.name, None, f"not converted: {line.reason}"))
        else:
            rows.append(
                MmeRow(
                    medication.name,
                    f"{line.mme_per_day:g}",
                    f"MME/day (CDC factor {line.factor:g})",
                )
            )
    if not rows:
        return (), None, ()
    total = total_mme_per_day(medications)
    meanings = {threshold.id: threshold.meaning for threshold in load_mme_thresholds()}
    warnings = tuple(meanings[flag] for flag in mme_threshold_flags(total) if flag in meanings)
    incomplete = len(medications) < len(rows) or not total.complete
    note = "MME/day" + (", opioids not converted left out" if incomplete else "")
    return tuple(rows), Score(f"{total.total:g}", note), warnings
