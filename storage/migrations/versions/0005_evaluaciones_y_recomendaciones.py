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


# Plain ALTER TABLE (SQLite 3.35+ renames and drops columns in place): a batch copy of `asm` or
# `evaluacion` would fail on SQLite's foreign keys once other tables point at their rows.


def upgrade() -> None:
    op.add_column("asm", sa.Column("fecha_recepcion", sa.Date(), nullable=True))
    op.add_column("asm", sa.Column("gobierno_externo", sa.String(length=300), nullable=True))
    op.execute(
        "UPDATE asm SET fecha_recepcion = (SELECT e.fecha_recepcion_asm FROM evaluacion e "
        "WHERE e.id = asm.evaluacion_id) WHERE evaluacion_id IS NOT NULL"
    )
    op.execute("ALTER TABLE evaluacion RENAME COLUMN ejercicio TO ejercicio_evaluado")
    op.add_column(
        "evaluacion",
        sa.Column("evaluador", sa.String(length=300), nullable=False, server_default=""),
    )
    if op.get_bind().dialect.name == "postgresql":  # SQLite cannot drop a default in place
        op.alter_column("evaluacion", "evaluador", server_default=None)
    op.add_column("evaluacion", sa.Column("fecha_limite_atencion", sa.Date(), nullable=True))
    op.add_column("evaluacion", sa.Column("informe_sha256", sa.String(length=64), nullable=True))
    op.add_column("evaluacion", sa.Column("informe_ruta", sa.String(length=500), nullable=True))
    op.add_column("evaluacion", sa.Column("informe_nombre", sa.String(length=300), nullable=True))
    op.execute("ALTER TABLE evaluacion DROP COLUMN fecha_recepcion_asm")
    op.add_column("asm_responsable", sa.Column("motivo_participacion", sa.Text(), nullable=True))

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
    op.execute("ALTER TABLE asm_responsable DROP COLUMN motivo_participacion")
    op.add_column("evaluacion", sa.Column("fecha_recepcion_asm", sa.Date(), nullable=True))
    for columna in (
        "informe_nombre", "informe_ruta", "informe_sha256", "fecha_limite_atencion", "evaluador",
    ):  # fmt: skip
        op.execute(f"ALTER TABLE evaluacion DROP COLUMN {columna}")
    op.execute("ALTER TABLE evaluacion RENAME COLUMN ejercicio_evaluado TO ejercicio")
    # The earliest receipt of its ASM: what the single date meant before.
    op.execute(
        "UPDATE evaluacion SET fecha_recepcion_asm = (SELECT MIN(a.fecha_recepcion) FROM asm a "
        "WHERE a.evaluacion_id = evaluacion.id)"
    )
    op.execute("ALTER TABLE asm DROP COLUMN gobierno_externo")
    op.execute("ALTER TABLE asm DROP COLUMN fecha_recepcion")
