"""Where a person's reads cost least: the reads of one /mis_asm (who writes, then their
dependencia's ASM as of today) for 40 people at once, on the event loop (handlers.base.leer_bd
on SQLite) beside a worker thread per read (asyncio.to_thread, as en_bd does), alternated.

Prints the CPU seconds of this process per /mis_asm, medians over the rounds. In a worker
thread the sqlite3 driver lets go of the interpreter's lock at every step of a statement, and
the loop's thread takes it each time. No target: it explains a choice (handlers/base.py).

    .venv/bin/python -m bench.lecturas [--personas 40] [--rondas 7] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

from bench.cpu import ENLACES_ID, _base
from bench.latency import sembrar
from bot.dominio.calendario import RECURRENTES_PUEBLA, CalendarioHabil, cargar_dias_inhabiles
from bot.dominio.calendario import ruta_dias_inhabiles_predeterminada as ruta_inhabiles
from bot.servicios.consultas import estado_actual
from bot.servicios.usuarios import quien_escribe
from storage.db import make_engine, make_sessionmaker

HOY = date(2026, 11, 18)


def medir(url: str, personas: int, rondas: int) -> dict[str, float]:
    engine = make_engine(url)
    sesiones = make_sessionmaker(engine)
    cal = CalendarioHabil(cargar_dias_inhabiles(ruta_inhabiles()), recurrentes=RECURRENTES_PUEBLA)

    def persona(telegram_id: int) -> int | None:
        with sesiones() as s:
            p, _ = quien_escribe(s, telegram_id)
            return None if p is None else p.dependencia_id

    def asm(dependencia_id: int | None) -> int:
        with sesiones() as s:
            return len(estado_actual(s, HOY, cal, dependencia_id=dependencia_id))

    async def en_el_bucle(telegram_id: int) -> None:
        asm(persona(telegram_id))

    async def en_hilos(telegram_id: int) -> None:
        dependencia = await asyncio.to_thread(persona, telegram_id)
        await asyncio.to_thread(asm, dependencia)

    async def ronda(forma: Callable[[int], Awaitable[None]]) -> float:
        inicio = time.process_time()
        await asyncio.gather(*(forma(ENLACES_ID + i) for i in range(personas)))
        return (time.process_time() - inicio) / personas

    async def todo() -> dict[str, list[float]]:
        formas = {"en el bucle": en_el_bucle, "en hilos": en_hilos}
        for forma in formas.values():  # warm-up: the statement cache, the pool, the threads
            await ronda(forma)
        cifras: dict[str, list[float]] = {k: [] for k in formas}
        for i in range(rondas):
            for nombre in list(formas) if i % 2 == 0 else list(formas)[::-1]:
                cifras[nombre].append(await ronda(formas[nombre]))
        return cifras

    try:
        return {k: statistics.median(v) for k, v in asyncio.run(todo()).items()}
    finally:
        engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--personas", type=int, default=40)
    p.add_argument("--rondas", type=int, default=7)
    p.add_argument("--pg", help="PostgreSQL en vez de SQLite (un esquema propio, que se borra)")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _base(a.pg, Path(tmp)) as url:
        sembrar(url, 10 * 20, a.personas)  # 20 dependencias with 10 ASM each, as bench.cpu
        cifras = medir(url, a.personas, a.rondas)
    print(f"Base: {'PostgreSQL' if a.pg else 'SQLite'}; {a.personas} personas a la vez")
    print("CPU por /mis_asm (quién escribe y los ASM de su dependencia), mediana de las rondas")
    base = cifras["en hilos"]
    for nombre, cpu in cifras.items():
        print(f"{nombre:<14}{1000 * cpu:>8.2f} ms{cpu / base:>8.2f}×")


if __name__ == "__main__":
    main()
