"""The bot's HTTP client for the Bot API: retries network errors and Telegram's 5xx answers,
and logs that never show the token (the HTTP client logs request URLs, which carry it).

A call that sends something (sendMessage, sendDocument…) is retried here only when the request
surely never reached Telegram (no connection): after a timeout Telegram may have delivered it,
and Telegram has no idempotency key, so trying again here would send it twice. The outbox
decides about resending those (scheduler/repartidor.py)."""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
from telegram.error import NetworkError
from telegram.request import HTTPXRequest
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class _Respuesta5xx(Exception):
    def __init__(self, code: int, payload: bytes) -> None:
        super().__init__(code)
        self.code, self.payload = code, payload


# Errors of the HTTP client that mean the request was never sent.
_NO_ENVIADA = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _envia_algo(url: str) -> bool:
    """Does this Bot API method deliver something to a chat (so repeating it duplicates)?"""
    metodo = url.rsplit("/", 1)[-1].split("?", 1)[0].lower()
    return (metodo.startswith("send") and metodo != "sendchataction") or metodo in (
        "copymessage", "copymessages", "forwardmessage", "forwardmessages",
    )  # fmt: skip


def _se_puede_repetir(e: BaseException, envia_algo: bool) -> bool:
    if isinstance(e, _Respuesta5xx):
        return True  # Telegram answered that it did not do it
    if not isinstance(e, NetworkError):
        return False
    return not envia_algo or isinstance(e.__cause__, _NO_ENVIADA)


class SolicitudConReintentos(HTTPXRequest):
    """HTTPXRequest that tries again, with growing pauses, when the network or Telegram fails.

    A 429 is not retried here: PTB's rate limiter honours its `retry_after`.
    """

    def __init__(
        self, *args: Any, intentos: int = 4, espera_inicial: float = 0.5, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._intentos = intentos
        self._espera = espera_inicial

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        url = str(args[0] if args else kwargs.get("url", ""))
        envia_algo = _envia_algo(url)
        reintentos = AsyncRetrying(
            stop=stop_after_attempt(self._intentos),
            wait=wait_exponential(multiplier=self._espera, max=8),
            retry=retry_if_exception(lambda e: _se_puede_repetir(e, envia_algo)),
            reraise=False,
        )
        try:
            async for intento in reintentos:
                with intento:
                    code, payload = await super().do_request(*args, **kwargs)
                    if code >= 500:
                        raise _Respuesta5xx(code, payload)
                    return code, payload
        except RetryError as e:
            ultimo = e.last_attempt.exception()
            if isinstance(ultimo, _Respuesta5xx):
                return ultimo.code, ultimo.payload  # PTB turns it into its usual error
            assert ultimo is not None
            raise ultimo from ultimo.__cause__  # the cause says whether the request left
        raise AssertionError("unreachable")  # pragma: no cover


class SinToken(logging.Filter):
    """Replaces anything that looks like a bot token in a log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        mensaje = record.getMessage()
        if _TOKEN.search(mensaje):
            record.msg = _TOKEN.sub("<token>", mensaje)
            record.args = None
        return True


def configurar_logs(nivel: int = logging.INFO) -> None:
    logging.basicConfig(level=nivel, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(SinToken())
    # httpx logs each request URL at INFO, and the URL carries the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
