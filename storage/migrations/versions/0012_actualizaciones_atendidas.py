"""actualizacion_atendida: the updates already handled, so one sent again is not handled twice

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actualizacion_atendida",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("terminada", sa.Boolean(), nullable=False),
        sa.Column("borrador_previo", sa.JSON(), nullable=True),
        sa.Column("atendida_en", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_actualizacion_atendida")),
    )
    op.create_index(
        "ix_actualizacion_atendida_en", "actualizacion_atendida", ["atendida_en"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_actualizacion_atendida_en", table_name="actualizacion_atendida")
    op.drop_table("actualizacion_atendida")
