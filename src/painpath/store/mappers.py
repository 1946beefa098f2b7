"""Between records (domain values) and rows. Values are validated again when read back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, Literal, TypeVar, cast

from pydantic import BaseModel

from painpath.domain.case import (
    Assessment,
    Comorbidities,
    ConservativeCare,
    Diagnosis,
    Examination,
    Fracture,
    ImagingFinding,
    ImagingStudy,
    LabResult,
    Medication,
    OswestryAnswers,
    Pain,
    PegAnswers,
    PsychEvaluation,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.records import (
    Dated,
    ListSection,
    MedicationCourse,
    PatientProfile,
    ProcedureRecord,
    ProcedureStatus,
)
from painpath.domain.vocabulary import ProcedureId, ReliefScale, Sex, Side, SpineRegion
from painpath.store.tables import (
    AssessmentRow,
    ComorbidityScreenRow,
    ConservativeCareRow,
    DiagnosisRow,
    ExaminationRow,
    FractureRow,
    ImagingFindingRow,
    ImagingStudyRow,
    LabResultRow,
    LifeExpectancyRow,
    MedicationRow,
    PainReportRow,
    PatientRow,
    ProcedureRow,
    PsychEvaluationRow,
    RecordRow,
    RedFlagScreenRow,
    SectionReviewRow,
    SurgicalReviewRow,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


def plain(value: object) -> object:
    """A value as the database stores it: codes as text, level lists as JSON lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value


def model_columns(model: BaseModel) -> dict[str, object]:
    return {name: plain(getattr(model, name)) for name in type(model).model_fields}


def read_model(model: type[ModelT], row: object) -> ModelT:
    return model.model_validate({name: getattr(row, name) for name in model.model_fields})


def profile_row(profile: PatientProfile) -> PatientRow:
    return PatientRow(
        clinic_id=profile.clinic_id,
        mrn=profile.mrn,
        reference=profile.reference,
        sex=profile.sex.value,
        pregnant=profile.pregnant,
        preferred_language=profile.preferred_language,
        age_years=profile.age_years,
        age_recorded_on=profile.age_recorded_on,
    )


def read_profile(row: PatientRow) -> PatientProfile:
    language = row.preferred_language
    if language not in ("en", "hi", "te"):
        raise ValueError(f"patient {row.id}: unknown preferred language {language!r}")
    return PatientProfile(
        clinic_id=row.clinic_id,
        mrn=row.mrn,
        sex=Sex(row.sex),
        age_years=row.age_years,
        age_recorded_on=row.age_recorded_on,
        pregnant=row.pregnant,
        preferred_language=cast(Literal["en", "hi", "te"], language),
        reference=row.reference,
    )


def assessment_columns(assessment: Assessment) -> dict[str, object]:
    odi, peg = assessment.odi, assessment.peg
    return {
        "assessed_on": assessment.assessed_on,
        "nrs": assessment.nrs,
        "odi_items": plain(odi.items) if odi and odi.items is not None else None,
        "odi_score": odi.score if odi else None,
        "rmdq": assessment.rmdq,
        "peg_pain": peg.pain if peg else None,
        "peg_enjoyment": peg.enjoyment if peg else None,
        "peg_general_activity": peg.general_activity if peg else None,
        "start_back": plain(assessment.start_back),
    }


def read_assessment(row: AssessmentRow) -> Assessment:
    has_odi = row.odi_items is not None or row.odi_score is not None
    peg = (row.peg_pain, row.peg_enjoyment, row.peg_general_activity)
    return Assessment(
        assessed_on=row.assessed_on,
        nrs=row.nrs,
        odi=OswestryAnswers.model_validate({"items": row.odi_items, "score": row.odi_score})
        if has_odi
        else None,
        rmdq=row.rmdq,
        peg=PegAnswers(pain=peg[0], enjoyment=peg[1], general_activity=peg[2])
        if peg[0] is not None and peg[1] is not None and peg[2] is not None
        else None,
        start_back=None if row.start_back is None else tuple(row.start_back),
    )


def imaging_columns(study: ImagingStudy) -> dict[str, object]:
    columns = model_columns(study)
    columns["findings"] = [ImagingFindingRow(**model_columns(f)) for f in study.findings]
    return columns


