"""evaluaciones: ejercicio evaluado, límite de atención, informe; recomendaciones; recepción por ASM

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 03:20:00

`evaluacion.ejercicio` becomes `ejercicio_evaluado` (the fiscal year evaluated), and the date the
ASM were received moves from the evaluation to each ASM (`asm.fecha_recepcion`), copied over.
ASM without an evaluation stay as they are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("asm", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fecha_recepcion", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("gobierno_externo", sa.String(length=300), nullable=True))
    op.execute(
        "UPDATE asm SET fecha_recepcion = (SELECT e.fecha_recepcion_asm FROM evaluacion e "
        "WHERE e.id = asm.evaluacion_id) WHERE evaluacion_id IS NOT NULL"
    )
    with op.batch_alter_table("evaluacion", schema=None) as batch_op:
        batch_op.alter_column("ejercicio", new_column_name="ejercicio_evaluado")
        batch_op.add_column(
            sa.Column("evaluador", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("fecha_limite_atencion", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("informe_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("informe_ruta", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("informe_nombre", sa.String(length=300), nullable=True))
        batch_op.drop_column("fecha_recepcion_asm")
    with op.batch_alter_table("evaluacion", schema=None) as batch_op:
        batch_op.alter_column("evaluador", server_default=None)
    with op.batch_alter_table("asm_responsable", schema=None) as batch_op:
        batch_op.add_column(sa.Column("motivo_participacion", sa.Text(), nullable=True))

    op.create_table(
        "recomendacion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluacion_id", sa.Integer(), nullable=False),
        sa.Column("numero", sa.Integer(), nullable=False),
        sa.Column("texto", sa.Text(), nullable=False),
        sa.Column("claridad", sa.Boolean(), nullable=True),
        sa.Column("relevancia", sa.Boolean(), nullable=True),
        sa.Column("justificacion", sa.Boolean(), nullable=True),
        sa.Column("factibilidad", sa.Boolean(), nullable=True),
        sa.Column("motivo_no_seleccion", sa.Text(), nullable=True),
        sa.Column("asm_id", sa.Integer(), nullable=True),
        sa.Column("usuario_id", sa.Integer(), nullable=True),
        sa.Column("registrado_en", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["asm_id"], ["asm.id"], name=op.f("fk_recomendacion_asm_id_asm")),
        sa.ForeignKeyConstraint(
            ["evaluacion_id"],
            ["evaluacion.id"],
            name=op.f("fk_recomendacion_evaluacion_id_evaluacion"),
        ),
        sa.ForeignKeyConstraint(
            ["usuario_id"], ["usuario.id"], name=op.f("fk_recomendacion_usuario_id_usuario")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recomendacion")),
        sa.UniqueConstraint("asm_id", name=op.f("uq_recomendacion_asm_id")),
        sa.UniqueConstraint("evaluacion_id", "numero", name=op.f("uq_recomendacion_evaluacion_id")),
    )


def downgrade() -> None:
    op.drop_table("recomendacion")
    with op.batch_alter_table("asm_responsable", schema=None) as batch_op:
        batch_op.drop_column("motivo_participacion")
    with op.batch_alter_table("evaluacion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fecha_recepcion_asm", sa.Date(), nullable=True))
        batch_op.drop_column("informe_nombre")
        batch_op.drop_column("informe_ruta")
        batch_op.drop_column("informe_sha256")
        batch_op.drop_column("fecha_limite_atencion")
        batch_op.drop_column("evaluador")
        batch_op.alter_column("ejercicio_evaluado", new_column_name="ejercicio")
    # The earliest receipt of its ASM: what the single date meant before.
    op.execute(
        "UPDATE evaluacion SET fecha_recepcion_asm = (SELECT MIN(a.fecha_recepcion) FROM asm a "
        "WHERE a.evaluacion_id = evaluacion.id)"
    )
    with op.batch_alter_table("asm", schema=None) as batch_op:
        batch_op.drop_column("gobierno_externo")
        batch_op.drop_column("fecha_recepcion")
