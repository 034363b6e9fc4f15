"""PostgreSQL advisory locks, for what must happen in one process at a time across machines.

A session-level advisory lock belongs to one connection: if the process dies, or its machine
does, the server ends the connection and frees the lock, so another process takes over.
On SQLite there is one file and one process: the locks always succeed.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

# pg_advisory_lock(classid, objid): the first number names the kind of lock.
CLASE_MIGRACION = 0x41534D  # "ASM"
CLASE_LIDER = 0x41534E
CLASE_CHAT = 0x41534F


def objid(numero: int) -> int:
    """A chat id (up to 52 bits) folded into PostgreSQL's int4; a collision only serialises two
    chats, never lets one run twice."""
    plegado = (numero ^ (numero >> 32)) & 0xFFFFFFFF
    return plegado - (1 << 32) if plegado >= 1 << 31 else plegado


class CandadoAsesor:
    """One advisory lock held on its own connection for as long as this process wants it."""

    def __init__(self, engine: Engine, clase: int, objeto: int) -> None:
        self._engine = engine
        self._clave = {"c": clase, "o": objeto}
        self._conn: Connection | None = None
        self.pg = engine.dialect.name == "postgresql"

    @property
    def tomado(self) -> bool:
        return self._conn is not None or not self.pg

    def intentar(self) -> bool:
        """Takes the lock if free; True while this process holds it (checked on the server)."""
        if not self.pg:
            return True
        try:
            if self._conn is not None:
                self._conn.execute(text("SELECT 1"))  # still ours while the connection lives
                return True
            conn = self._engine.connect()
            try:
                ok = bool(
                    conn.execute(text("SELECT pg_try_advisory_lock(:c, :o)"), self._clave).scalar()
                )
                conn.commit()
            except Exception:
                conn.close()
                raise
            if ok:
                self._conn = conn
            else:
                conn.close()
            return ok
        except Exception as e:  # the database is away: whoever holds the lock lost it too
            log.warning("no se pudo consultar el candado %s: %s", self._clave, type(e).__name__)
            self._descartar()
            return False

    def soltar(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:c, :o)"), self._clave)
            conn.commit()
            conn.close()  # back to the pool, for the next lock
        except Exception:  # the connection is gone, and the lock with it
            self._conn = conn
            self._descartar()

    def _descartar(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.invalidate()
                conn.close()
            except Exception:
                pass


def tomar_o_esperar(candado: CandadoAsesor, espera: float, al_esperar: Any = None) -> None:
    """Blocks until the lock is ours, trying every `espera` seconds."""
    import time

    avisado = False
    while not candado.intentar():
        if not avisado and al_esperar is not None:
            al_esperar()
            avisado = True
        time.sleep(espera)
