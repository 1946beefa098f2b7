"""a booked procedure's time of arrival, and the clinic's telephone number

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Both optional: procedures booked and clinics set up before this revision have none, and
    # the preparation sheet then says the clinic will tell the patient.
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrive_at", sa.Time(), nullable=True))
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.drop_column("phone")
    with op.batch_alter_table("procedures", schema=None) as batch_op:
        batch_op.drop_column("arrive_at")
