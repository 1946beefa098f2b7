"""The code systems and curated code tables the FHIR import reads.

Each table is small on purpose: a code that is not in it is reported as not mapped, never
guessed. The SNOMED CT rows follow the SNOMED CT to ICD-10-CM map published by the U.S.
National Library of Medicine (https://www.nlm.nih.gov/research/umls/mapping_projects/
snomedct_to_icd10cm.html); the RxNorm rows are RxNorm's own names for the products
(https://www.nlm.nih.gov/research/umls/rxnorm/), from which strength and dose form are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Final

from painpath.domain.records import AllergenClass
from painpath.domain.vocabulary import LabTest, ProcedureId, SpineRegion
from painpath.knowledge_base.loader import load_procedures

ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED: Final = "http://snomed.info/sct"
LOINC: Final = "http://loinc.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT: Final = "http://www.ama-assn.org/go/cpt"
IDENTIFIER_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
MEDICAL_RECORD_NUMBER: Final = "MR"

# painpath's own code systems and questionnaires, as its FHIR export writes them: read back
# only for what painpath itself names (a procedure id, a score, a lab in painpath's unit).
PAINPATH: Final = "urn:painpath"
PAINPATH_PROCEDURE: Final = "urn:painpath:codesystem:procedure"
# The engine's recommendation statuses, its rule ids and its rule book (export only).
PAINPATH_RECOMMENDATION_STATUS: Final = "urn:painpath:codesystem:recommendation-status"
PAINPATH_RULE: Final = "urn:painpath:codesystem:rule"
PAINPATH_RULE_BOOK: Final = "urn:painpath:rule-book"
PAINPATH_SCORE: Final = "urn:painpath:codesystem:score"
PAINPATH_LAB: Final = "urn:painpath:codesystem:lab"
ODI_QUESTIONNAIRE: Final = "urn:painpath:questionnaire:oswestry"
PEG_QUESTIONNAIRE: Final = "urn:painpath:questionnaire:peg"
START_BACK_QUESTIONNAIRE: Final = "urn:painpath:questionnaire:start-back"
# The kinds of painpath record that FHIR has no standard code for (a pain report, a red-flag
# screen...): the code of the Observation, DiagnosticReport or Procedure that carries one.
PAINPATH_RECORD: Final = "urn:painpath:codesystem:record"
# A field of such a record (an Observation component's code): the case format's field name.
PAINPATH_FIELD: Final = "urn:painpath:codesystem:field"
# A conservative-care kind (physical_therapy, acupuncture...): a Procedure's code.
PAINPATH_CONSERVATIVE_CARE: Final = "urn:painpath:codesystem:conservative-care"
# A case list section (diagnoses, labs...): the code of a List saying it was reviewed.
PAINPATH_SECTION: Final = "urn:painpath:codesystem:section"
# The case's own reference (its case_id), as a Patient identifier's system.
PAINPATH_CASE_REFERENCE: Final = "urn:painpath:case-reference"
# Extensions painpath writes where FHIR has no element for a fact: the base and its names.
PAINPATH_EXTENSION: Final = "urn:painpath:extension"


def painpath_enum_system(enum_name: str) -> str:
    """The code system of one of the case format's enumerations (``PainDistribution`` is
    ``urn:painpath:codesystem:pain-distribution``); its codes are the enumeration's values."""
    kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", enum_name).lower()
    return f"urn:painpath:codesystem:{kebab}"


def painpath_extension(name: str) -> str:
    """The URL of one of painpath's extensions (``age``, ``steroid-dose-mg``...)."""
    return f"{PAINPATH_EXTENSION}:{name}"


# Extensions by name; every one painpath writes is listed in docs/INTEROPERABILITY.md.
EXTENSION_NAMES: Final = (
    "age",  # complex: "age" (valueAge, years) and "recordedOn" (valueDate)
    "generic-name",
    "aspirin-indication",
    "anticoagulant-intensity",
    "long-term",
    "last-dose-on",
    "purpose",
    "steroid",
    "steroid-dose-mg",
    "relief-weeks",
    "relief-ongoing",
    "reason-not-ablation",
    "cancelled-on",
    "arrive-at",
    "care-weeks",
    "recorded-on",
    "imaging-modality",
    "spine-region",
    "concordant-with-symptoms",
)

