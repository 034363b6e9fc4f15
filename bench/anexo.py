"""How much the Anexo A writer costs over bare openpyxl write-only mode, in time and memory.

    .venv/bin/python -m bench.anexo [--asm 10000] [--planes 40] [--repeticiones 3]

Each run happens in a fresh process (spawn), so that its peak memory is its own. Both writers get
the same synthetic plans, built inside the process before the clock starts.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
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
    trimestre = Trimestre(2025, 2)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asm", type=int, default=10_000)
    parser.add_argument("--planes", type=int, default=40)
    parser.add_argument("--repeticiones", type=int, default=3)
    args = parser.parse_args()

    tiempos: dict[str, list[float]] = {nombre: [] for nombre in _ESCRITORES}
    rss: dict[str, list[float]] = {nombre: [] for nombre in _ESCRITORES}
    python: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-anexo-") as carpeta:
        # Alternate the writers so that a slow moment of the machine hits both alike.
        for _ in range(args.repeticiones):
            for nombre in _ESCRITORES:
                m = _en_proceso_nuevo(nombre, args.asm, args.planes, carpeta, trazar=False)
                tiempos[nombre].append(m.segundos)
                rss[nombre].append(m.rss_mb)
        # tracemalloc slows writing down a lot, so it gets runs of its own, untimed.
        for nombre in ("anexo", "crudo"):
            m = _en_proceso_nuevo(nombre, args.asm, args.planes, carpeta, trazar=True)
            python[nombre] = m.python_mb
        tamanos = {n: (Path(carpeta) / f"{n}.xlsx").stat().st_size / 2**20 for n in _ESCRITORES}

    mediana = {n: statistics.median(t) for n, t in tiempos.items()}
    pico = {n: max(m) for n, m in rss.items()}
    proporcion = mediana["anexo"] / mediana["crudo"]
    diferencia = pico["anexo"] - pico["crudo"]

    print(
        f"Anexo A: {args.asm:,} ASM in {args.planes} plans; median of {args.repeticiones} runs,"
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
