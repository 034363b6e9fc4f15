"""The outbox (README, «Recordatorios»): a message is written here first, then sent and marked.

Its `clave` names what it is about, so enqueueing the same reminder twice — a second run of a
round, a restart, another instance — inserts nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from storage.models import Salida

# A message claimed by a sender that died before marking it is sent again after this long,
# measured by the database's clock (every server agrees on it): a rare duplicate is better
# than a lost reminder.
RECLAMO_VENCE = timedelta(minutes=2)
# A temporary failure (Telegram down, network) is retried without end, ever later: 1, 2, 4…
# minutes up to this. A message is given up only when Telegram refuses it for good.
ESPERA_INICIAL = timedelta(minutes=1)
ESPERA_MAXIMA = timedelta(hours=2)


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
            "inciertos": 0,
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


def _reloj_bd(session: Session, menos: timedelta | None = None) -> ColumnElement[datetime]:
    """The database's own clock in UTC (as the columns keep it), not this server's."""
    if session.get_bind().dialect.name == "postgresql":
        ahora: ColumnElement[datetime] = func.timezone("UTC", func.now())
        return ahora - menos if menos else ahora
    segundos = f"-{menos.total_seconds():.0f} seconds" if menos else "+0 seconds"
    return func.strftime("%Y-%m-%d %H:%M:%f", "now", segundos)


def _reclamable(session: Session, tabla: Any = Salida) -> ColumnElement[bool]:
    return or_(
        tabla.estado == "pendiente",
        and_(
            tabla.estado == "enviando",
            tabla.reclamado_en < _reclamo_vencido(session),
        ),
    )


def _reclamo_vencido(session: Session) -> ColumnElement[datetime]:
    return _reloj_bd(session, RECLAMO_VENCE)


def por_enviar(
    session: Session, ahora: datetime, *, en_horario: bool, limite: int = 200
) -> list[tuple[int, int]]:
    """(id, chat) of the messages due now, oldest first (outside office hours, only those that
    may go). A message waits while an older one to the same chat is being retried or sent, so a
    chat receives its messages in the order they were written."""
    antes = aliased(Salida)
    atasco = exists().where(
        antes.chat_id == Salida.chat_id,
        antes.id < Salida.id,
        or_(
            and_(antes.estado == "pendiente", antes.intentos > 0),
            antes.estado == "enviando",
        ),
    )
    consulta = (
        select(Salida.id, Salida.chat_id)
        .where(Salida.enviar_desde <= ahora, _reclamable(session), ~atasco)
        .order_by(Salida.id)
        .limit(limite)
    )
    if not en_horario:
        consulta = consulta.where(Salida.solo_en_horario.is_(False))
    return [(i, c) for i, c in session.execute(consulta).all()]


def reclamar(session: Session, salida_id: int, ahora: datetime) -> Salida | None:
    """Takes the message for this sender; None when another sender already has it.

    On PostgreSQL a row another sender is claiming is skipped, not waited for.
    """
    if session.get_bind().dialect.name == "postgresql":
        otra = aliased(Salida)  # not correlated with the row being updated
        libre = (
            select(otra.id)
            .where(otra.id == salida_id, _reclamable(session, otra))
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        condicion: ColumnElement[bool] = Salida.id == libre
    else:  # SQLite has one writer at a time: the conditional UPDATE is enough
        condicion = and_(Salida.id == salida_id, _reclamable(session))
    resultado = session.execute(
        update(Salida)
        .where(condicion)
        .values(estado="enviando", reclamado_en=_reloj_bd(session), intentos=Salida.intentos + 1)
        .execution_options(synchronize_session=False)
    )
    if resultado.rowcount != 1:  # type: ignore[attr-defined]
        return None
    fila = session.get(Salida, salida_id, populate_existing=True)
    return fila


def marcar(
    session: Session, salida_id: int, estado: str, ahora: datetime, error: str | None = None
) -> None:
    valores: dict[str, object] = {"estado": estado, "error": error[:300] if error else None}
    if estado == "enviado":
        valores["enviado_en"] = ahora
    session.execute(update(Salida).where(Salida.id == salida_id).values(**valores))


def espera(intentos: int) -> timedelta:
    """How long to wait after the `intentos`-th failed attempt: doubling, up to ESPERA_MAXIMA."""
    factor: int = 2 ** min(max(intentos - 1, 0), 20)
    return min(ESPERA_INICIAL * factor, ESPERA_MAXIMA)


def reintentar_despues(
    session: Session,
    salida_id: int,
    ahora: datetime,
    error: str,
    al_menos: timedelta = timedelta(0),
    *,
    incierto: bool = False,
) -> None:
    """A temporary failure: back to the queue, ever later. Never given up.

    `incierto`: the request left and no answer came (a timeout), so Telegram may have delivered
    it. Such a message is sent once more at most — Telegram offers no way to ask, nor an
    idempotency key — and after a second one it counts as delivered without confirmation
    («sin_confirmar»), so a slow Telegram causes at most one duplicate per message.
    """
    fila = session.get(Salida, salida_id)
    if fila is None:
        return
    if incierto:
        fila.inciertos += 1
        if fila.inciertos >= 2:
            fila.estado, fila.error = "sin_confirmar", error[:300]
            return
    fila.estado, fila.error = "pendiente", error[:300]
    fila.enviar_desde = ahora + max(espera(fila.intentos), al_menos)


def en_espera(session: Session, ahora: datetime) -> int:
    """How many messages wait for a retry after a temporary failure."""
    return (
        session.scalar(
            select(func.count()).where(
                Salida.estado == "pendiente", Salida.intentos > 0, Salida.enviar_desde > ahora
            )
        )
        or 0
    )


def adelantar(session: Session, ahora: datetime) -> int:
    """Telegram answers again: every message waiting for a retry is due now."""
    resultado = session.execute(
        update(Salida)
        .where(Salida.estado == "pendiente", Salida.intentos > 0, Salida.enviar_desde > ahora)
        .values(enviar_desde=ahora)
    )
    return int(resultado.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Espera:
    tipo: str
    mensajes: int
    error: str | None
    proximo: datetime


def esperando(session: Session) -> list[Espera]:
    """What is waiting for a retry and why (for /recordatorios), by kind and last error."""
    filas = session.execute(
        select(Salida.tipo, Salida.error, func.count(), func.min(Salida.enviar_desde))
        .where(Salida.estado == "pendiente", Salida.intentos > 0)
        .group_by(Salida.tipo, Salida.error)
        .order_by(func.count().desc())
        .limit(10)
    ).all()
    return [Espera(t, n, e, p) for t, e, n, p in filas]


def conteo(session: Session, desde: datetime) -> dict[str, int]:
    """Messages by state created since `desde` (for /recordatorios)."""
    filas = session.execute(
        select(Salida.estado, func.count()).where(Salida.creado_en >= desde).group_by(Salida.estado)
    ).all()
    return {estado: n for estado, n in filas}
