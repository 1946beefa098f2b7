"""self-report links: one-time links by which a patient fills in questionnaires before a visit

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "self_report_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("issued_by_user_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_record_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_self_report_links_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_self_report_links_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"],
            ["users.id"],
            name=op.f("fk_self_report_links_issued_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_record_id"],
            ["assessments.id"],
            name=op.f("fk_self_report_links_submitted_record_id_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_report_links")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_self_report_links_token_digest")),
    )
    with op.batch_alter_table("self_report_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_report_links_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("self_report_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_report_links_patient_id"))
    op.drop_table("self_report_links")
