"""How much the Anexo A costs over bare openpyxl write-only mode, in time and memory.

The Anexo A is written with XlsxWriter (see bot/anexo_a/escritura.py); the baseline stays bare
openpyxl write-only mode, what the issue's target names.

    .venv/bin/python -m bench.anexo [--asm 10000] [--planes 40] [--repeticiones 3]
        [--fase escritor|proceso|ambas] [--database-url URL]

Two phases, each beside its own baseline measured in the same run:

- the writer alone: each run happens in a fresh process (spawn), so that its peak memory is its
  own. Both writers get the same synthetic plans, built inside the process before the clock
  starts.
- the whole process, as a person runs it: a database seeded with the same synthetic plans (a
  temporary SQLite file unless --database-url names an empty one), then `asmbot anexo
  --consolidado` beside a script that writes the same cells with bare openpyxl write-only
  mode, from a pickle of them, both as processes, alternated. Wall time and peak RSS of each
  process come from os.wait4.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, NamedStyle

from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.modelo import COLUMNAS, TITULO, Encabezado, FilaAnexoA, PlanAnexoA
from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion, Semaforo, Valoracion

META_PROPORCION = 1.3
META_MEMORIA_MB = 60
META_MEMORIA_PROCESO_MB = 30
TRIMESTRE = Trimestre(2025, 2)  # the quarter of the synthetic plans

_PALABRAS = (
    "actualizar", "diagnóstico", "programa", "presupuestario", "población", "objetivo",
    "potencial", "matriz", "indicadores", "resultados", "reglas", "operación", "padrón",
    "beneficiarios", "evaluación", "desempeño", "consistencia", "seguimiento", "metas",
    "trimestrales", "dependencia", "unidad", "administrativa", "dirección", "secretaría",
    "bienestar", "movilidad", "infraestructura", "seguridad", "ciudadana", "servicios",
    "públicos", "integrar", "documentar", "elaborar", "revisar", "coordinar", "capacitar",
    "personal", "lineamientos", "manual", "procedimientos", "evidencia", "informe", "oficio",
    "minuta", "reunión", "trabajo", "municipal", "Puebla", "ejercicio", "fiscal", "recursos",
    "federales", "FORTAMUN", "FISM", "cobertura", "focalización", "árbol", "problemas",
)  # fmt: skip
_AREAS = (
    "Secretaría de Bienestar y Participación Ciudadana / Dirección de Programas Sociales",
    "Secretaría de Movilidad e Infraestructura / Dirección de Obra Pública",
    "Tesorería Municipal / Dirección de Egresos",
    "Secretaría de Seguridad Ciudadana / Dirección de Planeación y Política Criminal",
    "Instituto Municipal de Planeación / Dirección de Evaluación",
)


def _texto(azar: random.Random, largo: int) -> str:
    """Spanish-looking text of about `largo` characters (±25 %)."""
    palabras = azar.choices(_PALABRAS, k=max(1, round(largo * azar.uniform(0.75, 1.25) / 10)))
    return " ".join(palabras).capitalize() + "."


def _observaciones(azar: random.Random) -> str:
    sorteo = azar.random()
    if sorteo < 0.3:
        return ""
    if sorteo < 0.35:  # people type dashes as bullets: text that an editor would take as a formula
        return "- " + _texto(azar, 150)
    return _texto(azar, 150)


def generar_planes(asm: int, planes: int, semilla: int = 2025) -> list[PlanAnexoA]:
    azar = random.Random(semilla)
    trimestre = TRIMESTRE
    por_plan = [asm // planes + (1 if i < asm % planes else 0) for i in range(planes)]
    resultado = []
    for i, cuantas in enumerate(por_plan):
        filas = [
            FilaAnexoA(
                numero=n,
                asm=_texto(azar, 200),
                clasificacion=azar.choice(list(Clasificacion)),
                area_responsable=azar.choice(_AREAS),
                actividades=_texto(azar, 300),
                fecha_termino=(
                    None
                    if azar.random() < 0.1
                    else date(2025, 1, 1) + timedelta(azar.randint(0, 500))
                ),
                resultados_esperados=_texto(azar, 200),
                productos_evidencias=_texto(azar, 150),
                avance=None if azar.random() < 0.15 else azar.randint(0, 100),
                observaciones=_observaciones(azar),
                semaforo=azar.choice(list(Semaforo)),
                valoracion=azar.choice([None, *Valoracion]),
            )
            for n in range(1, cuantas + 1)
        ]
        resultado.append(PlanAnexoA(f"E{i + 1:03}", f"Programa {i + 1}", trimestre, filas))
    return resultado


def _escribir_con_anexo(planes: list[PlanAnexoA], destino: Path) -> None:
    escribir_anexo_a(destino, planes, Encabezado(), consolidado=True)


def _escribir_crudo(planes: list[PlanAnexoA], destino: Path) -> None:
    """The same values with nothing else: no styles, summary, merges, validations or filters."""
    encabezado = Encabezado()
    wb = Workbook(write_only=True)
    for plan in planes:
        ws = wb.create_sheet(plan.programa_clave)
        ws.append([encabezado.municipio])
        ws.append([encabezado.instituto])
        ws.append([TITULO])
        ws.append(["Programa presupuestario / Fondo:", None, plan.programa])
        ws.append(["Trimestre y año:", None, plan.trimestre.etiqueta])
        ws.append([])
        ws.append(list(COLUMNAS))
        for f in plan.filas:
            ws.append(
                [
                    f.numero,
                    f.asm,
                    f.clasificacion.etiqueta,
                    f.area_responsable,
                    f.actividades,
                    f.fecha_termino,
                    f.resultados_esperados,
                    f.productos_evidencias,
                    None if f.avance is None else f.avance / 100,
                    f.observaciones,
                ]
            )
    wb.save(destino)


def _escribir_crudo_con_estilo(planes: list[PlanAnexoA], destino: Path) -> None:
    """The raw writer with every cell styled alike: what any styled cell costs in openpyxl."""
    wb = Workbook(write_only=True)
    estilo = NamedStyle("celda", alignment=Alignment(vertical="top", wrap_text=True))
    wb.add_named_style(estilo)
    for plan in planes:
        ws = wb.create_sheet(plan.programa_clave)
        celdas = [Cell(ws, 1, 1, style_array=estilo.as_tuple()) for _ in COLUMNAS]
        for f in plan.filas:
            valores = (
                f.numero,
                f.asm,
                f.clasificacion.etiqueta,
                f.area_responsable,
                f.actividades,
                f.fecha_termino,
                f.resultados_esperados,
                f.productos_evidencias,
                None if f.avance is None else f.avance / 100,
                f.observaciones,
            )
            for celda, valor in zip(celdas, valores, strict=True):
                celda.value = valor
            ws.append(celdas)  # written at once, so the cells can be reused
    wb.save(destino)


_ESCRITORES = {
    "anexo": _escribir_con_anexo,
    "crudo": _escribir_crudo,
    "estilo": _escribir_crudo_con_estilo,
}
_ROTULOS = {
    "anexo": "escribir_anexo_a",
    "crudo": "raw openpyxl write-only",
    "estilo": "raw, one style per cell",
}


@dataclass(frozen=True)
class Medida:
    segundos: float
    rss_mb: float  # peak resident memory of the whole process
    python_mb: float  # tracemalloc peak while writing; 0 when not traced


def medir(escritor: str, asm: int, planes: int, carpeta: str, trazar: bool) -> Medida:
    """Runs in a fresh process: build the plans, then time one write."""
    datos = generar_planes(asm, planes)
    destino = Path(carpeta) / f"{escritor}.xlsx"
    if trazar:
        tracemalloc.start()
    inicio = time.perf_counter()
    _ESCRITORES[escritor](datos, destino)
    segundos = time.perf_counter() - inicio
    python_mb = tracemalloc.get_traced_memory()[1] / 2**20 if trazar else 0.0
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return Medida(segundos, rss_kb / 1024, python_mb)


def _en_proceso_nuevo(escritor: str, asm: int, planes: int, carpeta: str, trazar: bool) -> Medida:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as ejecutor:
        return ejecutor.submit(medir, escritor, asm, planes, carpeta, trazar).result()


# The whole process -------------------------------------------------------------------------

# What a person would write by hand: load the cells, write them with bare openpyxl.
_CRUDO_PROCESO = """
import pickle, sys

