"""An update Telegram sends again (a webhook replica died before answering it) is handled
once: what its handling committed counts, and a step whose reply was lost is answered again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select
from telegram import Chat, Message, Update, User

from bot.procesador import Atendidas
from storage import atendidas
from storage.models import ActualizacionAtendida, Borrador
from tests.conftest import Db

ANA = 5_000_001
BOT = 123456


def actualizacion(update_id: int, texto: str = "55") -> Update:
    ana = User(id=ANA, first_name="Ana", is_bot=False)
    mensaje = Message(
        message_id=update_id,
        date=datetime.now(UTC),
        chat=Chat(id=ANA, type="private"),
        from_user=ana,
        text=texto,
    )
    return Update(update_id, message=mensaje)


class Paso:
    """A handler as the bot's are: one transaction that moves the draft on, then a reply."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.vistos: list[str | None] = []  # the step each handling started from
        self.respuestas = 0

    async def __call__(self, nuevo: str | None, *, muere_tras_guardar: bool = False) -> None:
        def trabajo() -> None:
            with self.db.sesiones() as s, s.begin():
                b = s.get(Borrador, ANA)
                self.vistos.append(None if b is None else b.paso)
                if nuevo is None:  # «Confirmar»: the report is saved and the draft goes
                    s.execute(delete(Borrador).where(Borrador.telegram_id == ANA))
                elif b is not None:
                    b.paso = nuevo

        await asyncio.to_thread(trabajo)
        if muere_tras_guardar:
            raise asyncio.CancelledError  # the replica is killed before its reply leaves
        self.respuestas += 1


@pytest.fixture
def paso(db: Db) -> Paso:
    with db.sesiones.begin() as s:
        s.add(Borrador(telegram_id=ANA, flujo="avance", paso="observaciones", datos={"n": 1}))
    return Paso(db)


def _paso_actual(db: Db) -> str | None:
    with db.sesiones() as s:
        b = s.get(Borrador, ANA)
        return None if b is None else b.paso


async def test_a_step_saved_by_a_replica_that_died_before_replying_is_answered_again(
    db: Db, paso: Paso
) -> None:
    """The lost report of bench/replicas.py: «Omitir» moved the draft on, the replica died
    before sending the next step's message, and the update sent again found a moved-on draft
    («button no longer valid»). Now it starts again from the step it was meant for."""
    bot = Atendidas(db.sesiones, BOT)
    with pytest.raises(asyncio.CancelledError):
        await bot.atender(actualizacion(1), paso("evidencia", muere_tras_guardar=True))
    assert _paso_actual(db) == "evidencia"

    await bot.atender(actualizacion(1), paso("evidencia"))
    assert paso.vistos == ["observaciones", "observaciones"]
    assert paso.respuestas == 1 and _paso_actual(db) == "evidencia"

    await bot.atender(actualizacion(1), paso("otra cosa"))  # and once answered, never again
    assert paso.vistos == ["observaciones", "observaciones"] and paso.respuestas == 1


async def test_a_handled_update_sent_again_is_acknowledged_without_handling_it(
    db: Db, paso: Paso
) -> None:
    bot = Atendidas(db.sesiones, BOT)
    await bot.atender(actualizacion(7), paso("evidencia"))
    await bot.atender(actualizacion(7), paso("confirmar"))  # «55» would be the observations
    assert paso.vistos == ["observaciones"] and _paso_actual(db) == "evidencia"

    # Another bot on the same database has its own update ids.
    await Atendidas(db.sesiones, BOT + 1).atender(actualizacion(7), paso("confirmar"))
    assert paso.vistos == ["observaciones", "evidencia"]


async def test_what_committed_nothing_is_handled_again_and_a_saved_report_is_not(
    db: Db, paso: Paso
) -> None:
    bot = Atendidas(db.sesiones, BOT)

    async def muere_antes() -> None:
        raise asyncio.CancelledError  # killed before its transaction committed

    with pytest.raises(asyncio.CancelledError):
        await bot.atender(actualizacion(2), muere_antes())
    await bot.atender(actualizacion(2), paso("evidencia"))
    assert paso.vistos == ["observaciones"]

    # «Confirmar» saved the report (the draft went) and the replica died: not saved twice.
    with pytest.raises(asyncio.CancelledError):
        await bot.atender(actualizacion(3), paso(None, muere_tras_guardar=True))
    await bot.atender(actualizacion(3), paso(None))
    assert paso.vistos == ["observaciones", "evidencia"] and _paso_actual(db) is None


async def test_a_read_only_update_is_written_down_once_answered(db: Db, paso: Paso) -> None:
    bot = Atendidas(db.sesiones, BOT)
    lecturas: list[int] = []

    async def leer() -> None:
        await asyncio.to_thread(lambda: lecturas.append(_paso_actual(db) is not None))

    await bot.atender(actualizacion(4, "/mis_asm"), leer())
    await bot.atender(actualizacion(4, "/mis_asm"), leer())
    assert lecturas == [True]
    with db.sesiones() as s:
        fila = s.get(ActualizacionAtendida, (BOT, 4))
        assert fila is not None and fila.terminada


def test_old_handled_updates_are_pruned(db: Db) -> None:
    ahora = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)
    with db.sesiones.begin() as s:
        for i, dias in enumerate((0, 6, 8, 30)):
            s.add(
                ActualizacionAtendida(
                    bot_id=BOT,
                    update_id=i,
                    terminada=True,
                    atendida_en=ahora - timedelta(days=dias),
                )
            )
    with db.sesiones.begin() as s:
        assert atendidas.podar(s, ahora) == 2
    with db.sesiones() as s:
        assert s.scalar(select(func.count()).select_from(ActualizacionAtendida)) == 2
