"""Telegram's flood limits, respected by pacing rather than by collecting 429s.

About 30 messages per second in all and about one per second per chat. PTB's AIORateLimiter
has no per-private-chat limit and pauses every request on a single 429, so this one:
- keeps every request to Telegram under the overall rate (a token bucket: short bursts of a
  few messages, as a conversation makes, go at once; a long round is spaced evenly);
- spaces messages to the same chat one second apart when the caller asks (the outbox does;
  a person's own conversation does not, so replies stay instant);
- on a 429 waits out `retry_after` for that chat only, and tries again.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot import metricas

POR_CHAT = {"por_chat": True}  # rate_limit_args for paced messages


def segundos(e: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form unless PTB_TIMEDELTA is set
        warnings.simplefilter("ignore")
        espera: int | float | timedelta = e.retry_after
    return espera.total_seconds() if isinstance(espera, timedelta) else float(espera)


class Limitador(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        por_segundo: float = 29.0,
        rafaga: int = 8,
        intervalo_chat: float = 1.0,
        max_reintentos: int = 3,
    ) -> None:
        self._intervalo = 1.0 / por_segundo
        self._rafaga = rafaga
        self._intervalo_chat = intervalo_chat
        self._max_reintentos = max_reintentos
        # GCRA, a token bucket kept as one number: the theoretical time of the next request;
        # a request may go up to `rafaga` intervals before it (the burst allowance).
        self._siguiente = 0.0
        self._siguiente_chat: dict[int | str, float] = {}
        self._candado = asyncio.Lock()
        self.esperas_429 = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def _turno(self, chat: int | str | None, por_chat: bool) -> None:
        """Reserves the next slot (overall, and for the chat) and sleeps until it comes."""
        async with self._candado:
            ahora = time.monotonic()
            tolerancia = self._rafaga * self._intervalo
            momento = max(ahora, self._siguiente - tolerancia)
            if chat is not None and por_chat:
                momento = max(momento, self._siguiente_chat.get(chat, 0.0))
                self._siguiente_chat[chat] = momento + self._intervalo_chat
            self._siguiente = max(self._siguiente, momento) + self._intervalo
        if momento > ahora:
            await asyncio.sleep(momento - ahora)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        por_chat = bool(rate_limit_args and rate_limit_args.get("por_chat"))
        # Reading updates and answering button presses are not flood-limited messages.
        limitado = endpoint not in ("getUpdates", "answerCallbackQuery", "getMe", "getFile")
        for intento in range(self._max_reintentos + 1):
            if limitado:
                await self._turno(chat, por_chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as e:
                if intento == self._max_reintentos:
                    raise
                self.esperas_429 += 1
                metricas.ESPERAS_429.inc()
                espera = segundos(e)
                if chat is not None:
                    async with self._candado:
                        libre = time.monotonic() + espera
                        self._siguiente_chat[chat] = max(self._siguiente_chat.get(chat, 0.0), libre)
                await asyncio.sleep(espera)
        raise AssertionError("unreachable")  # pragma: no cover
