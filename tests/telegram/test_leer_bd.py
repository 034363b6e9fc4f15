"""handlers.base.leer_bd: a person's read runs where it costs least and never keeps a write."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from handlers.base import leer_bd
from storage.models import Dependencia
from tests.conftest import Db


def _contexto(db: Db) -> Any:
    return SimpleNamespace(entorno=SimpleNamespace(sesiones=db.sesiones, engine=db.engine))


async def test_what_a_read_writes_by_mistake_is_not_kept(db: Db) -> None:
    def lectura(s: Session) -> int:
        s.add(Dependencia(nombre="Por error", siglas="PE", tipo="dependencia"))
        s.flush()
        return s.scalar(select(func.count()).select_from(Dependencia)) or 0

    assert await leer_bd(_contexto(db), lectura) == 1  # it saw its own write…
    with db.sesiones() as s:  # …which was rolled back
        assert s.scalar(select(func.count()).select_from(Dependencia)) == 0


async def test_sqlite_reads_on_the_loop_and_postgresql_in_a_worker_thread(db: Db) -> None:
    hilo = await leer_bd(_contexto(db), lambda _s: threading.get_ident())
    en_el_bucle = hilo == threading.get_ident()
    assert en_el_bucle is (db.engine.dialect.name == "sqlite")
