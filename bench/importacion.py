"""How much importing Anexo A files costs over reading them with bare openpyxl (read-only).

    .venv/bin/python -m bench.importacion [--archivos 30] [--asm 334] [--perfil]

Writes `--archivos` Anexo A files of `--asm` ASM each (the bot's own writer, one Pp per file),
then, in the same run and file by file, alternating: reads the file with openpyxl in read-only
mode (every cell's value, the cheapest honest read) and imports it into a fresh SQLite
database in its own transaction through `importar_archivo` (worker process, checks, rules,
history). The machine is shared, so alternating keeps a passing load from favouring either.
Prints both times and their ratio; the target is ≤ 3×. `--perfil` prints the import's top
functions (cProfile, reading in-process so the parse is in the profile).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook

from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.modelo import Encabezado, FilaAnexoA, PlanAnexoA
from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion
from bot.servicios.importacion import importar_archivo
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.models import Base

META = 3.0
T = Trimestre(2025, 2)
_AREAS = (
    "Secretaría de Bienestar / Dirección de Programas Sociales",
    "Secretaría de Movilidad e Infraestructura / Dirección de Obra Pública",
    "Tesorería Municipal / Dirección de Egresos",
    "Sistema Municipal DIF; Tesorería Municipal / Dirección de Ingresos",
)
_PALABRAS = [
    "actualizar",
    "diagnóstico",
    "programa",
    "presupuestario",
    "población",
    "objetivo",
    "matriz",
    "indicadores",
    "resultados",
    "reglas",
    "operación",
    "padrón",
    "beneficiarios",
    "evaluación",
    "desempeño",
    "seguimiento",
    "metas",
    "dependencia",
    "unidad",
    "administrativa",
    "documentar",
    "elaborar",
    "revisar",
    "coordinar",
    "capacitar",
    "manual",
]


def _texto(azar: random.Random, palabras: int) -> str:
    return " ".join(azar.choices(_PALABRAS, k=palabras)).capitalize() + "."


def generar(carpeta: Path, archivos: int, n_asm: int) -> list[Path]:
    azar = random.Random(12)
    rutas = []
    for i in range(archivos):
        filas = [
            FilaAnexoA(
                numero=n,
                asm=_texto(azar, 18),
                clasificacion=azar.choice(list(Clasificacion)),
                area_responsable=azar.choice(_AREAS),
                actividades=_texto(azar, 12),
                fecha_termino=date(2025, 7, 1) + timedelta(days=azar.randrange(180)),
                resultados_esperados=_texto(azar, 10),
                productos_evidencias=_texto(azar, 6),
                avance=azar.randrange(0, 99),
                observaciones=_texto(azar, 8),
            )
            for n in range(1, n_asm + 1)
        ]
        ruta = carpeta / f"anexo_{i:02d}.xlsx"
        escribir_anexo_a(
            ruta,
            [PlanAnexoA(f"E{i + 1:03d}", f"Programa {i + 1}", T, filas)],
            Encabezado(),
            consolidado=False,
        )
        rutas.append(ruta)
    return rutas


def leer_openpyxl(ruta: Path) -> int:
    celdas = 0
    libro = load_workbook(ruta, read_only=True)
    for ws in libro.worksheets:
        for fila in ws.iter_rows(values_only=True):
            celdas += len(fila)
    libro.close()
    return celdas


def medir(
    rutas: list[Path], carpeta: Path, *, aislado: bool = True
) -> tuple[float, float, int, int]:
    """Both, file by file and alternating, so that a load on the machine that comes and goes
    weighs on both alike. Returns (openpyxl s, import s, cells, ASM imported)."""
    motor = make_engine(f"sqlite:///{carpeta / 'bench.db'}")
    Base.metadata.drop_all(motor)
    Base.metadata.create_all(motor)
    sesiones = make_sessionmaker(motor)
    base = duracion = 0.0
    celdas = nuevos = 0
    for ruta in rutas:
        inicio = time.perf_counter()
        celdas += leer_openpyxl(ruta)
        base += time.perf_counter() - inicio
        inicio = time.perf_counter()
        with unit_of_work(sesiones) as s:
            nuevos += importar_archivo(s, ruta, actor="bench", aislado=aislado).nuevos
        duracion += time.perf_counter() - inicio
    motor.dispose()
    return base, duracion, celdas, nuevos


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--archivos", type=int, default=30)
    p.add_argument("--asm", type=int, default=334)
    p.add_argument("--perfil", action="store_true")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        carpeta = Path(tmp)
        rutas = generar(carpeta, a.archivos, a.asm)
        # A warm-up of both, so neither pays for imports or the worker's first start.
        medir(rutas[:1], carpeta)
        base, duracion, celdas, nuevos = medir(rutas, carpeta)
        print(f"archivos: {len(rutas)} · ASM importados: {nuevos} · celdas leídas: {celdas}")
        print(f"openpyxl, solo lectura:  {base:7.2f} s")
        print(f"importación completa:    {duracion:7.2f} s")
        print(f"proporción: {duracion / base:.2f}× (meta ≤ {META:.0f}×)")
        if a.perfil:
            perfil = cProfile.Profile()
            perfil.enable()
            medir(rutas, carpeta, aislado=False)
            perfil.disable()
            pstats.Stats(perfil).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
