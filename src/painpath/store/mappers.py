"""Between records (domain values) and rows. Values are validated again when read back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel

from painpath.domain.case import (
    Comorbidities,
    ConservativeCare,
    Diagnosis,
    Examination,
    Fracture,
    ImagingFinding,
    ImagingStudy,
    LabResult,
    OswestryAnswers,
    Pain,
    PegAnswers,
    PsychEvaluation,
    RedFlags,
    SurgicalCandidacy,
)
from painpath.domain.records import (
    Allergy,
    Dated,
    LifeExpectancy,
    MedicationCourse,
    PatientProfile,
    SectionReview,
    Stored,
    VisitAssessment,
)
from painpath.store.procedure_mappers import procedure_columns, read_procedure
from painpath.store.tables import (
    AllergyRow,
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
ValueT = TypeVar("ValueT")


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


def read_profile(row: PatientRow) -> PatientProfile:
    return read_model(PatientProfile, row)


def assessment_columns(assessment: VisitAssessment) -> dict[str, object]:
    odi, peg = assessment.odi, assessment.peg
    body_map = assessment.body_map
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
        "body_map": None
        if body_map is None
        else [entry.model_dump(mode="json") for entry in body_map],
    }


def read_assessment(row: AssessmentRow) -> VisitAssessment:
    has_odi = row.odi_items is not None or row.odi_score is not None
    peg = (row.peg_pain, row.peg_enjoyment, row.peg_general_activity)
    return VisitAssessment(
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
        body_map=None if row.body_map is None else tuple(row.body_map),
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


def stored(row: RecordRow, value: ValueT) -> Stored[ValueT]:
    """A record read back with what the row says of it: id, patient, day and version."""
    return Stored(
        id=row.id,
        patient_id=row.patient_id,
        version=row.version,
        recorded_on=row.recorded_on,
        value=value,
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

    def update_row(self, row: RecordRow, dated: Dated[Any]) -> None:
        """Write a corrected record over a stored one (its clinic and patient stay)."""
        row.recorded_on = dated.recorded_on
        for name, value in self.columns(dated.value).items():
            setattr(row, name, value)


SECTIONS: tuple[Section, ...] = (
    Section("pain", PainReportRow, model_columns, _flat(Pain)),
    Section("assessments", AssessmentRow, assessment_columns, read_assessment),
    Section("diagnoses", DiagnosisRow, model_columns, _flat(Diagnosis)),
    Section("imaging", ImagingStudyRow, imaging_columns, read_imaging),
    Section("examinations", ExaminationRow, model_columns, _flat(Examination)),
    Section("conservative_care", ConservativeCareRow, model_columns, _flat(ConservativeCare)),
    Section("medications", MedicationRow, model_columns, _flat(MedicationCourse)),
    Section("labs", LabResultRow, model_columns, _flat(LabResult)),
    Section("allergies", AllergyRow, model_columns, _flat(Allergy)),
    Section("comorbidity_screens", ComorbidityScreenRow, model_columns, _flat(Comorbidities)),
    Section("red_flag_screens", RedFlagScreenRow, model_columns, _flat(RedFlags)),
    Section("psych_evaluations", PsychEvaluationRow, model_columns, _flat(PsychEvaluation)),
    Section("surgical_reviews", SurgicalReviewRow, model_columns, _flat(SurgicalCandidacy)),
    Section("life_expectancy_months", LifeExpectancyRow, model_columns, _flat(LifeExpectancy)),
    Section("fractures", FractureRow, model_columns, _flat(Fracture)),
    Section("procedures", ProcedureRow, procedure_columns, read_procedure),
    Section("section_reviews", SectionReviewRow, model_columns, _flat(SectionReview)),
)

SECTION_NAMED: dict[str, Section] = {section.name: section for section in SECTIONS}
