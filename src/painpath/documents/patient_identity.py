"""Who a clinical document is about, as every document heads it: name, MRN, birth date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from painpath.domain.records import PatientDetails

NOT_RECORDED = "not recorded"

LANGUAGE_NAMES = {"en": "English", "hi": "Hindi", "te": "Telugu"}


@dataclass(frozen=True)
class PatientIdentity:
    name: str
    mrn: str
    birth_date: date | None
    age: int
    """Whole years on the document's day (from the birth date, or the age on record)."""
    sex: str
    language: str
    """The patient's preferred language, named in English."""


def patient_identity(details: PatientDetails, *, on: date) -> PatientIdentity:
    """The identity block of a document dated ``on``."""
    named = " ".join(part for part in (details.given_name, details.family_name) if part)
    return PatientIdentity(
        # A patient registered by MRN alone is named by it: a blank name line would be
        # filled in by hand, which is what documents rendered from the record avoid.
        name=named or f"MRN {details.mrn}",
        mrn=details.mrn,
        birth_date=details.birth_date,
        age=details.age_on(on),
        sex=details.sex.value,
        language=LANGUAGE_NAMES.get(details.preferred_language, details.preferred_language),
    )


def words(code: str) -> str:
    """A vocabulary code as words: ``physical_therapy`` -> ``physical therapy``."""
    return code.replace("_", " ")
