"""The bot's HTTP client for the Bot API: retries network errors and Telegram's 5xx answers,
and logs that never show the token (the HTTP client logs request URLs, which carry it)."""

from __future__ import annotations

import logging
import re
from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class _Respuesta5xx(Exception):
    def __init__(self, code: int, payload: bytes) -> None:
        super().__init__(code)
        self.code, self.payload = code, payload


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
        reintentos = AsyncRetrying(
            stop=stop_after_attempt(self._intentos),
            wait=wait_exponential(multiplier=self._espera, max=8),
            retry=retry_if_exception_type((NetworkError, _Respuesta5xx)),
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
            raise ultimo from None
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
