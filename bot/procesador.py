"""How updates are processed: several people at once, each person's updates in order.

PTB processes one update at a time by default, so a coordinador's large Anexo A would hold up
every enlace. Concurrency across chats keeps others answered; a lock per chat keeps a person's
own updates in order (a double tap on «Confirmar» is handled after the first, not beside it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# On 2 cores with a nearby Bot API server, 16 at a time was the measured sweet spot (PTB's
# default of 256 only adds contention).
CONCURRENCIA = 16


class ProcesadorPorChat(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = CONCURRENCIA) -> None:
        super().__init__(max_concurrent_updates)
        self._candados: dict[int, asyncio.Lock] = {}
        self._en_uso: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
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
                await coroutine
        finally:
            self._en_uso[chat] -= 1
            if not self._en_uso[chat]:  # forget idle chats, so memory stays flat
                del self._en_uso[chat]
                del self._candados[chat]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
