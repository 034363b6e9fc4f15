"""copias pendientes: the copies of Art. 13 wait here for their dependencia's digest

Revision ID: 0015
Revises: 0012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "copia_pendiente",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folio", sa.String(length=40), nullable=False),
        sa.Column("asm_id", sa.Integer(), nullable=False),
        sa.Column("dependencia_id", sa.Integer(), nullable=True),
        sa.Column("texto", sa.Text(), nullable=False),
        sa.Column("creada_en", sa.DateTime(), nullable=False),
        sa.Column("enviada_en", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["asm_id"], ["asm.id"], name=op.f("fk_copia_pendiente_asm_id_asm")),
        sa.ForeignKeyConstraint(
            ["dependencia_id"],
            ["dependencia.id"],
            name=op.f("fk_copia_pendiente_dependencia_id_dependencia"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copia_pendiente")),
        sa.UniqueConstraint("folio", name=op.f("uq_copia_pendiente_folio")),
    )
    op.create_index(
        "ix_copia_pendiente_enviada", "copia_pendiente", ["enviada_en", "dependencia_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_copia_pendiente_enviada", table_name="copia_pendiente")
    op.drop_table("copia_pendiente")
