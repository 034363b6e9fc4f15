"""avance: clave del borrador que lo confirmó (única); salida: envíos sin respuesta

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing reports keep NULL: a unique key allows any number of NULLs on both engines.
    with op.batch_alter_table("avance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clave_borrador", sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_avance_clave_borrador"), ["clave_borrador"]
        )
    with op.batch_alter_table("salida", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inciertos", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("salida", schema=None) as batch_op:
        batch_op.drop_column("inciertos")
    with op.batch_alter_table("avance", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_avance_clave_borrador"), type_="unique")
        batch_op.drop_column("clave_borrador")