# Standard codes painpath writes and reads for facts FHIR has a place for.
DATA_ABSENT_REASON: Final = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
LIST_EMPTY_REASON: Final = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
DIAGNOSTIC_SERVICE: Final = "http://terminology.hl7.org/CodeSystem/v2-0074"
# LOINC 82810-3 Pregnancy status, with the LOINC answers of the IPS pregnancy-status value set
# (http://hl7.org/fhir/uv/ips/ValueSet/pregnancy-status-uv-ips).
LOINC_PREGNANCY_STATUS: Final = "82810-3"
LOINC_PREGNANT: Final = "LA15173-0"
LOINC_NOT_PREGNANT: Final = "LA26683-5"
LOINC_UNKNOWN: Final = "LA4489-6"

# SNOMED CT back-pain findings and disorders -> the ICD-10-CM code the NLM map gives them.
# Chronicity has no ICD-10-CM code of its own, so chronic low back pain maps like low back pain.
SNOMED_TO_ICD10CM: Final = MappingProxyType(
    {
        "278860009": "M54.50",  # Chronic low back pain -> Low back pain, unspecified
        "279039007": "M54.50",  # Low back pain -> Low back pain, unspecified
        "161891005": "M54.9",  # Backache -> Dorsalgia, unspecified
        "134407002": "M54.9",  # Chronic back pain -> Dorsalgia, unspecified
        "23056005": "M54.30",  # Sciatica -> Sciatica, unspecified side
    }
)

# SNOMED CT body structures of the spine -> the region (as painpath's export writes them).
SNOMED_SPINE_REGIONS: Final = MappingProxyType(
    {
        "122494005": SpineRegion.CERVICAL,  # Cervical spine structure
        "122495006": SpineRegion.THORACIC,  # Thoracic spine structure
        "122496007": SpineRegion.LUMBAR,  # Lumbar spine structure
        "54735007": SpineRegion.SACRAL,  # Bone structure of sacrum
    }
)

# LOINC 72514-3: Pain severity - 0-10 verbal numeric rating [Score] - Reported.
LOINC_PAIN_SEVERITY: Final = "72514-3"
# LOINC 97909-6: Oswestry disability index score ODI (a percent, 0-100).
LOINC_ODI_SCORE: Final = "97909-6"

# LOINC laboratory codes -> painpath's lab test, with the UCUM unit painpath's value is in.
LOINC_LABS: Final = MappingProxyType(
    {
        "6301-6": (LabTest.INR, "{INR}"),  # INR in Platelet poor plasma by Coagulation assay
        "34714-6": (LabTest.INR, "{INR}"),  # INR in Blood by Coagulation assay
        "4548-4": (LabTest.HBA1C, "%"),  # Hemoglobin A1c/Hemoglobin.total in Blood
        "777-3": (LabTest.PLATELETS, "10*9/L"),  # Platelets [#/volume] in Blood by Automated count
    }
)

# UCUM units that are the same quantity as the unit painpath keeps (10^3 per microlitre is
# 10^9 per litre), so the value is taken as it is.
SAME_UNITS: Final = MappingProxyType({"10*3/uL": "10*9/L"})

# RxNorm clinical drugs (RXCUI -> RxNorm name) for common opioid products. The name carries
# the strength and dose form the MME needs. A coding's own display (RxNorm's name, as EHRs and
# Synthea write it) is read first; this table answers for codings sent without one.
RXNORM_OPIOIDS: Final = MappingProxyType(
    {
        "1049621": "Oxycodone Hydrochloride 5 MG Oral Tablet",
        "1049221": "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet",
        "1860154": (
            "Abuse-Deterrent 12 HR Oxycodone Hydrochloride 15 MG Extended Release Oral Tablet"
        ),
        "856987": "Acetaminophen 300 MG / HYDROcodone Bitartrate 5 MG Oral Tablet",
        "857005": "Acetaminophen 325 MG / HYDROcodone Bitartrate 7.5 MG Oral Tablet",
        "835603": "tramadol hydrochloride 50 MG Oral Tablet",
        "245134": "72 HR Fentanyl 0.025 MG/HR Transdermal System",
    }
)

