"""Telegram's flood limits, respected by pacing rather than by collecting 429s.

About 30 messages per second in all and about one per second per chat. PTB's AIORateLimiter
has no per-private-chat limit and pauses every request on a single 429, so this one:
- keeps every request to Telegram under the overall rate (a token bucket: short bursts of a
  few messages, as a conversation makes, go at once; a long round is spaced evenly);
- gives a person's reply the next free slot before any outbox message waiting for one (PTB's
  is first come, first served), so nobody waits behind a round of a thousand reminders; the
  round takes every slot replies leave, so it still runs at the overall rate;
- spaces messages to the same chat one second apart when the caller asks (the outbox does;
  a person's own conversation does not, so replies stay instant);
- on a 429 waits out `retry_after` for that chat only, and tries again (a reply's 429 gives
  its slot back: Telegram did not count it).

Every request passes here, so two more things are done in this one place: texts are fitted to
Telegram's length limits (bot.mensajes.textos.ajustar), and Telegram's harmless refusals — a
button answered too late, an edit that changes nothing — are not errors: what the person
asked for was done, and telling them otherwise would invite them to do it twice.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, RetryAfter
from telegram.ext import BaseRateLimiter

from bot import metricas
from bot.mensajes.textos import LIMITE_ALERTA, LIMITE_LEYENDA, LIMITE_TEXTO, ajustar

# rate_limit_args of the outbox's messages: paced per chat, and after people's replies.
POR_CHAT = {"por_chat": True}


def segundos(e: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form unless PTB_TIMEDELTA is set
        warnings.simplefilter("ignore")
        espera: int | float | timedelta = e.retry_after
    return espera.total_seconds() if isinstance(espera, timedelta) else float(espera)


_CON_TEXTO = {"sendmessage": "text", "editmessagetext": "text"}
_CON_LEYENDA = {"senddocument", "sendphoto", "editmessagecaption", "sendvideo", "sendaudio"}


def ajustar_a_telegram(endpoint: str, data: dict[str, Any]) -> None:
    """Shortens, in place, the text of a request that Telegram would refuse as too long."""
    metodo = endpoint.lower()
    html = str(data.get("parse_mode") or "").upper() == "HTML"
    if metodo in _CON_TEXTO and isinstance(data.get("text"), str):
        data["text"] = ajustar(data["text"], LIMITE_TEXTO, html=html)
    elif metodo in _CON_LEYENDA and isinstance(data.get("caption"), str):
        data["caption"] = ajustar(data["caption"], LIMITE_LEYENDA, html=html)
    elif metodo == "answercallbackquery" and isinstance(data.get("text"), str):
        data["text"] = ajustar(data["text"], LIMITE_ALERTA, html=False)


def inofensivo(endpoint: str, e: BadRequest) -> bool:
    """A refusal that means nothing went wrong: the pop-up of a press answered too late (or
    twice), or an edit to what the message already shows."""
    metodo, texto = endpoint.lower(), e.message.lower()
    if metodo == "answercallbackquery":
        return "query is too old" in texto or "query id is invalid" in texto
    return metodo.startswith("editmessage") and "message is not modified" in texto


def inofensivo_en_cualquiera(e: BadRequest) -> bool:
    """The same, when the method is not known (the error handler)."""
    return inofensivo("answerCallbackQuery", e) or inofensivo("editMessageText", e)


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
        # Who waits for a slot, in order: people's replies, then the outbox's messages.
        self._respuestas: deque[asyncio.Future[None]] = deque()
        self._masivos: deque[asyncio.Future[None]] = deque()
        self._reparto: asyncio.Task[None] | None = None
        self._candado = asyncio.Lock()
        self.esperas_429 = 0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        if self._reparto is not None:
            self._reparto.cancel()

    def _libre(self, ahora: float) -> bool:
        return self._siguiente - self._rafaga * self._intervalo <= ahora

    def _ocupar(self, ahora: float) -> None:
        self._siguiente = max(self._siguiente, ahora) + self._intervalo

    async def _turno(self, chat: int | str | None, por_chat: bool) -> None:
        """Waits for the chat's own pace (outbox messages), then for a slot of the overall rate."""
        if chat is not None and por_chat:
            async with self._candado:
                ahora = time.monotonic()
                momento = max(ahora, self._siguiente_chat.get(chat, 0.0))
                self._siguiente_chat[chat] = momento + self._intervalo_chat
            if momento > ahora:
                await asyncio.sleep(momento - ahora)
        ahora = time.monotonic()
        if not self._respuestas and not self._masivos and self._libre(ahora):
            self._ocupar(ahora)  # nobody is waiting: go now
            return
        turno = asyncio.get_running_loop().create_future()
        (self._masivos if por_chat else self._respuestas).append(turno)
        if self._reparto is None or self._reparto.done():
            self._reparto = asyncio.create_task(self._repartir_turnos())
        await turno

    async def _repartir_turnos(self) -> None:
        """Hands out the slots as they come: to the oldest reply waiting, else to the outbox."""
        while self._respuestas or self._masivos:
            ahora = time.monotonic()
            if not self._libre(ahora):
                await asyncio.sleep(self._siguiente - self._rafaga * self._intervalo - ahora)
                continue
            cola = self._respuestas or self._masivos
            turno = cola.popleft()
            if turno.done():  # its request was cancelled while it waited
                continue
            self._ocupar(ahora)
            turno.set_result(None)

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
        ajustar_a_telegram(endpoint, data)
        for intento in range(self._max_reintentos + 1):
            if limitado:
                await self._turno(chat, por_chat)
            try:
                return await callback(*args, **kwargs)
            except BadRequest as e:
                if inofensivo(endpoint, e):
                    return True
                raise
            except RetryAfter as e:
                if intento == self._max_reintentos:
                    raise
                self.esperas_429 += 1
                metricas.ESPERAS_429.inc()
                if limitado and not por_chat:
                    # A reply's 429 is its own chat's (a reply and an edit at once): Telegram
                    # did not count it overall, so its slot goes to the next request. The
                    # outbox's may be the overall limit: that slot stays spent.
                    self._siguiente -= self._intervalo
                espera = segundos(e)
                if chat is not None:
                    async with self._candado:
                        libre = time.monotonic() + espera
                        self._siguiente_chat[chat] = max(self._siguiente_chat.get(chat, 0.0), libre)
                await asyncio.sleep(espera)
        raise AssertionError("unreachable")  # pragma: no cover
