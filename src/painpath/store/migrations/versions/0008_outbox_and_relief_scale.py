"""reminders outbox, patients' e-mail, and follow-up relief flagged off the baseline's scale

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_key", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_outbox_messages_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_outbox_messages_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint(
            "clinic_id", "due_key", name=op.f("uq_outbox_messages_clinic_id_due_key")
        ),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_messages_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_messages_status"), ["status"], unique=False)

    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))

    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("relief_comparable", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("relief_caveat", sa.Text(), nullable=True))
    # Follow-ups stored before this revision with a relief on another scale than their
    # procedure's baseline (its pre-procedure NRS) are flagged as new ones are
    # (painpath.domain.relief_baseline), with the same words.
    op.execute(
        sa.text(
            "UPDATE follow_ups SET relief_comparable = :no, relief_caveat = 'relief on the ' "
            "|| relief_scale || ' scale, but the baseline before the procedure is on the nrs "
            "scale: not used for eligibility' "
            "WHERE relief_scale IS NOT NULL AND relief_scale <> 'nrs' AND EXISTS ("
            "SELECT 1 FROM procedures WHERE procedures.id = follow_ups.procedure_id "
            "AND procedures.pre_nrs IS NOT NULL)"
        ).bindparams(no=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_column("relief_caveat")
        batch_op.drop_column("relief_comparable")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("email")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_messages_patient_id"))
    op.drop_table("outbox_messages")
