"""procedure life: the performed-procedure note, follow-ups and trials

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_EMPTY_LIST = sa.text("'[]'")


def _record_columns(table: str) -> list[sa.Column[object] | sa.Constraint]:
    """The columns and keys every patient record has (``RecordRow``), and its procedure."""
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f(f"fk_{table}_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f(f"fk_{table}_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["procedure_id"], ["procedures.id"], name=op.f(f"fk_{table}_procedure_id_procedures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scheduled_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("cancellation_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("operator_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("operator_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("approach", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("guidance", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("contrast_used", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("contrast_agent", sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column("drugs", sa.JSON(), server_default=_EMPTY_LIST, nullable=False)
        )
        batch_op.add_column(sa.Column("pre_nrs", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("post_nrs", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("complications", sa.JSON(), server_default=_EMPTY_LIST, nullable=False)
        )
        batch_op.add_column(sa.Column("complications_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_procedures_operator_user_id_users"),
            "users",
            ["operator_user_id"],
            ["id"],
        )

    op.create_table(
        "follow_ups",
        sa.Column("followed_up_on", sa.Date(), nullable=False),
        sa.Column("nrs", sa.Integer(), nullable=True),
        sa.Column("percent_relief", sa.Float(), nullable=True),
        sa.Column("relief_scale", sa.String(length=40), nullable=True),
        sa.Column("odi_score", sa.Float(), nullable=True),
        sa.Column("mme_per_day", sa.Float(), nullable=True),
        sa.Column("medication_reduced", sa.Boolean(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns("follow_ups"),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_ups_procedure_id"), ["procedure_id"], unique=False
        )

    op.create_table(
        "trials",
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("percent_relief", sa.Float(), nullable=True),
        sa.Column("relief_scale", sa.String(length=40), nullable=True),
        sa.Column("function_improved", sa.Boolean(), nullable=True),
        sa.Column("medication_reduced", sa.Boolean(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns("trials"),
        sa.UniqueConstraint("procedure_id", name=op.f("uq_trials_procedure_id")),
    )
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trials_patient_id"), ["patient_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trials_patient_id"))
    op.drop_table("trials")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_procedure_id"))
        batch_op.drop_index(batch_op.f("ix_follow_ups_patient_id"))
    op.drop_table("follow_ups")
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_procedures_operator_user_id_users"), type_="foreignkey"
        )
        for column in (
            "note",
            "complications_note",
            "complications",
            "post_nrs",
            "pre_nrs",
            "drugs",
            "contrast_agent",
            "contrast_used",
            "guidance",
            "approach",
            "operator_name",
            "operator_user_id",
            "cancellation_reason",
            "cancelled_on",
            "scheduled_on",
        ):
            batch_op.drop_column(column)
