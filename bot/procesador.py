"""How updates are processed: several people at once, each person's updates in order.

PTB processes one update at a time by default, so a coordinador's large Anexo A would hold up
every enlace. Concurrency across chats keeps others answered; a lock per chat keeps a person's
own updates in order (a double tap on «Confirmar» is handled after the first, not beside it).

With several replicas on one PostgreSQL (webhook mode), the lock per chat is also an advisory
lock in the database, so one person's updates never run at once on two machines; and the
webhook's answer waits for the update to be handled, so the next update of that chat (sent by
Telegram after the answer) starts after it, and an update a replica dies holding is sent again;
under the chat's lock, storage/atendidas.py says whether it was already handled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import metricas
from storage import atendidas
from storage.candados import CLASE_CHAT, CandadoAsesor, objid

log = logging.getLogger(__name__)

# On 2 cores with a nearby Bot API server, 16 at a time was the measured sweet spot (PTB's
# default of 256 only adds contention).
CONCURRENCIA = 16


class ColaConAcuse(asyncio.Queue[object]):
    """The update queue in webhook mode: `put` (awaited by PTB's webhook before it answers
    Telegram) returns once the update was handled, or after `espera_max` for a long one."""

    def __init__(self, espera_max: float = 50.0) -> None:
        super().__init__()
        self._espera_max = espera_max
        self._pendientes: dict[int, asyncio.Future[None]] = {}

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):
            await super().put(item)
            return
        hecho = asyncio.get_running_loop().create_future()
        self._pendientes[item.update_id] = hecho
        try:
            await super().put(item)
            await asyncio.wait_for(asyncio.shield(hecho), self._espera_max)
        except TimeoutError:  # a large import: answer now, or Telegram would send it again
            pass
        finally:
            self._pendientes.pop(item.update_id, None)

    def hecho(self, update: object) -> None:
        futuro = self._pendientes.get(getattr(update, "update_id", -1))
        if futuro is not None and not futuro.done():
            futuro.set_result(None)


class CandadosDeChat:
    """Per-chat advisory locks on PostgreSQL, each on a connection of its own pool."""

    def __init__(self, engine: Engine, espera: float = 0.02) -> None:
        self._engine = engine
        self._espera = espera
        # Lock calls are quick, but never share the default pool the handlers' work uses.
        self._hilos = ThreadPoolExecutor(max_workers=4, thread_name_prefix="candado-chat")

    async def tomar(self, chat: int) -> CandadoAsesor:
        candado = CandadoAsesor(self._engine, CLASE_CHAT, objid(chat))
        loop = asyncio.get_running_loop()
        while not await loop.run_in_executor(self._hilos, candado.intentar):
            await asyncio.sleep(self._espera)  # another replica has this chat: wait its turn
        return candado

    async def soltar(self, candado: CandadoAsesor) -> None:
        await asyncio.get_running_loop().run_in_executor(self._hilos, candado.soltar)

    def cerrar(self) -> None:
        self._hilos.shutdown(wait=False)
        self._engine.dispose()


class Atendidas:
    """Where a bot's handled updates are written down (storage/atendidas.py)."""

    def __init__(self, sesiones: sessionmaker[Session], bot_id: int) -> None:
        self.sesiones = sesiones
        self.bot_id = bot_id

    async def atender(self, update: Update, coroutine: Awaitable[Any]) -> None:
        quien = update.effective_user.id if update.effective_user else None
        try:
            en_curso = await asyncio.to_thread(
                atendidas.empezar, self.sesiones, self.bot_id, update.update_id, quien
            )
        except BaseException:
            _descartar(coroutine)
            raise
        if en_curso is None:
            _descartar(coroutine)  # handled before: acknowledged, not handled twice
            return
        token = atendidas.ACTUAL.set(en_curso)
        try:
            await coroutine
        finally:
            atendidas.ACTUAL.reset(token)
        await asyncio.to_thread(atendidas.terminar, self.sesiones, en_curso)


def _descartar(coroutine: Awaitable[Any]) -> None:
    if asyncio.iscoroutine(coroutine):
        coroutine.close()


class ProcesadorPorChat(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = CONCURRENCIA,
        *,
        candados_bd: CandadosDeChat | None = None,
        cola: ColaConAcuse | None = None,
        atendidas: Atendidas | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._candados: dict[int, asyncio.Lock] = {}
        self._en_uso: dict[int, int] = {}
        self.candados_bd = candados_bd
        self.cola = cola
        self.atendidas = atendidas

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        inicio = metricas.marcar_actualizacion()
        try:
            await self._en_orden(update, coroutine)
        finally:
            metricas.ACTUALIZACIONES.inc()
            metricas.LATENCIA.observe(time.monotonic() - inicio)
            if self.cola is not None:
                self.cola.hecho(update)

    async def _en_orden(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = (
            update.effective_chat.id
            if isinstance(update, Update) and update.effective_chat
            else None
        )
        if chat is None:
            await coroutine
            return
        candado = self._candados.setdefault(chat, asyncio.Lock())
        self._en_uso[chat] = self._en_uso.get(chat, 0) + 1
        try:
            async with candado:
                en_bd = None if self.candados_bd is None else await self.candados_bd.tomar(chat)
                try:
                    if self.atendidas is not None and isinstance(update, Update):
                        await self.atendidas.atender(update, coroutine)
                    else:
                        await coroutine
                finally:
                    if en_bd is not None and self.candados_bd is not None:
                        await self.candados_bd.soltar(en_bd)
        finally:
            self._en_uso[chat] -= 1
            if not self._en_uso[chat]:  # forget idle chats, so memory stays flat
                del self._en_uso[chat]
                del self._candados[chat]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        if self.candados_bd is not None:
            self.candados_bd.cerrar()
