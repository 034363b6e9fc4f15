"""Logging, configured once per process: level and format from the settings, never the token.

A log collector reads one JSON object per line (`ASMBOT_LOG_FORMAT=json`); a person reads
text with a timestamp. The token filter sits on the handler, so every logger passes through it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

NIVELES = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATOS = ("texto", "json")


_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class SinSecretos(logging.Filter):
    """Replaces the token, the webhook secret and anything shaped like a bot token.

    The text of an exception too: PTB's errors and URLs in tracebacks carry the token.
    """

    def __init__(self, secretos: Iterable[str] = ()) -> None:
        super().__init__()
        self._secretos = [s for s in secretos if len(s) >= 8]

    def limpiar(self, texto: str) -> str:
        for s in self._secretos:
            texto = texto.replace(s, "<secreto>")
        return _TOKEN.sub("<token>", texto)

    def filter(self, record: logging.LogRecord) -> bool:
        mensaje = record.getMessage()
        limpio = self.limpiar(mensaje)
        if limpio != mensaje:
            record.msg, record.args = limpio, None
        if record.exc_info:  # formatted here, once, so no handler prints the raw text
            texto = logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, self.limpiar(texto)
        return True


class FormatoJson(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message[, error]."""

    def format(self, record: logging.LogRecord) -> str:
        datos: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "nivel": record.levelname,
            "logger": record.name,
            "mensaje": record.getMessage(),
        }
        if record.exc_text:
            datos["error"] = record.exc_text
        return json.dumps(datos, ensure_ascii=False)


def configurar_logs(
    nivel: str = "INFO", formato: str = "texto", secretos: Iterable[str] = ()
) -> None:
    """Replaces whatever logging had with one handler on stderr; safe to call again."""
    raiz = logging.getLogger()
    for h in list(raiz.handlers):
        raiz.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        FormatoJson()
        if formato == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(SinSecretos(secretos))
    raiz.addHandler(handler)
    raiz.setLevel(nivel)
    # httpx logs each request URL at INFO, and the URL carries the token; APScheduler logs
    # every job run at INFO, Alembic each step of a migration.
    for ruidoso in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(ruidoso).setLevel(max(logging.WARNING, raiz.level))
