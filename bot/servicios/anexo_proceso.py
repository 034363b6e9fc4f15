"""Anexo A files (.xlsx or PDF) and oficios of Art. 13 made in a separate process.

Writing thousands of rows is CPU-bound pure Python: in a thread it would hold the interpreter
lock and slow every other person's reply (measured by bench/latency.py). A worker process runs
on the other core instead; it opens its own connection and returns the file's bytes.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.modelo import Encabezado
from bot.anexo_a.pdf import escribir_anexo_a_pdf
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.servicios import oficios
from bot.servicios.consultas import planes_anexo
from storage.db import make_engine


@dataclass(frozen=True)
class PeticionAnexo:
    """Everything the worker needs, as plain values (it is pickled to the other process)."""

    database_url: str
    trimestre: str  # "2026T3"
    hoy: date
    encabezado: Encabezado
    dias_inhabiles: frozenset[date]
    zona: str
    programa_clave: str | None = None  # None: every Pp and fondo, consolidated
    dependencia_id: int | None = None  # an enlace's file keeps its dependencia's ASM
    formato: str = "xlsx"  # or "pdf"
    recurrentes: tuple[str, ...] = ()  # the municipal calendar's recurring days
    habiles: frozenset[date] = frozenset()  # its recurring days worked after all


@dataclass(frozen=True)
class AnexoGenerado:
    contenido: bytes
    asm: int
    planes: int


P = TypeVar("P")
R = TypeVar("R")
_motores: dict[str, Engine] = {}  # one engine per database, per worker process
VIGILANCIA = 1.0  # seconds between a worker's looks at its parent


def generar(p: PeticionAnexo) -> AnexoGenerado | None:
    """The file as it stood at the quarter's end; None when there are no ASM to show."""
    cal = CalendarioHabil(p.dias_inhabiles, p.zona, recurrentes=p.recurrentes, habiles=p.habiles)
    with Session(_motor(p.database_url)) as s:
        planes = planes_anexo(
            s, Trimestre.parse(p.trimestre), cal, p.hoy,
            programa_clave=p.programa_clave, dependencia_id=p.dependencia_id,
        )  # fmt: skip
    if not planes:
        return None
    destino = io.BytesIO()
    if p.formato == "pdf":
        escribir_anexo_a_pdf(destino, planes, p.encabezado, p.hoy)
    else:
        escribir_anexo_a(destino, planes, p.encabezado, consolidado=p.programa_clave is None)
    return AnexoGenerado(destino.getvalue(), sum(len(x.filas) for x in planes), len(planes))


def _motor(url: str) -> Engine:
    motor = _motores.get(url)
    if motor is None:
        motor = _motores[url] = make_engine(url)
    return motor


@dataclass(frozen=True)
class PeticionOficio:
    """An oficio of Art. 13 to issue (bot.servicios.oficios), as plain values."""

    database_url: str
    dependencia_id: int
    mes: date
    ahora: datetime
    config: oficios.ConfigOficio
    actor: str
    usuario_id: int | None = None


def emitir_oficio(p: PeticionOficio) -> oficios.OficioEmitido:
    """Issues (or finds) the oficio in its own transaction; raises oficios.SinEntregas."""
    with Session(_motor(p.database_url)) as s, s.begin():
        return oficios.emitir(s, p.dependencia_id, p.mes, p.config, p.ahora, p.actor, p.usuario_id)


@dataclass(frozen=True)
class PeticionVerificacion:
    database_url: str
    contenido: bytes  # a PDF someone sent: untrusted, so it is parsed here


def verificar_oficio(p: PeticionVerificacion) -> oficios.Verificacion:
    with Session(_motor(p.database_url)) as s:
        return oficios.verificar_archivo(s, p.contenido)


def _preparar_trabajador() -> None:
    """Ctrl+C is for the bot, which then closes the pool; the worker should not print a trace.

    A worker whose bot died without closing the pool (SIGKILL, out of memory) would wait for
    work forever: it holds both ends of the pool's queue, so it never sees the bot go. It ends
    itself when its parent changes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    padre = os.getppid()
    threading.Thread(target=_vigilar_padre, args=(padre,), daemon=True).start()


def _vigilar_padre(padre: int) -> None:
    while os.getppid() == padre:
        time.sleep(VIGILANCIA)
    os._exit(1)  # nothing of the worker's is worth finishing: its result has no reader


class Generador:
    """Runs `generar` in a worker process (or, for tests that patch it, in a thread)."""

    def __init__(self, *, en_proceso: bool = True) -> None:
        self._en_proceso = en_proceso
        self._pool: Executor | None = None

    async def generar(self, peticion: PeticionAnexo) -> AnexoGenerado | None:
        return await self._correr(generar, peticion)

    async def oficio(self, peticion: PeticionOficio) -> oficios.OficioEmitido:
        return await self._correr(emitir_oficio, peticion)

    async def verificar(self, peticion: PeticionVerificacion) -> oficios.Verificacion:
        return await self._correr(verificar_oficio, peticion)

    async def _correr(self, trabajo: Callable[[P], R], peticion: P) -> R:
        if not self._en_proceso:
            return await asyncio.to_thread(trabajo, peticion)
        if self._pool is None:
            # "spawn": a fresh interpreter, not a fork of one that holds threads and sockets.
            self._pool = ProcessPoolExecutor(
                1, mp_context=multiprocessing.get_context("spawn"), initializer=_preparar_trabajador
            )
        return await asyncio.get_running_loop().run_in_executor(self._pool, trabajo, peticion)

    def cerrar(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
