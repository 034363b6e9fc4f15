"""What reading the ASM as of today costs (bot.servicios.consultas.estado_actual, behind /mis_asm,
/avance, the lists and the Anexo A), on 10,000 ASM with three months of avance each: the
bot's query, which finds each ASM's version and last avance by a lookup in its index, beside
the shape it had before, a window over the history of the ASM asked for, joined in. Alternated.

Three readings: an enlace's dependencia (500 ASM here), one ASM (a step of /avance), and every
ASM (the consolidated Anexo A). Prints the time of the query with its rows read, medians over
the rounds. No target: it explains a choice (bot/servicios/consultas.py).

    .venv/bin/python -m bench.consultas [--asm 10000] [--rondas 7] [--pg URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Select, and_, bindparam, func, select, text
from sqlalchemy.orm import Session

from bench.cpu import _base
from bench.latency import AHORA, sembrar
from bot.dominio.periodos import primer_dia_del_mes
from bot.servicios import consultas
from storage.db import make_engine, make_sessionmaker
from storage.models import Asm, AsmVersion, Avance, Programa

HOY = AHORA.date()


def ventana(por_dependencia: bool, por_asm: bool) -> Select[Any]:
    """The shape before: each history ranked by a window, the first of each joined in."""
    filtrado = por_dependencia or por_asm
    elegidos = consultas._elegidos(False, por_dependencia, por_asm)
    version_q = select(
        AsmVersion.id,
        AsmVersion.asm_id,
        func.row_number()
        .over(
            partition_by=AsmVersion.asm_id,
            order_by=(AsmVersion.vigente_desde.desc(), AsmVersion.id.desc()),
        )
        .label("n"),
    ).where(AsmVersion.vigente_desde <= bindparam("corte"))
    avance_q = select(
        Avance.asm_id,
        Avance.porcentaje,
        Avance.periodo,
        Avance.observaciones,
        func.row_number()
        .over(partition_by=Avance.asm_id, order_by=(Avance.periodo.desc(), Avance.id.desc()))
        .label("n"),
    ).where(Avance.periodo <= bindparam("ultimo_mes"))
    if filtrado:
        version_q = version_q.where(AsmVersion.asm_id.in_(elegidos))
        avance_q = avance_q.where(Avance.asm_id.in_(elegidos))
    version = version_q.subquery()
    avance = avance_q.subquery()
    consulta = (
        select(
            Asm.id.label("asm_id"),
            Programa.clave,
            Programa.nombre,
            Asm.numero,
            *consultas.DE_LA_VERSION,
            avance.c.porcentaje,
            avance.c.periodo,
            avance.c.observaciones.label("obs_avance"),
        )
        .join(version, and_(version.c.asm_id == Asm.id, version.c.n == 1))
        .join(AsmVersion, AsmVersion.id == version.c.id)
        .join(Programa, Programa.id == Asm.programa_id)
        .outerjoin(avance, and_(avance.c.asm_id == Asm.id, avance.c.n == 1))
        .order_by(Programa.clave, Asm.numero)
    )
    return cast("Select[Any]", consulta.where(Asm.id.in_(elegidos)) if filtrado else consulta)


def medir(url: str, n_asm: int, rondas: int) -> dict[str, dict[str, tuple[float, int]]]:
    engine = make_engine(url)
    with engine.begin() as c:  # the statistics a database in use has, for both plans
        c.execute(text("ANALYZE"))
    sesiones = make_sessionmaker(engine)
    valores: dict[str, dict[str, object]] = {
        "una dependencia": {"dependencia_id": 4},
        "un ASM": {"asm_ids": [n_asm // 2]},
        "todos": {},
    }
    formas: dict[str, Callable[[bool, bool], Select[Any]]] = {
        "índice (el bot)": lambda d, a: consultas._consulta_estado(False, d, a),
        "ventana (antes)": ventana,
    }

    def una(forma: Callable[[bool, bool], Select[Any]], filtro: dict[str, object]) -> list[Any]:
        consulta = forma("dependencia_id" in filtro, "asm_ids" in filtro)
        with sesiones() as s:
            return _filas(s, consulta, filtro)

    def ronda(forma: Callable[[bool, bool], Select[Any]], filtro: dict[str, object]) -> float:
        veces = 3 if not filtro else 30
        inicio = time.perf_counter()
        for _ in range(veces):
            una(forma, filtro)
        return (time.perf_counter() - inicio) / veces

    try:
        cifras: dict[str, dict[str, tuple[float, int]]] = {}
        for lectura, filtro in valores.items():
            # Both shapes give the same rows, in the same order (and this warms them up).
            nuestras, antes = (una(f, filtro) for f in formas.values())
            assert nuestras == antes, f"{lectura}: las dos formas dan filas distintas"
            filas = {k: len(nuestras) for k in formas}
            tiempos: dict[str, list[float]] = {k: [] for k in formas}
            for r in range(rondas):
                for nombre in list(formas) if r % 2 == 0 else list(formas)[::-1]:
                    tiempos[nombre].append(ronda(formas[nombre], filtro))
            cifras[lectura] = {k: (statistics.median(v), filas[k]) for k, v in tiempos.items()}
        return cifras
    finally:
        engine.dispose()


def _filas(s: Session, consulta: Select[Any], filtro: dict[str, object]) -> list[Any]:
    parametros = {"corte": HOY, "ultimo_mes": primer_dia_del_mes(HOY), **filtro}
    return [tuple(fila) for fila in s.execute(consulta, parametros)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--asm", type=int, default=10_000)
    p.add_argument("--rondas", type=int, default=7)
    p.add_argument("--pg", help="PostgreSQL en vez de SQLite (un esquema propio, que se borra)")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp, _base(a.pg, Path(tmp)) as url:
        sembrar(url, a.asm, 200)  # 20 dependencias: each answers for a twentieth of the ASM
        cifras = medir(url, a.asm, a.rondas)
    print(f"Base: {'PostgreSQL' if a.pg else 'SQLite'}; {a.asm} ASM, 3 meses de avance cada uno")
    print("Tiempo de la consulta del estado de hoy, con sus filas leídas; mediana de las rondas")
    print(f"{'lectura':<18}{'filas':>7}" + "".join(f"{k:>18}" for k in next(iter(cifras.values()))))
    for lectura, por_forma in cifras.items():
        filas = next(iter(por_forma.values()))[1]
        columnas = "".join(f"{1000 * t:>15.1f} ms" for t, _ in por_forma.values())
        base = por_forma["ventana (antes)"][0]
        print(f"{lectura:<18}{filas:>7}{columnas}   {por_forma['índice (el bot)'][0] / base:.2f}×")


if __name__ == "__main__":
    main()