def read_imaging(row: ImagingStudyRow) -> ImagingStudy:
    return ImagingStudy.model_validate(
        {
            "modality": row.modality,
            "performed_on": row.performed_on,
            "region": row.region,
            "concordant_with_symptoms": row.concordant_with_symptoms,
            "findings": [read_model(ImagingFinding, finding) for finding in row.findings],
        }
    )


def medication_columns(course: MedicationCourse) -> dict[str, object]:
    columns = model_columns(course.medication)
    columns.update(started_on=course.started_on, stopped_on=course.stopped_on)
    return columns


def read_medication(row: MedicationRow) -> MedicationCourse:
    return MedicationCourse(
        medication=read_model(Medication, row),
        started_on=row.started_on,
        stopped_on=row.stopped_on,
    )


def procedure_columns(record: ProcedureRecord) -> dict[str, object]:
    return {field.name: plain(getattr(record, field.name)) for field in fields(record)}


def read_procedure(row: ProcedureRow) -> ProcedureRecord:
    purpose = row.purpose
    if purpose not in (None, "diagnostic", "therapeutic"):
        raise ValueError(f"procedure {row.id}: unknown purpose {purpose!r}")
    return ProcedureRecord(
        procedure=ProcedureId(row.procedure),
        status=ProcedureStatus(row.status),
        planned_on=row.planned_on,
        performed_on=row.performed_on,
        region=None if row.region is None else SpineRegion(row.region),
        levels=tuple(row.levels),
        side=None if row.side is None else Side(row.side),
        purpose=cast(Literal["diagnostic", "therapeutic"] | None, purpose),
        steroid=row.steroid,
        steroid_dose_mg=row.steroid_dose_mg,
        percent_relief=row.percent_relief,
        relief_scale=None if row.relief_scale is None else ReliefScale(row.relief_scale),
        relief_weeks=row.relief_weeks,
        relief_ongoing=row.relief_ongoing,
        reason_not_ablation=row.reason_not_ablation,
    )


def _flat(model: type[ModelT]) -> Callable[[Any], ModelT]:
    return lambda row: read_model(model, row)


@dataclass(frozen=True)
class Section:
    """One kind of record: the PatientRecords field, its table, and the mapping both ways."""

    name: str
    row: type[RecordRow]
    columns: Callable[[Any], dict[str, object]]
    read: Callable[[Any], object]

    def to_row(self, dated: Dated[Any], *, clinic_id: int, patient_id: int) -> RecordRow:
        return self.row(
            clinic_id=clinic_id,
            patient_id=patient_id,
            recorded_on=dated.recorded_on,
            **self.columns(dated.value),
        )

    def from_row(self, row: RecordRow) -> Dated[object]:
        return Dated(recorded_on=row.recorded_on, value=self.read(row))


def _months(row: LifeExpectancyRow) -> int:
    return row.months


def _section(row: SectionReviewRow) -> ListSection:
    return ListSection(row.section)


SECTIONS: tuple[Section, ...] = (
    Section("pain", PainReportRow, model_columns, _flat(Pain)),
    Section("assessments", AssessmentRow, assessment_columns, read_assessment),
    Section("diagnoses", DiagnosisRow, model_columns, _flat(Diagnosis)),
    Section("imaging", ImagingStudyRow, imaging_columns, read_imaging),
    Section("examinations", ExaminationRow, model_columns, _flat(Examination)),
    Section("conservative_care", ConservativeCareRow, model_columns, _flat(ConservativeCare)),
    Section("medications", MedicationRow, medication_columns, read_medication),
    Section("labs", LabResultRow, model_columns, _flat(LabResult)),
    Section("comorbidity_screens", ComorbidityScreenRow, model_columns, _flat(Comorbidities)),
    Section("red_flag_screens", RedFlagScreenRow, model_columns, _flat(RedFlags)),
    Section("psych_evaluations", PsychEvaluationRow, model_columns, _flat(PsychEvaluation)),
    Section("surgical_reviews", SurgicalReviewRow, model_columns, _flat(SurgicalCandidacy)),
    Section("life_expectancy_months", LifeExpectancyRow, lambda m: {"months": m}, _months),
    Section("fractures", FractureRow, model_columns, _flat(Fracture)),
    Section("procedures", ProcedureRow, procedure_columns, read_procedure),
    Section("section_reviews", SectionReviewRow, lambda s: {"section": s.value}, _section),
)
