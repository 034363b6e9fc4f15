"""What saving a conversation's step costs: the draft of 40 people, each saved in a transaction
of its own as every step does, on the table (bot.servicios.borradores, the bot's) beside the same
row written through the ORM: an UPDATE on the class (which keeps the session's loaded rows in
step) and an object loaded, changed and flushed. Alternated.

Prints the CPU seconds of this process per save, commit included, medians over the rounds. No
target: it explains a choice (bot/servicios/borradores.py).

    .venv/bin/python -m bench.borrador [--personas 40] [--veces 25] [--rondas 7] [--pg URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from bench.cpu import ENLACES_ID, _base
from bench.latency import sembrar
from bot.servicios import borradores
from bot.servicios.borradores import Flujo, PasoAvance
from storage.db import make_engine, make_sessionmaker
from storage.models import Borrador, utcnow


def _paso(i: int) -> borradores.Paso:
    """A draft at its observations, as after the typed % (fresh each time: guardar cleans it)."""
    datos = {"asm_id": i + 1, "numero": 3, "clave": "E003", "porcentaje": 55, "evidencias": [],
             "hechos": 0, "conversacion": f"{i:032x}"}  # fmt: skip
    return borradores.Paso(Flujo.AVANCE.value, PasoAvance.OBSERVACIONES.value, datos)


def por_la_tabla(s: Session, telegram_id: int, paso: borradores.Paso) -> None:
    borradores.guardar(s, telegram_id, paso)


def update_del_orm(s: Session, telegram_id: int, paso: borradores.Paso) -> None:
    s.execute(
        update(Borrador)
        .where(Borrador.telegram_id == telegram_id)
        .values(flujo=paso.flujo, paso=paso.paso, datos=paso.datos, actualizado_en=utcnow())
    )


def objeto_del_orm(s: Session, telegram_id: int, paso: borradores.Paso) -> None:
    fila = s.get(Borrador, telegram_id)
    assert fila is not None
    fila.flujo, fila.paso, fila.datos, fila.actualizado_en = (
        paso.flujo, paso.paso, paso.datos, utcnow(),
    )  # fmt: skip


FORMAS: dict[str, Callable[[Session, int, borradores.Paso], None]] = {
    "la tabla (el bot)": por_la_tabla,
    "UPDATE del ORM": update_del_orm,
    "objeto del ORM": objeto_del_orm,
}


def medir(url: str, personas: int, veces: int, rondas: int) -> dict[str, float]:
    engine = make_engine(url)
    sesiones = make_sessionmaker(engine)
    ids = [ENLACES_ID + i for i in range(personas)]
    for i, telegram_id in enumerate(ids):  # every draft exists: each form only updates
        with sesiones.begin() as s:
            borradores.guardar(s, telegram_id, _paso(i))

    def ronda(forma: Callable[[Session, int, borradores.Paso], None]) -> float:
        pasos = [(t, _paso(i)) for _ in range(veces) for i, t in enumerate(ids)]
        inicio = time.process_time()
        for telegram_id, paso in pasos:
            with sesiones() as s, s.begin():
                forma(s, telegram_id, paso)
        return (time.process_time() - inicio) / len(pasos)

    try:
        for forma in FORMAS.values():  # warm-up: the statement cache, the pool
            ronda(forma)
        cifras: dict[str, list[float]] = {k: [] for k in FORMAS}
        for r in range(rondas):
            for nombre in list(FORMAS) if r % 2 == 0 else list(FORMAS)[::-1]:
                cifras[nombre].append(ronda(FORMAS[nombre]))
        return {k: statistics.median(v) for k, v in cifras.items()}
    finally:
        engine.dispose()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--personas", type=int, default=40)
    p.add_argument("--veces", type=int, default=25)
    p.add_argument("--rondas", type=int, default=7)
    p.add_argument("--pg", help="PostgreSQL en vez de SQLite (un esquema propio, que se borra)")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _base(a.pg, Path(tmp)) as url:
        sembrar(url, 10 * 20, a.personas)  # as bench.cpu
        cifras = medir(url, a.personas, a.veces, a.rondas)
    print(f"Base: {'PostgreSQL' if a.pg else 'SQLite'}; {a.personas} borradores")
    print("CPU por paso guardado (su transacción, con el commit), mediana de las rondas")
    base = cifras["objeto del ORM"]
    for nombre, cpu in cifras.items():
        print(f"{nombre:<20}{1000 * cpu:>8.3f} ms{cpu / base:>8.2f}×")


if __name__ == "__main__":
    main()
