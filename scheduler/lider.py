"""One instance at a time plans the rounds and drains the outbox: the leader.

Leadership is a PostgreSQL advisory lock held on a connection of its own; when the leader dies
the server frees it and another instance takes it at its next try (every few seconds). In
polling mode the same lock keeps a second instance waiting as a hot standby, since Telegram
allows one poller per token. On SQLite there is one process, always the leader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine

from bot import metricas
from storage.candados import CLASE_LIDER, CandadoAsesor, tomar_o_esperar

log = logging.getLogger(__name__)

INTERVALO = 3.0  # seconds between tries: how soon a standby takes over


class Lider:
    def __init__(self, engine: Engine) -> None:
        self._candado = CandadoAsesor(engine, CLASE_LIDER, 1)
        self.es_lider = False

    def intentar(self) -> bool:
        """Tries to be (or stay) the leader; logs each change."""
        ahora = self._candado.intentar()
        if ahora != self.es_lider:
            if ahora:
                log.info("esta instancia es la líder: planea rondas y reparte la salida")
            else:
                log.warning("esta instancia dejó de ser la líder")
        self.es_lider = ahora
        metricas.LIDER.set(1 if ahora else 0)
        return ahora

    def esperar(self, al_esperar: Callable[[], None]) -> None:
        """Blocks until this instance is the leader (a standby waits here)."""
        tomar_o_esperar(self._candado, INTERVALO, al_esperar)
        self.intentar()

    def soltar(self) -> None:
        self._candado.soltar()
        self.es_lider = False
        metricas.LIDER.set(0)