from openpyxl import Workbook

with open(sys.argv[1], "rb") as f:
    hojas = pickle.load(f)
wb = Workbook(write_only=True)
for titulo, filas in hojas:
    ws = wb.create_sheet(titulo)
    for fila in filas:
        ws.append(fila)
wb.save(sys.argv[2])
"""


def sembrar(url: str, planes: list[PlanAnexoA]) -> None:
    """The synthetic plans as database rows: one version per ASM, its avance in the quarter."""
    from sqlalchemy import insert

    from storage import migrate
    from storage.db import make_engine
    from storage.models import Asm, AsmVersion, Avance, Programa

    migrate.upgrade(url)
    engine = make_engine(url)
    ahora = datetime(2025, 7, 1, tzinfo=UTC)
    asm: list[dict[str, object]] = []
    versiones: list[dict[str, object]] = []
    avances: list[dict[str, object]] = []
    for p, plan in enumerate(planes, 1):
        for f in plan.filas:
            asm.append(
                {"id": len(asm) + 1, "programa_id": p, "numero": f.numero, "creado_en": ahora}
            )
            versiones.append(
                {
                    "asm_id": len(asm), "vigente_desde": date(2025, 1, 15), "texto": f.asm,
                    "clasificacion": f.clasificacion.value, "area_responsable": f.area_responsable,
                    "actividades": f.actividades, "fecha_termino": f.fecha_termino,
                    "resultados_esperados": f.resultados_esperados,
                    "productos_evidencias": f.productos_evidencias,
                    "observaciones": f.observaciones,
                    "valoracion": f.valoracion.value if f.valoracion else None,
                    "estado_plan": "aprobado", "registrado_en": ahora, "origen": "bench",
                }
            )  # fmt: skip
            if f.avance is not None:
                avances.append(
                    {"asm_id": len(asm), "periodo": date(2025, 5, 1), "porcentaje": f.avance,
                     "observaciones": "", "origen": "bench", "registrado_en": ahora}
                )  # fmt: skip
    with engine.begin() as c:
        c.execute(
            insert(Programa),
            [
                {
                    "id": p,
                    "clave": plan.programa_clave,
                    "nombre": plan.programa_nombre,
                    "tipo": "pp",
                }
                for p, plan in enumerate(planes, 1)
            ],
        )
        c.execute(insert(Asm), asm)
        c.execute(insert(AsmVersion), versiones)
        c.execute(insert(Avance), avances)
    engine.dispose()


def celdas_del_anexo(url: str) -> list[tuple[str, list[list[object]]]]:
    """The cells `asmbot anexo --consolidado` writes on the plans' sheets, read as it reads them."""
    from bot.config import load_settings
    from bot.entorno import abrir_entorno
    from bot.servicios.consultas import planes_anexo

    entorno = abrir_entorno(load_settings({"DATABASE_URL": url}, env_file=Path("/dev/null")))
    try:
        with entorno.sesiones() as s:
            planes = planes_anexo(s, TRIMESTRE, entorno.calendario, entorno.hoy())
    finally:
        entorno.cerrar()
    encabezado = Encabezado()
    hojas = []
    for plan in planes:
        filas: list[list[object]] = [
            [encabezado.municipio],
            [encabezado.instituto],
            [TITULO],
            ["Programa presupuestario / Fondo:", None, plan.programa],
            ["Trimestre y año:", None, plan.trimestre.etiqueta],
            [],
            list(COLUMNAS),
        ]
        filas += [
            [
                f.numero, f.asm, f.clasificacion.etiqueta, f.area_responsable, f.actividades,
                f.fecha_termino, f.resultados_esperados, f.productos_evidencias,
                None if f.avance is None else f.avance / 100, f.observaciones,
            ]
            for f in plan.filas
        ]  # fmt: skip
        hojas.append((plan.programa_clave, filas))
    return hojas


