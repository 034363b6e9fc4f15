"""which import file each version and avance came from

Revision ID: 0009
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLAS = ("asm_version", "avance")


def upgrade() -> None:
    # Nullable: rows written before (by the bot, or by imports that did not record the file)
    # keep NULL, which is true: the file is unknown.
    for tabla in _TABLAS:
        with op.batch_alter_table(tabla, schema=None) as batch_op:
            batch_op.add_column(sa.Column("importacion_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{tabla}_importacion_id_importacion", "importacion", ["importacion_id"], ["id"]
            )


def downgrade() -> None:
    for tabla in _TABLAS:
        with op.batch_alter_table(tabla, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{tabla}_importacion_id_importacion", type_="foreignkey")
            batch_op.drop_column("importacion_id")
