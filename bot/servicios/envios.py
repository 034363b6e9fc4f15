"""What the outbox did lately, for /recordatorios: messages by state and the latest failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.servicios import salida
from storage.models import Salida

FALLAS_RECIENTES = 5


def resumen_envios(
    session: Session, desde: datetime
) -> tuple[dict[str, int], list[tuple[str, str | None]]]:
    """(messages by state since `desde`, (type, error) of the latest failed ones)."""
    fallas = session.execute(
        select(Salida.tipo, Salida.error)
        .where(Salida.creado_en >= desde, Salida.estado.in_(["fallido", "inalcanzable"]))
        .order_by(Salida.id.desc())
        .limit(FALLAS_RECIENTES)
    ).all()
    return salida.conteo(session, desde), [(t, e) for t, e in fallas]