# Words in an allergen's name -> the class of substance procedures care about. Matched on the
# coded display and the text; anything else is kept as "other".
ALLERGEN_WORDS: Final = MappingProxyType(
    {
        AllergenClass.CONTRAST: (
            "contrast",
            "iodinated",
            "iohexol",
            "iopamidol",
            "iodixanol",
            "ioversol",
            "gadolinium",
            "gadobutrol",
        ),
        AllergenClass.LATEX: ("latex",),
        AllergenClass.CORTICOSTEROID: (
            "corticosteroid",
            "steroid",
            "methylprednisolone",
            "triamcinolone",
            "dexamethasone",
            "betamethasone",
            "prednisolone",
            "prednisone",
            "hydrocortisone",
        ),
        AllergenClass.LOCAL_ANAESTHETIC: (
            "local anesthetic",
            "local anaesthetic",
            "lidocaine",
            "lignocaine",
            "bupivacaine",
            "ropivacaine",
            "mepivacaine",
        ),
        AllergenClass.BONE_CEMENT: ("bone cement", "methyl methacrylate", "methylmethacrylate"),
    }
)


def allergen_class(name: str) -> AllergenClass:
    """The class of an allergen by the words of its name; OTHER when none matches."""
    lowered = name.lower()
    for kind, words in ALLERGEN_WORDS.items():
        if any(word in lowered for word in words):
            return kind
    return AllergenClass.OTHER


@cache
def procedures_by_cpt() -> dict[str, tuple[ProcedureId, ...]]:
    """Each CPT code of the procedure knowledge base and the procedures that use it.

    Only codes are read: the CPT descriptions are licensed and are not part of painpath.
    """
    found: dict[str, list[ProcedureId]] = {}
    for procedure_id, procedure in load_procedures().items():
        for code in procedure.cpt:
            found.setdefault(code, []).append(ProcedureId(procedure_id))
    return {code: tuple(sorted(ids)) for code, ids in found.items()}


@dataclass(frozen=True)
class SnomedProcedure:
    """A SNOMED CT procedure concept, the painpath procedures it may be, and where the code
    was checked. Several procedures make the code ambiguous, as a shared CPT code is."""

    term: str
    procedures: tuple[ProcedureId, ...]
    verified_in: str


# SNOMED CT procedure concepts -> painpath procedures. A row is added only once its code and
# meaning have been checked against a published source (a SNOMED CT release browser, an NLM
# VSAC value set, an HL7 implementation guide), named in ``verified_in``: a code that was not
# checked is not guessed, and a Procedure or order carrying it is reported as not mapped.
# No interventional spine procedure code has been checked yet; docs/INTEROPERABILITY.md lists
# the procedures still without one.
SNOMED_PROCEDURES: Final[MappingProxyType[str, SnomedProcedure]] = MappingProxyType({})


def procedures_by_coding(
    codings: Iterable[tuple[str, str]],
) -> dict[tuple[str, str], tuple[ProcedureId, ...]]:
    """Each (system, code) of ``codings`` that names procedures painpath knows, a CPT code
    (from the knowledge base) or a SNOMED CT code (from ``SNOMED_PROCEDURES``), with them."""
    found: dict[tuple[str, str], tuple[ProcedureId, ...]] = {}
    for system, code in codings:
        if system == CPT:
            procedures = procedures_by_cpt().get(code, ())
        elif system == SNOMED and code in SNOMED_PROCEDURES:
            procedures = SNOMED_PROCEDURES[code].procedures
        else:
            continue
        if procedures:
            found[(system, code)] = procedures
    return found


def snomed_code_of(procedure: ProcedureId) -> tuple[str, str] | None:
    """The SNOMED CT code (and term) that names ``procedure`` and nothing else, when exactly
    one does: the code painpath's export writes beside the procedure's CPT codes."""
    alone = [
        (code, row.term)
        for code, row in SNOMED_PROCEDURES.items()
        if row.procedures == (procedure,)
    ]
    return alone[0] if len(alone) == 1 else None
