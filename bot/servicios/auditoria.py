"""The audit log: every change to the register is written here, in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.models import Auditoria


def registrar(
    session: Session,
    actor: str,
    accion: str,
    objeto: str,
    objeto_id: int | None = None,
    **detalle: Any,
) -> None:
    session.add(
        Auditoria(actor=actor, accion=accion, objeto=objeto, objeto_id=objeto_id, detalle=detalle)
    )
