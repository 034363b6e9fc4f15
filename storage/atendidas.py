"""Updates already handled, so that one Telegram sends again is not handled twice.

In webhook mode Telegram sends an update again until a replica answers it, and a replica that
dies while handling one never answers. So each update is written down (per bot) in the same
transaction as the first change its handling makes, and marked «terminada» once its handler
returned; bot/procesador.py looks here first, under the chat's lock:

- not written down: nothing of it was committed; it is handled (again) from the start;
- «terminada»: acknowledged without handling it twice;
- written down but not «terminada»: its change was committed but the replica may have died
  before replying. If that change moved the person's conversation on (the draft), the draft is
  put back as it was and the update handled again, so the person gets the next step's message
  (the step's change is the same again); otherwise (the conversation ended, or none) it is not
  handled again: what it did stays done once.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from storage.models import ActualizacionAtendida, Borrador, utcnow

# Telegram keeps an update it could not deliver for 24 hours; a week is plenty.
DIAS_GUARDADAS = 7


@dataclass
class EnCurso:
    """The update being handled in this task (and the worker threads it starts)."""

    bot_id: int
    update_id: int
    borrador_previo: dict[str, Any] | None
    anotada: bool = False


ACTUAL: ContextVar[EnCurso | None] = ContextVar("actualizacion_en_curso", default=None)


def _foto(session: Session, telegram_id: int | None) -> dict[str, Any] | None:
    if telegram_id is None:
        return None
    b = session.get(Borrador, telegram_id)
    return None if b is None else {"flujo": b.flujo, "paso": b.paso, "datos": b.datos}


def _restaurar(session: Session, telegram_id: int, foto: dict[str, Any] | None) -> None:
    b = session.get(Borrador, telegram_id)
    if foto is None:
        if b is not None:
            session.delete(b)
        return
    if b is None:
        b = Borrador(telegram_id=telegram_id)
        session.add(b)
    b.flujo, b.paso, b.datos, b.actualizado_en = (
        foto["flujo"],
        foto["paso"],
        foto["datos"],
        utcnow(),
    )


def empezar(
    sesiones: sessionmaker[Session], bot_id: int, update_id: int, telegram_id: int | None
) -> EnCurso | None:
    """Under the chat's lock: what to handle. None: already handled, acknowledge it."""
    with sesiones() as s, s.begin():
        fila = s.get(ActualizacionAtendida, (bot_id, update_id))
        ahora = _foto(s, telegram_id)
        if fila is not None:
            if fila.terminada or telegram_id is None:
                return None
            if ahora is None or ahora == fila.borrador_previo:
                return None  # it ended the conversation, or did not touch it: done once
            _restaurar(s, telegram_id, fila.borrador_previo)
            ahora = fila.borrador_previo
            s.delete(fila)  # written down again with its change
        return EnCurso(bot_id, update_id, ahora)


def terminar(sesiones: sessionmaker[Session], en_curso: EnCurso) -> None:
    """After the handler returned (its replies sent): sent again, it is only acknowledged.
    Called outside the update's context (ACTUAL reset), so this write is not the handler's."""
    with sesiones() as s, s.begin():
        if en_curso.anotada:
            s.execute(
                update(ActualizacionAtendida)
                .where(
                    ActualizacionAtendida.bot_id == en_curso.bot_id,
                    ActualizacionAtendida.update_id == en_curso.update_id,
                )
                .values(terminada=True)
            )
        else:
            _anotar(s, en_curso, terminada=True)


def podar(session: Session, ahora: datetime) -> int:
    """Forgets updates handled more than DIAS_GUARDADAS days ago; returns how many."""
    limite = ahora - timedelta(days=DIAS_GUARDADAS)
    r = session.execute(
        delete(ActualizacionAtendida).where(ActualizacionAtendida.atendida_en < limite)
    )
    return int(getattr(r, "rowcount", 0) or 0)


def _anotar(session: Session, en_curso: EnCurso, *, terminada: bool) -> None:
    bind = session.get_bind()
    insertar = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insertar(ActualizacionAtendida)
        .values(
            bot_id=en_curso.bot_id,
            update_id=en_curso.update_id,
            terminada=terminada,
            borrador_previo=en_curso.borrador_previo,
            atendida_en=utcnow(),
        )
        .on_conflict_do_nothing()
    )


# --- Written down with the handler's first change: Session events -------------------------

_ESCRIBE = "atendidas_escribe"
_ANOTA = "atendidas_anota"


@event.listens_for(Session, "after_flush")
def _tras_flush(session: Session, _contexto: Any) -> None:
    if ACTUAL.get() is not None:
        session.info[_ESCRIBE] = True


@event.listens_for(Session, "do_orm_execute")
def _al_ejecutar(estado: ORMExecuteState) -> None:
    if ACTUAL.get() is not None and (estado.is_insert or estado.is_update or estado.is_delete):
        estado.session.info[_ESCRIBE] = True


@event.listens_for(Session, "before_commit")
def _antes_de_confirmar(session: Session) -> None:
    en_curso = ACTUAL.get()
    if en_curso is None or en_curso.anotada:
        return
    session.flush()  # what the handler still holds: a change counts once flushed
    if not session.info.pop(_ESCRIBE, False):
        return  # it only read
    _anotar(session, en_curso, terminada=False)
    session.info[_ANOTA] = en_curso


@event.listens_for(Session, "after_commit")
def _tras_confirmar(session: Session) -> None:
    session.info.pop(_ESCRIBE, None)
    en_curso = session.info.pop(_ANOTA, None)
    if en_curso is not None:
        en_curso.anotada = True


@event.listens_for(Session, "after_rollback")
def _tras_deshacer(session: Session) -> None:
    session.info.pop(_ESCRIBE, None)
    session.info.pop(_ANOTA, None)