# A small launcher starts each measured process: a child forked from this (large) benchmark
# would count the benchmark's own memory in its peak RSS.
_MEDIDOR = """
import json, os, subprocess, sys, time

inicio = time.perf_counter()
hijo = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, estado, uso = os.wait4(hijo.pid, 0)
segundos = time.perf_counter() - inicio
print(json.dumps([segundos, os.waitstatus_to_exitcode(estado), uso.ru_maxrss]))
"""


def _proceso(argv: list[str], entorno: dict[str, str]) -> Medida:
    """Wall time and peak RSS of one process, from the kernel's own accounting (os.wait4)."""
    r = subprocess.run(
        [sys.executable, "-c", _MEDIDOR, *argv], env=entorno, capture_output=True, text=True
    )
    if r.returncode:
        raise SystemExit(f"the launcher failed:\n{r.stderr}")
    segundos, codigo, rss_kb = json.loads(r.stdout)
    if codigo:
        raise SystemExit(f"{argv[0]} ended with {codigo}:\n{r.stderr}")
    return Medida(segundos, rss_kb / 1024, 0.0)


def fase_proceso(asm: int, planes: int, repeticiones: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-anexo-proceso-") as carpeta:
        base = Path(carpeta)
        url = url or f"sqlite:///{base / 'bench.db'}"
        sembrar(url, generar_planes(asm, planes))
        celdas = base / "celdas.pickle"
        celdas.write_bytes(pickle.dumps(celdas_del_anexo(url)))
        entorno = {
            "PATH": os.environ.get("PATH", ""),
            "DATABASE_URL": url,
            "ASMBOT_DATA_DIR": str(base / "datos"),
            **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
        }
        asmbot = [str(Path(sys.executable).parent / "asmbot"), "anexo", "--consolidado",
                  "--trimestre", str(TRIMESTRE), "-o", str(base / "anexo.xlsx")]  # fmt: skip
        crudo = [sys.executable, "-c", _CRUDO_PROCESO, str(celdas), str(base / "crudo.xlsx")]
        medidas: dict[str, list[Medida]] = {"asmbot": [], "crudo": []}
        # Alternated, so that a slow moment of the machine hits both alike.
        for _ in range(repeticiones):
            medidas["asmbot"].append(_proceso(asmbot, entorno))
            medidas["crudo"].append(_proceso(crudo, entorno))
        tamanos = {
            n: (base / f"{n if n == 'crudo' else 'anexo'}.xlsx").stat().st_size for n in medidas
        }

    tiempo = {n: statistics.median(m.segundos for m in v) for n, v in medidas.items()}
    rss = {n: statistics.median(m.rss_mb for m in v) for n, v in medidas.items()}
    proporcion = tiempo["asmbot"] / tiempo["crudo"]
    diferencia = rss["asmbot"] - rss["crudo"]
    print(
        f"Whole process: {asm:,} ASM in {planes} plans from {url.split(':')[0]}; median of "
        f"{repeticiones} runs of each, alternated"
    )
    print(f"{'':40}{'time (s)':>10}{'peak RSS (MB)':>15}{'file (MB)':>11}")
    rotulos = {
        "asmbot": "asmbot anexo --consolidado",
        "crudo": "raw openpyxl script, same cells",
    }
    for n, rotulo in rotulos.items():
        print(f"{rotulo:40}{tiempo[n]:>10.2f}{rss[n]:>15.1f}{tamanos[n] / 2**20:>11.1f}")
    cumple = {True: "met", False: "NOT met"}
    print(
        f"time ratio {proporcion:.2f} (target ≤ {META_PROPORCION}): "
        f"{cumple[proporcion <= META_PROPORCION]}"
    )
    print(
        f"memory above raw {diferencia:+.1f} MB (target ≤ +{META_MEMORIA_PROCESO_MB} MB): "
        f"{cumple[diferencia <= META_MEMORIA_PROCESO_MB]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asm", type=int, default=10_000)
    parser.add_argument("--planes", type=int, default=40)
    parser.add_argument("--repeticiones", type=int, default=3)
    parser.add_argument("--fase", choices=("escritor", "proceso", "ambas"), default="ambas")
    parser.add_argument("--database-url", help="an empty database for the whole process")
    args = parser.parse_args()

    if args.fase != "proceso":
        fase_escritor(args.asm, args.planes, args.repeticiones)
    if args.fase != "escritor":
        fase_proceso(args.asm, args.planes, args.repeticiones, args.database_url)


def fase_escritor(asm: int, planes: int, repeticiones: int) -> None:
    tiempos: dict[str, list[float]] = {nombre: [] for nombre in _ESCRITORES}
    rss: dict[str, list[float]] = {nombre: [] for nombre in _ESCRITORES}
    python: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-anexo-") as carpeta:
        # Alternate the writers so that a slow moment of the machine hits both alike.
        for _ in range(repeticiones):
            for nombre in _ESCRITORES:
                m = _en_proceso_nuevo(nombre, asm, planes, carpeta, trazar=False)
                tiempos[nombre].append(m.segundos)
                rss[nombre].append(m.rss_mb)
        # tracemalloc slows writing down a lot, so it gets runs of its own, untimed.
        for nombre in ("anexo", "crudo"):
            m = _en_proceso_nuevo(nombre, asm, planes, carpeta, trazar=True)
            python[nombre] = m.python_mb
        tamanos = {n: (Path(carpeta) / f"{n}.xlsx").stat().st_size / 2**20 for n in _ESCRITORES}

    mediana = {n: statistics.median(t) for n, t in tiempos.items()}
    pico = {n: max(m) for n, m in rss.items()}
    proporcion = mediana["anexo"] / mediana["crudo"]
    diferencia = pico["anexo"] - pico["crudo"]

    print(
        f"Anexo A: {asm:,} ASM in {planes} plans; median of {repeticiones} runs,"
        " each in a fresh process"
    )
    print(f"{'':26}{'time (s)':>10}{'peak RSS (MB)':>15}{'tracemalloc (MB)':>18}{'file (MB)':>11}")
    for nombre, rotulo in _ROTULOS.items():
        traza = f"{python[nombre]:.1f}" if nombre in python else "-"
        print(
            f"{rotulo:26}{mediana[nombre]:>10.2f}{pico[nombre]:>15.1f}{traza:>18}"
            f"{tamanos[nombre]:>11.1f}"
        )
    cumple = {True: "met", False: "NOT met"}
    print(
        f"time ratio {proporcion:.2f} (target ≤ {META_PROPORCION}): "
        f"{cumple[proporcion <= META_PROPORCION]}; "
        f"styling alone costs {mediana['estilo'] / mediana['crudo']:.2f}"
    )
    print(
        f"memory above raw {diferencia:+.1f} MB (target ≤ {META_MEMORIA_MB} MB): "
        f"{cumple[diferencia <= META_MEMORIA_MB]}"
    )


if __name__ == "__main__":
    main()
