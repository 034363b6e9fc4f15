"""The outbox (README, «Recordatorios»): a message is written here first, then sent and marked.

Its `clave` names what it is about, so enqueueing the same reminder twice — a second run of a
round, a restart, another instance — inserts nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Salida

# A message claimed by a sender that died before marking it is sent again after this long:
# a rare duplicate is better than a lost reminder.
RECLAMO_VENCE = timedelta(minutes=2)
MAX_INTENTOS = 5


@dataclass(frozen=True)
class Mensaje:
    clave: str  # "<tipo>:<destinatario>:<asunto>:<periodo>", unique
    tipo: str
    chat_id: int
    texto: str  # Telegram HTML
    usuario_id: int | None = None
    botones: Sequence[Sequence[tuple[str, str]]] | None = None
    documento: str | None = None  # a file under the data directory
    solo_en_horario: bool = True  # reminders wait for office hours; copies do not
    enviar_desde: datetime | None = None


def encolar(session: Session, mensajes: Iterable[Mensaje], ahora: datetime) -> int:
    """Adds the messages not already in the outbox; returns how many were new."""
    filas = [
        {
            "clave": m.clave[:200],
            "tipo": m.tipo,
            "chat_id": m.chat_id,
            "usuario_id": m.usuario_id,
            "texto": m.texto,
            "botones": [[list(b) for b in fila] for fila in m.botones] if m.botones else None,
            "documento": m.documento,
            "solo_en_horario": m.solo_en_horario,
            "estado": "pendiente",
            "intentos": 0,
            "enviar_desde": m.enviar_desde or ahora,
            "creado_en": ahora,
        }
        for m in mensajes
    ]
    if not filas:
        return 0
    dialecto = session.get_bind().dialect.name
    insertar = postgresql.insert if dialecto == "postgresql" else sqlite.insert
    nuevas = 0
    for fila in filas:  # one by one: RETURNING says whether each was new
        resultado = session.execute(
            insertar(Salida)
            .values(**fila)
            .on_conflict_do_nothing(index_elements=["clave"])
            .returning(Salida.id)
        )
        nuevas += len(resultado.all())
    return nuevas


def avisar(
    session: Session,
    destinatarios: Iterable[tuple[int, int]],
    tipo: str,
    asunto: str,
    texto: str,
    ahora: datetime,
    botones: Sequence[Sequence[tuple[str, str]]] | None = None,
) -> int:
    """A notice about something that just happened (not a reminder: it goes at any hour) to each
    (usuario id, Telegram id), once per person and `asunto`."""
    return encolar(
        session,
        [
            Mensaje(
                clave=f"{tipo}:u{uid}:{asunto}",
                tipo=tipo,
                chat_id=tid,
                usuario_id=uid,
                texto=texto,
                botones=botones,
                solo_en_horario=False,
            )
            for uid, tid in destinatarios
        ],
        ahora,
    )


def por_enviar(
    session: Session, ahora: datetime, *, en_horario: bool, limite: int = 200
) -> list[int]:
    """Ids of messages due now, oldest first (outside office hours, only those that may go)."""
    consulta = (
        select(Salida.id)
        .where(
            Salida.enviar_desde <= ahora,
            (Salida.estado == "pendiente")
            | ((Salida.estado == "enviando") & (Salida.reclamado_en < ahora - RECLAMO_VENCE)),
        )
        .order_by(Salida.id)
        .limit(limite)
    )
    if not en_horario:
        consulta = consulta.where(Salida.solo_en_horario.is_(False))
    return list(session.scalars(consulta))


def reclamar(session: Session, salida_id: int, ahora: datetime) -> Salida | None:
    """Takes the message for this sender; None when another sender already has it."""
    resultado = session.execute(
        update(Salida)
        .where(
            Salida.id == salida_id,
            (Salida.estado == "pendiente")
            | ((Salida.estado == "enviando") & (Salida.reclamado_en < ahora - RECLAMO_VENCE)),
        )
        .values(estado="enviando", reclamado_en=ahora, intentos=Salida.intentos + 1)
    )
    if resultado.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Salida, salida_id)


def marcar(
    session: Session, salida_id: int, estado: str, ahora: datetime, error: str | None = None
) -> None:
    valores: dict[str, object] = {"estado": estado, "error": error[:300] if error else None}
    if estado == "enviado":
        valores["enviado_en"] = ahora
    session.execute(update(Salida).where(Salida.id == salida_id).values(**valores))


def reintentar_despues(session: Session, salida_id: int, cuando: datetime, error: str) -> None:
    """Back to the queue, not before `cuando`; after MAX_INTENTOS it is marked failed."""
    fila = session.get(Salida, salida_id)
    if fila is None:
        return
    if fila.intentos >= MAX_INTENTOS:
        fila.estado, fila.error = "fallido", error[:300]
    else:
        fila.estado, fila.enviar_desde, fila.error = "pendiente", cuando, error[:300]


def conteo(session: Session, desde: datetime) -> dict[str, int]:
    """Messages by state created since `desde` (for /recordatorios)."""
    filas = session.execute(
        select(Salida.estado, func.count()).where(Salida.creado_en >= desde).group_by(Salida.estado)
    ).all()
    return {estado: n for estado, n in filas}
