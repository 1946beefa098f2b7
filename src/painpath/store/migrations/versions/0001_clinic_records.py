"""clinic records

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clinics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinics")),
        sa.UniqueConstraint("code", name=op.f("uq_clinics_code")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("sex", sa.String(length=40), nullable=False),
        sa.Column("pregnant", sa.Boolean(), nullable=True),
        sa.Column("preferred_language", sa.String(length=8), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=False),
        sa.Column("age_recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_patients_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("clinic_id", "mrn", name=op.f("uq_patients_clinic_id_mrn")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_clinic_id"), ["clinic_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("nrs", sa.Integer(), nullable=True),
        sa.Column("odi_items", sa.JSON(), nullable=True),
        sa.Column("odi_score", sa.Float(), nullable=True),
        sa.Column("rmdq", sa.Integer(), nullable=True),
        sa.Column("peg_pain", sa.Integer(), nullable=True),
        sa.Column("peg_enjoyment", sa.Integer(), nullable=True),
        sa.Column("peg_general_activity", sa.Integer(), nullable=True),
        sa.Column("start_back", sa.JSON(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_assessments_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_assessments_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "comorbidity_screens",
        sa.Column("systemic_infection", sa.Boolean(), nullable=True),
        sa.Column("local_infection_at_site", sa.Boolean(), nullable=True),
        sa.Column("diabetes", sa.Boolean(), nullable=True),
        sa.Column("cancer_history", sa.Boolean(), nullable=True),
        sa.Column("active_cancer", sa.Boolean(), nullable=True),
        sa.Column("osteoporosis", sa.Boolean(), nullable=True),
        sa.Column("bleeding_disorder", sa.Boolean(), nullable=True),
        sa.Column("contrast_allergy", sa.Boolean(), nullable=True),
        sa.Column("local_anaesthetic_allergy", sa.Boolean(), nullable=True),
        sa.Column("corticosteroid_allergy", sa.Boolean(), nullable=True),
        sa.Column("bone_cement_allergy", sa.Boolean(), nullable=True),
        sa.Column("renal_disease", sa.Boolean(), nullable=True),
        sa.Column("liver_disease", sa.Boolean(), nullable=True),
        sa.Column("immunosuppressed", sa.Boolean(), nullable=True),
        sa.Column("implanted_cardiac_device", sa.Boolean(), nullable=True),
        sa.Column("uncontrolled_psychiatric_disorder", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_comorbidity_screens_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_comorbidity_screens_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comorbidity_screens")),
    )
    with op.batch_alter_table("comorbidity_screens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comorbidity_screens_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "conservative_care",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("response", sa.String(length=40), nullable=False),
        sa.Column("ongoing", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_conservative_care_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_conservative_care_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conservative_care")),
    )
    with op.batch_alter_table("conservative_care", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conservative_care_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "diagnoses",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_diagnoses_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_diagnoses_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnoses")),
    )
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_diagnoses_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "examinations",
        sa.Column("examined_on", sa.Date(), nullable=True),
        sa.Column("neurological_deficit", sa.Boolean(), nullable=True),
        sa.Column("deficit_progressing", sa.Boolean(), nullable=True),
        sa.Column("deficit_severe", sa.Boolean(), nullable=True),
        sa.Column("straight_leg_raise_positive", sa.Boolean(), nullable=True),
        sa.Column("positive_si_provocation_tests", sa.Integer(), nullable=True),
        sa.Column("facet_loading_pain", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_examinations_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_examinations_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examinations")),
    )
    with op.batch_alter_table("examinations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_examinations_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "fractures",
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("fractured_on", sa.Date(), nullable=True),
        sa.Column("cause", sa.String(length=40), nullable=False),
        sa.Column("mri_marrow_oedema", sa.Boolean(), nullable=True),
        sa.Column("bone_scan_positive", sa.Boolean(), nullable=True),
        sa.Column("height_loss_percent", sa.Float(), nullable=True),
        sa.Column("kyphotic_deformity", sa.Boolean(), nullable=True),
        sa.Column("retropulsion_with_neurological_compromise", sa.Boolean(), nullable=True),
        sa.Column("unstable", sa.Boolean(), nullable=True),
        sa.Column("hospitalised", sa.Boolean(), nullable=True),
        sa.Column("pain_matches_level", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_fractures_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_fractures_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fractures")),
    )
    with op.batch_alter_table("fractures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fractures_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "imaging_studies",
        sa.Column("modality", sa.String(length=40), nullable=False),
        sa.Column("performed_on", sa.Date(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("concordant_with_symptoms", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_imaging_studies_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_imaging_studies_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_studies")),
    )
    with op.batch_alter_table("imaging_studies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imaging_studies_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "lab_results",
        sa.Column("test", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_lab_results_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_lab_results_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_results")),
    )
    with op.batch_alter_table("lab_results", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lab_results_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "life_expectancy_estimates",
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"],
            ["clinics.id"],
            name=op.f("fk_life_expectancy_estimates_clinic_id_clinics"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_life_expectancy_estimates_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_life_expectancy_estimates")),
    )
    with op.batch_alter_table("life_expectancy_estimates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_life_expectancy_estimates_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "medications",
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("stopped_on", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("dose", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=40), nullable=True),
        sa.Column("route", sa.String(length=40), nullable=True),
        sa.Column("units_per_dose", sa.Float(), nullable=False),
        sa.Column("doses_per_day", sa.Float(), nullable=True),
        sa.Column("interval_hours", sa.Float(), nullable=True),
        sa.Column("aspirin_indication", sa.String(length=40), nullable=True),
        sa.Column("intensity", sa.String(length=40), nullable=True),
        sa.Column("long_term", sa.Boolean(), nullable=True),
        sa.Column("last_dose_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_medications_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_medications_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medications")),
    )
    with op.batch_alter_table("medications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_medications_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "pain_reports",
        sa.Column("onset_date", sa.Date(), nullable=True),
        sa.Column("distribution", sa.String(length=40), nullable=True),
        sa.Column("region", sa.String(length=40), nullable=True),
        sa.Column("side", sa.String(length=40), nullable=True),
        sa.Column("below_l5", sa.Boolean(), nullable=True),
        sa.Column("neurogenic_claudication", sa.Boolean(), nullable=True),
        sa.Column("worsening", sa.Boolean(), nullable=True),
        sa.Column("new_or_changed", sa.Boolean(), nullable=True),
        sa.Column("pain_at_rest_or_night", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_pain_reports_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_pain_reports_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pain_reports")),
    )
    with op.batch_alter_table("pain_reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pain_reports_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "procedures",
        sa.Column("procedure", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("performed_on", sa.Date(), nullable=True),
        sa.Column("region", sa.String(length=40), nullable=True),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("side", sa.String(length=40), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=True),
        sa.Column("steroid", sa.String(length=100), nullable=True),
        sa.Column("steroid_dose_mg", sa.Float(), nullable=True),
        sa.Column("percent_relief", sa.Float(), nullable=True),
        sa.Column("relief_scale", sa.String(length=40), nullable=True),
        sa.Column("relief_weeks", sa.Float(), nullable=True),
        sa.Column("relief_ongoing", sa.Boolean(), nullable=False),
        sa.Column("reason_not_ablation", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_procedures_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_procedures_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures")),
    )
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedures_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedures_status"), ["status"], unique=False)

    op.create_table(
        "psych_evaluations",
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_psych_evaluations_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_psych_evaluations_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_psych_evaluations")),
    )
    with op.batch_alter_table("psych_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_psych_evaluations_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "red_flag_screens",
        sa.Column("saddle_anaesthesia", sa.Boolean(), nullable=True),
        sa.Column("new_bladder_dysfunction", sa.Boolean(), nullable=True),
        sa.Column("anal_sphincter_laxity", sa.Boolean(), nullable=True),
        sa.Column("fever_or_chills", sa.Boolean(), nullable=True),
        sa.Column("recent_bacterial_infection", sa.Boolean(), nullable=True),
        sa.Column("iv_drug_use", sa.Boolean(), nullable=True),
        sa.Column("unexplained_weight_loss", sa.Boolean(), nullable=True),
        sa.Column("major_trauma", sa.Boolean(), nullable=True),
        sa.Column("minor_trauma", sa.Boolean(), nullable=True),
        sa.Column("cleared_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_red_flag_screens_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_red_flag_screens_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_flag_screens")),
    )
    with op.batch_alter_table("red_flag_screens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_red_flag_screens_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "section_reviews",
        sa.Column("section", sa.String(length=32), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_section_reviews_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_section_reviews_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_reviews")),
    )
    with op.batch_alter_table("section_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_section_reviews_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "surgical_reviews",
        sa.Column("surgical_candidate", sa.Boolean(), nullable=True),
        sa.Column("fusion_being_considered", sa.Boolean(), nullable=True),
        sa.Column("suspected_pseudarthrosis", sa.Boolean(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_surgical_reviews_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_surgical_reviews_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surgical_reviews")),
    )
    with op.batch_alter_table("surgical_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_surgical_reviews_patient_id"), ["patient_id"], unique=False
        )

    op.create_table(
        "imaging_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("side", sa.String(length=40), nullable=True),
        sa.Column("severity", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["imaging_studies.id"],
            name=op.f("fk_imaging_findings_study_id_imaging_studies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imaging_findings")),
    )
    with op.batch_alter_table("imaging_findings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_imaging_findings_study_id"), ["study_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("imaging_findings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imaging_findings_study_id"))

    op.drop_table("imaging_findings")
    with op.batch_alter_table("surgical_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surgical_reviews_patient_id"))

    op.drop_table("surgical_reviews")
    with op.batch_alter_table("section_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_reviews_patient_id"))

    op.drop_table("section_reviews")
    with op.batch_alter_table("red_flag_screens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_red_flag_screens_patient_id"))

    op.drop_table("red_flag_screens")
    with op.batch_alter_table("psych_evaluations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_psych_evaluations_patient_id"))

    op.drop_table("psych_evaluations")
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedures_status"))
        batch_op.drop_index(batch_op.f("ix_procedures_patient_id"))

    op.drop_table("procedures")
    with op.batch_alter_table("pain_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pain_reports_patient_id"))

    op.drop_table("pain_reports")
    with op.batch_alter_table("medications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_medications_patient_id"))

    op.drop_table("medications")
    with op.batch_alter_table("life_expectancy_estimates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_life_expectancy_estimates_patient_id"))

    op.drop_table("life_expectancy_estimates")
    with op.batch_alter_table("lab_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_results_patient_id"))

    op.drop_table("lab_results")
    with op.batch_alter_table("imaging_studies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_imaging_studies_patient_id"))

    op.drop_table("imaging_studies")
    with op.batch_alter_table("fractures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fractures_patient_id"))

    op.drop_table("fractures")
    with op.batch_alter_table("examinations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_examinations_patient_id"))

    op.drop_table("examinations")
    with op.batch_alter_table("diagnoses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_diagnoses_patient_id"))

    op.drop_table("diagnoses")
    with op.batch_alter_table("conservative_care", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conservative_care_patient_id"))

    op.drop_table("conservative_care")
    with op.batch_alter_table("comorbidity_screens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comorbidity_screens_patient_id"))

    op.drop_table("comorbidity_screens")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_patient_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_clinic_id"))

    op.drop_table("patients")
    op.drop_table("clinics")
