"""The closed vocabularies the case format and the knowledge base share.

Procedure ids are used verbatim in the API, the CLI and every file; never rename one.
"""

from enum import StrEnum


class ProcedureId(StrEnum):
    ESI_INTERLAMINAR = "esi_interlaminar"
    ESI_TRANSFORAMINAL = "esi_transforaminal"
    ESI_CAUDAL = "esi_caudal"
    FACET_JOINT_INJECTION = "facet_joint_injection"
    MEDIAL_BRANCH_BLOCK = "medial_branch_block"
    RADIOFREQUENCY_ABLATION = "radiofrequency_ablation"
    NERVE_ROOT_BLOCK = "nerve_root_block"
    SACROILIAC_JOINT_INJECTION = "sacroiliac_joint_injection"
    DISCOGRAPHY = "discography"
    INTRATHECAL_PUMP_TRIAL = "intrathecal_pump_trial"
    INTRATHECAL_PUMP_IMPLANT = "intrathecal_pump_implant"
    SCS_TRIAL = "scs_trial"
    SCS_IMPLANT = "scs_implant"
    VERTEBROPLASTY = "vertebroplasty"
    KYPHOPLASTY = "kyphoplasty"


class ProcedureFamily(StrEnum):
    """The nine families a clinic's material groups procedures into."""

    EPIDURAL_STEROID_INJECTION = "epidural_steroid_injection"
    FACET_JOINT_INJECTION = "facet_joint_injection"
    RADIOFREQUENCY_ABLATION = "radiofrequency_ablation"
    NERVE_BLOCK = "nerve_block"
    SACROILIAC_JOINT_INJECTION = "sacroiliac_joint_injection"
    DISCOGRAPHY = "discography"
    INTRATHECAL_PUMP = "intrathecal_pump"
    SPINAL_CORD_STIMULATION = "spinal_cord_stimulation"
    VERTEBRAL_AUGMENTATION = "vertebral_augmentation"


class Status(StrEnum):
    """A procedure's status for one patient on one date, from most to least favourable."""

    RECOMMENDED = "recommended"
    CONDITIONAL = "conditional"
    NOT_INDICATED = "not_indicated"
    CONTRAINDICATED = "contraindicated"

    @property
    def severity(self) -> int:
        """Higher is less favourable; a procedure takes the least favourable status found."""
        return _STATUS_SEVERITY[self]


_STATUS_SEVERITY = {
    Status.RECOMMENDED: 0,
    Status.CONDITIONAL: 1,
    Status.NOT_INDICATED: 2,
    Status.CONTRAINDICATED: 3,
}


class BleedingRisk(StrEnum):
    """ASRA/ESRA 2018 procedure bleeding-risk classes (Narouze et al.)."""

    LOW = "low"
    INTERMEDIATE = "intermediate"
    HIGH = "high"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class SpineRegion(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SACRAL = "sacral"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    MIDLINE = "midline"


class PainDistribution(StrEnum):
    AXIAL = "axial"
    RADICULAR = "radicular"
    MIXED = "mixed"


class ImagingModality(StrEnum):
    MRI = "mri"
    CT = "ct"
    CT_MYELOGRAM = "ct_myelogram"
    XRAY = "xray"
    BONE_SCAN = "bone_scan"
    SPECT_CT = "spect_ct"


class ImagingFindingKind(StrEnum):
    DISC_HERNIATION = "disc_herniation"
    FORAMINAL_STENOSIS = "foraminal_stenosis"
    CENTRAL_STENOSIS = "central_stenosis"
    NERVE_ROOT_COMPRESSION = "nerve_root_compression"
    FACET_ARTHROPATHY = "facet_arthropathy"
    DISC_DEGENERATION = "disc_degeneration"
    ANNULAR_FISSURE = "annular_fissure"
    SPONDYLOLISTHESIS = "spondylolisthesis"
    SACROILIITIS = "sacroiliitis"
    COMPRESSION_FRACTURE = "compression_fracture"
    MARROW_OEDEMA = "marrow_oedema"
    PSEUDARTHROSIS = "pseudarthrosis"
    POSTOPERATIVE_CHANGES = "postoperative_changes"
    TUMOUR = "tumour"
    INFECTION = "infection"
    CORD_OR_CAUDA_COMPRESSION = "cord_or_cauda_compression"
    NORMAL = "normal"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class ConservativeCareKind(StrEnum):
    PHYSICAL_THERAPY = "physical_therapy"
    HOME_EXERCISE = "home_exercise"
    MEDICATION = "medication"
    OPIOID_THERAPY = "opioid_therapy"
    ACTIVITY_MODIFICATION = "activity_modification"
    CHIROPRACTIC = "chiropractic"
    ACUPUNCTURE = "acupuncture"
    PSYCHOLOGICAL_THERAPY = "psychological_therapy"
    OTHER = "other"


class CareResponse(StrEnum):
    FAILED = "failed"
    NOT_TOLERATED = "not_tolerated"
    PARTIAL = "partial"
    IMPROVED = "improved"


class ReliefScale(StrEnum):
    """The named scale a relief figure was measured on; repeats compare like with like."""

    NRS = "nrs"
    ODI = "odi"
    PEG = "peg"
    RMDQ = "rmdq"
    PATIENT_REPORTED_PERCENT = "patient_reported_percent"


class PsychEvaluationResult(StrEnum):
    CLEARED = "cleared"
    NOT_CLEARED = "not_cleared"
    PENDING = "pending"


class FractureCause(StrEnum):
    OSTEOPOROTIC = "osteoporotic"
    OSTEOLYTIC_TUMOUR = "osteolytic_tumour"
    TRAUMATIC = "traumatic"
    UNKNOWN = "unknown"


class LabTest(StrEnum):
    INR = "inr"
    HBA1C = "hba1c"
    PLATELETS = "platelets"
    CREATININE_CLEARANCE = "creatinine_clearance"
    GLUCOSE = "glucose"


class DoseUnit(StrEnum):
    MG = "mg"
    MCG = "mcg"
    MCG_PER_HOUR = "mcg/h"
    UNITS = "units"


class Route(StrEnum):
    ORAL = "oral"
    TRANSDERMAL = "transdermal"
    SUBCUTANEOUS = "subcutaneous"
    INTRAVENOUS = "intravenous"
    SUBLINGUAL = "sublingual"
    BUCCAL = "buccal"
    NASAL = "nasal"
    INTRAMUSCULAR = "intramuscular"
    INTRATHECAL = "intrathecal"


class AspirinIndication(StrEnum):
    PRIMARY_PREVENTION = "primary_prevention"
    SECONDARY_PREVENTION = "secondary_prevention"


class AnticoagulantIntensity(StrEnum):
    PROPHYLACTIC = "prophylactic"
    THERAPEUTIC = "therapeutic"
