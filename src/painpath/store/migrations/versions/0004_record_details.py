"""record details: versions for optimistic locking, patient names and birth dates, body maps,
and allergies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Every table of patient records (RecordRow) as of this revision; each gets a version.
RECORD_TABLES = (
    "pain_reports",
    "assessments",
    "diagnoses",
    "imaging_studies",
    "examinations",
    "conservative_care",
    "medications",
    "lab_results",
    "comorbidity_screens",
    "red_flag_screens",
    "psych_evaluations",
    "surgical_reviews",
    "life_expectancy_estimates",
    "fractures",
    "procedures",
    "section_reviews",
)


def _version() -> sa.Column[int]:
    # Rows stored before this revision start at version 1, as new ones do.
    return sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("given_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("family_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(_version())
        # A patient registered with a birth date needs no recorded age.
        batch_op.alter_column("age_years", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("age_recorded_on", existing_type=sa.Date(), nullable=True)

    for table in RECORD_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(_version())

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_map", sa.JSON(), nullable=True))

    op.create_table(
        "allergies",
        sa.Column("substance", sa.String(length=200), nullable=False),
        sa.Column("substance_class", sa.String(length=40), nullable=False),
        sa.Column("reaction", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        _version(),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_allergies_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_allergies_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allergies")),
    )
    with op.batch_alter_table("allergies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allergies_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("allergies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allergies_patient_id"))
    op.drop_table("allergies")

    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_column("body_map")

    for table in reversed(RECORD_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.alter_column("age_recorded_on", existing_type=sa.Date(), nullable=False)
        batch_op.alter_column("age_years", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("version")
        batch_op.drop_column("birth_date")
        batch_op.drop_column("family_name")
        batch_op.drop_column("given_name")
