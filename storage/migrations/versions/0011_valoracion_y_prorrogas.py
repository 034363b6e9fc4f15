"""valoraciones (Art. 14) y prorrogas: two new tables; existing rows are untouched

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "valoracion_asm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asm_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("accion", sa.String(length=20), nullable=False),
        sa.Column("valoracion", sa.String(length=20), nullable=True),
        sa.Column("fecha", sa.Date(), nullable=False),
        sa.Column("causas", sa.Text(), nullable=False),
        sa.Column("institucion", sa.Text(), nullable=False),
        sa.Column("declarada", sa.Boolean(), nullable=False),
        sa.Column("motivo", sa.Text(), nullable=False),
        sa.Column("usuario_id", sa.Integer(), nullable=True),
        sa.Column("registrado_en", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["asm_id"], ["asm.id"], name=op.f("fk_valoracion_asm_asm_id_asm")),
        sa.ForeignKeyConstraint(
            ["usuario_id"], ["usuario.id"], name=op.f("fk_valoracion_asm_usuario_id_usuario")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["asm_version.id"],
            name=op.f("fk_valoracion_asm_version_id_asm_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valoracion_asm")),
    )
    with op.batch_alter_table("valoracion_asm", schema=None) as batch_op:
        batch_op.create_index("ix_valoracion_asm_asm", ["asm_id", "id"], unique=False)

    op.create_table(
        "prorroga",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asm_id", sa.Integer(), nullable=False),
        sa.Column("fecha_original", sa.Date(), nullable=True),
        sa.Column("fecha_nueva", sa.Date(), nullable=False),
        sa.Column("justificacion", sa.Text(), nullable=False),
        sa.Column("estado", sa.String(length=20), nullable=False),
        sa.Column("solicitada_por_id", sa.Integer(), nullable=True),
        sa.Column("solicitada_en", sa.DateTime(), nullable=False),
        sa.Column("nota", sa.Text(), nullable=False),
        sa.Column("resuelta_por_id", sa.Integer(), nullable=True),
        sa.Column("resuelta_en", sa.DateTime(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["asm_id"], ["asm.id"], name=op.f("fk_prorroga_asm_id_asm")),
        sa.ForeignKeyConstraint(
            ["resuelta_por_id"], ["usuario.id"], name=op.f("fk_prorroga_resuelta_por_id_usuario")
        ),
        sa.ForeignKeyConstraint(
            ["solicitada_por_id"],
            ["usuario.id"],
            name=op.f("fk_prorroga_solicitada_por_id_usuario"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"], ["asm_version.id"], name=op.f("fk_prorroga_version_id_asm_version")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prorroga")),
    )
    with op.batch_alter_table("prorroga", schema=None) as batch_op:
        batch_op.create_index("ix_prorroga_asm", ["asm_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("prorroga", schema=None) as batch_op:
        batch_op.drop_index("ix_prorroga_asm")
    op.drop_table("prorroga")
    with op.batch_alter_table("valoracion_asm", schema=None) as batch_op:
        batch_op.drop_index("ix_valoracion_asm_asm")
    op.drop_table("valoracion_asm")
