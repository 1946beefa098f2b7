"""The code systems and curated code tables the FHIR import reads.

Each table is small on purpose: a code that is not in it is reported as not mapped, never
guessed. The SNOMED CT rows follow the SNOMED CT to ICD-10-CM map published by the U.S.
National Library of Medicine (https://www.nlm.nih.gov/research/umls/mapping_projects/
snomedct_to_icd10cm.html); the RxNorm rows are RxNorm's own names for the products
(https://www.nlm.nih.gov/research/umls/rxnorm/), from which strength and dose form are read.
"""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import Final

from painpath.domain.records import AllergenClass
from painpath.domain.vocabulary import LabTest, ProcedureId
from painpath.knowledge_base.loader import load_procedures

ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED: Final = "http://snomed.info/sct"
LOINC: Final = "http://loinc.org"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT: Final = "http://www.ama-assn.org/go/cpt"
IDENTIFIER_TYPE: Final = "http://terminology.hl7.org/CodeSystem/v2-0203"
MEDICAL_RECORD_NUMBER: Final = "MR"

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

# LOINC 72514-3: Pain severity - 0-10 verbal numeric rating [Score] - Reported.
LOINC_PAIN_SEVERITY: Final = "72514-3"

# LOINC laboratory codes -> painpath's lab test, with the UCUM unit painpath's value is in.
LOINC_LABS: Final = MappingProxyType(
    {
        "6301-6": (LabTest.INR, "{INR}"),  # INR in Platelet poor plasma by Coagulation assay
        "34714-6": (LabTest.INR, "{INR}"),  # INR in Blood by Coagulation assay
        "4548-4": (LabTest.HBA1C, "%"),  # Hemoglobin A1c/Hemoglobin.total in Blood
    }
)

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
