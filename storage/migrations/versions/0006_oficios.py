"""oficios de entrega de avances (Art. 13), verificables

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 03:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oficio",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dependencia_id", sa.Integer(), nullable=False),
        sa.Column("periodo", sa.Date(), nullable=False),
        sa.Column("anio", sa.Integer(), nullable=False),
        sa.Column("consecutivo", sa.Integer(), nullable=False),
        sa.Column("numero", sa.String(length=120), nullable=False),
        sa.Column("codigo", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("tamano", sa.BigInteger(), nullable=False),
        sa.Column("huella", sa.String(length=64), nullable=False),
        sa.Column("asm", sa.Integer(), nullable=False),
        sa.Column("ruta", sa.String(length=500), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("emitido_en", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dependencia_id"], ["dependencia.id"], name=op.f("fk_oficio_dependencia_id_dependencia")
        ),
        sa.ForeignKeyConstraint(
            ["usuario_id"], ["usuario.id"], name=op.f("fk_oficio_usuario_id_usuario")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oficio")),
        sa.UniqueConstraint(
            "dependencia_id", "anio", "consecutivo", name=op.f("uq_oficio_dependencia_id")
        ),
        sa.UniqueConstraint("codigo", name=op.f("uq_oficio_codigo")),
    )
    with op.batch_alter_table("oficio", schema=None) as batch_op:
        batch_op.create_index(
            "ix_oficio_dependencia_periodo", ["dependencia_id", "periodo", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_oficio_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oficio", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oficio_sha256"))
        batch_op.drop_index("ix_oficio_dependencia_periodo")
    op.drop_table("oficio")
