"""The patient's self-report form: its questions, and the answers a submitted form holds.

Every text a patient reads is an English message marked with ``N_`` and translated when the
page renders (``web.i18n``). The PEG wording is Krebs et al. 2009 (free to use); the Oswestry
wording is not shipped and comes from the clinic's instrument pack, when it has one.

Field names are those of the intake form (``nrs``, ``odi_3``, ``peg_pain``, ``bm_thigh_left``,
``bm_thigh_left_intensity``), so the body map partial serves both. Empty is unanswered.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from painpath.domain.records import BodyRegion
from painpath.services.self_report import (
    NRS_MAX,
    ODI_SECTIONS,
    PEG_ITEMS,
    AnswerProblem,
    SelfReportAnswers,
    answer_problems,
)
from painpath.web.body_map import REGION_NAMES
from painpath.web.i18n import N_


@dataclass(frozen=True)
class ScaleQuestion:
    """A 0 to 10 question: its field, wording, and what its two ends mean."""

    name: str
    text: str
    low: str
    high: str


NRS_QUESTION = ScaleQuestion(
    name="nrs",
    text=N_("How bad is your pain right now?"),
    low=N_("No pain"),
    high=N_("Pain as bad as you can imagine"),
)
# PEG (Krebs EE et al., J Gen Intern Med 2009;24:733-8), in its published wording.
PEG_QUESTIONS: tuple[ScaleQuestion, ...] = (
    ScaleQuestion(
        name="peg_pain",
        text=N_("What number best describes your pain on average in the past week?"),
        low=N_("No pain"),
        high=N_("Pain as bad as you can imagine"),
    ),
    ScaleQuestion(
        name="peg_enjoyment",
        text=N_(
            "What number best describes how, during the past week, pain has interfered "
            "with your enjoyment of life?"
        ),
        low=N_("Does not interfere"),
        high=N_("Completely interferes"),
    ),
    ScaleQuestion(
        name="peg_general_activity",
        text=N_(
            "What number best describes how, during the past week, pain has interfered "
            "with your general activity?"
        ),
        low=N_("Does not interfere"),
        high=N_("Completely interferes"),
    ),
)
SCALE = tuple(range(NRS_MAX + 1))

PROBLEM_MESSAGES: dict[AnswerProblem, str] = {
    AnswerProblem.NOT_VALID: N_("Please choose one of the answers shown."),
    AnswerProblem.PEG_INCOMPLETE: N_(
        "Please answer all three of these questions, or leave all three blank."
    ),
    AnswerProblem.INTENSITY_MISSING: N_("Please choose how bad the pain is here, from 0 to 10."),
    AnswerProblem.NOTHING_ANSWERED: N_(
        "Nothing is filled in yet. Please answer at least one question."
    ),
}


def _number(values: Mapping[str, str], name: str, problems: dict[str, AnswerProblem]) -> int | None:
    raw = values.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdecimal() or len(raw) > 3:
        problems[name] = AnswerProblem.NOT_VALID
        return None
    return int(raw)


def read_answers(
    values: Mapping[str, str], *, odi_shown: bool
) -> tuple[SelfReportAnswers, dict[str, AnswerProblem]]:
    """The answers the form holds, and every problem with them by field (empty when none).

    The ODI is read only when the page showed it: without an instrument pack it was not asked.
    """
    problems: dict[str, AnswerProblem] = {}
    nrs = _number(values, "nrs", problems)
    odi: tuple[int | None, ...] = (None,) * ODI_SECTIONS
    if odi_shown:
        odi = tuple(_number(values, f"odi_{n}", problems) for n in range(1, ODI_SECTIONS + 1))
    peg = {name: _number(values, f"peg_{name}", problems) for name in PEG_ITEMS}
    body_map: list[tuple[BodyRegion, int | None]] = []
    for region in BodyRegion:
        field = f"bm_{region.value}_intensity"
        marked = bool(values.get(f"bm_{region.value}", "").strip())
        intensity = _number(values, field, problems)
        if marked or intensity is not None or field in problems:
            body_map.append((region, intensity))
    answers = SelfReportAnswers(nrs=nrs, odi=odi, peg=peg, body_map=tuple(body_map))
    # A field already found unreadable keeps that problem; the service's checks add the rest.
    for field, problem in answer_problems(answers).items():
        problems.setdefault(field, problem)
    if "answers" in problems and len(problems) > 1:
        del problems["answers"]  # something was filled in, if unreadably
    return answers, problems


SECTION_NOW = N_("Your pain now")
PEG_LABEL = N_("Your pain in the past week, question %(number)s")
ODI_LABEL = N_("Daily activities, section %(number)s")


def problem_summary(
    errors: Mapping[str, str], gettext: Callable[[str], str]
) -> list[tuple[str, str]]:
    """The problems for the list at the top of the page: where each is, and what it is, in
    the reader's language (``gettext``)."""
    summary = []
    for field, message in errors.items():
        if field == "nrs":
            summary.append(("#q-nrs", f"{gettext(SECTION_NOW)}: {message}"))
        elif field.startswith("peg_"):
            names = [question.name for question in PEG_QUESTIONS]
            number = names.index(field) + 1 if field in names else 1
            label = gettext(PEG_LABEL) % {"number": number}
            summary.append((f"#q-{field}", f"{label}: {message}"))
        elif field.startswith("odi_"):
            label = gettext(ODI_LABEL) % {"number": field.removeprefix("odi_")}
            summary.append((f"#q-{field}", f"{label}: {message}"))
        elif field.startswith("bm_"):
            code = field.removeprefix("bm_").removesuffix("_intensity")
            region = next((item for item in BodyRegion if item.value == code), None)
            label = gettext(REGION_NAMES[region]) if region is not None else code
            summary.append((f"#field-{field}", f"{label}: {message}"))
        else:
            summary.append(("#q-answers", message))
    return summary
