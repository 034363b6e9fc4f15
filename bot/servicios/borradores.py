"""The step each person is at in a conversation, kept in the database at every step.

PTB's ConversationHandler keeps its state in memory and persists it only now and then; a row per
person, written at each step, survives a restart or a second instance and is never half-saved.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.dominio.texto import limpiar
from storage.models import Borrador, utcnow


@dataclass
class Paso:
    flujo: str  # registro, avance, evidencia
    paso: str
    datos: dict[str, Any] = field(default_factory=dict)


def leer(session: Session, telegram_id: int) -> Paso | None:
    fila = session.get(Borrador, telegram_id)
    return None if fila is None else Paso(fila.flujo, fila.paso, dict(fila.datos))


def _limpio(valor: Any) -> Any:
    if isinstance(valor, str):
        return limpiar(valor)
    if isinstance(valor, dict):
        return {k: _limpio(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [_limpio(v) for v in valor]
    return valor


def guardar(session: Session, telegram_id: int, paso: Paso) -> None:
    # Whatever the person typed is cleaned before it is kept (PostgreSQL refuses NUL).
    paso.datos = _limpio(paso.datos)
    # Names this conversation: the report it confirms keeps it, unique (seguimiento.py).
    paso.datos.setdefault("clave", secrets.token_hex(16))
    fila = session.get(Borrador, telegram_id)
    if fila is None:
        session.add(
            Borrador(telegram_id=telegram_id, flujo=paso.flujo, paso=paso.paso, datos=paso.datos)
        )
    else:
        # A new dict, so SQLAlchemy sees the JSON column changed.
        fila.flujo, fila.paso, fila.datos = paso.flujo, paso.paso, dict(paso.datos)
        fila.actualizado_en = utcnow()


def borrar(session: Session, telegram_id: int) -> bool:
    resultado = session.execute(delete(Borrador).where(Borrador.telegram_id == telegram_id))
    return bool(resultado.rowcount)  # type: ignore[attr-defined]
