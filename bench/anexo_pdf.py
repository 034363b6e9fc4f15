"""The consolidated Anexo A as PDF beside the .xlsx of the same data, in the same run.

    .venv/bin/python -m bench.anexo_pdf [--asm 10000] [--planes 40] [--repeticiones 2]

Each write runs in a fresh process (spawn), so its peak memory is its own; both writers get the
same synthetic plans (bench.anexo), built before the clock starts, and they alternate so a slow
moment of the machine hits both alike. No target: the figures say what a PDF costs.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

from bench.anexo import Medida, generar_planes
from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.modelo import Encabezado
from bot.anexo_a.pdf import escribir_anexo_a_pdf

_FORMATOS = ("xlsx", "pdf")


def medir(formato: str, asm: int, planes: int, carpeta: str, trazar: bool) -> Medida:
    datos = generar_planes(asm, planes)
    destino = Path(carpeta) / f"anexo.{formato}"
    if trazar:
        tracemalloc.start()
    inicio = time.perf_counter()
    if formato == "pdf":
        escribir_anexo_a_pdf(destino, datos, Encabezado(), date(2025, 6, 30))
    else:
        escribir_anexo_a(destino, datos, Encabezado(), consolidado=True)
    segundos = time.perf_counter() - inicio
    python_mb = tracemalloc.get_traced_memory()[1] / 2**20 if trazar else 0.0
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return Medida(segundos, rss_kb / 1024, python_mb)


def _en_proceso_nuevo(formato: str, asm: int, planes: int, carpeta: str, trazar: bool) -> Medida:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as ejecutor:
        return ejecutor.submit(medir, formato, asm, planes, carpeta, trazar).result()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--asm", type=int, default=10_000)
    parser.add_argument("--planes", type=int, default=40)
    parser.add_argument("--repeticiones", type=int, default=2)
    args = parser.parse_args()

    tiempos: dict[str, list[float]] = {f: [] for f in _FORMATOS}
    rss: dict[str, list[float]] = {f: [] for f in _FORMATOS}
    python: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-anexo-pdf-") as carpeta:
        for _ in range(args.repeticiones):
            for f in _FORMATOS:
                m = _en_proceso_nuevo(f, args.asm, args.planes, carpeta, trazar=False)
                tiempos[f].append(m.segundos)
                rss[f].append(m.rss_mb)
        for f in _FORMATOS:  # tracemalloc slows writing down: runs of its own, untimed
            python[f] = _en_proceso_nuevo(f, args.asm, args.planes, carpeta, trazar=True).python_mb
        tamanos = {f: (Path(carpeta) / f"anexo.{f}").stat().st_size / 2**20 for f in _FORMATOS}
        paginas = (Path(carpeta) / "anexo.pdf").read_bytes().count(b"/Type /Page\n")

    mediana = {f: statistics.median(t) for f, t in tiempos.items()}
    print(
        f"Anexo A consolidado: {args.asm:,} ASM in {args.planes} plans; median of "
        f"{args.repeticiones} runs, each in a fresh process"
    )
    print(f"{'':10}{'time (s)':>10}{'peak RSS (MB)':>15}{'tracemalloc (MB)':>18}{'file (MB)':>11}")
    for f in _FORMATOS:
        print(f"{f:10}{mediana[f]:>10.2f}{max(rss[f]):>15.1f}{python[f]:>18.1f}{tamanos[f]:>11.1f}")
    print(
        f"PDF / xlsx: time {mediana['pdf'] / mediana['xlsx']:.2f}×, peak RSS "
        f"{max(rss['pdf']) - max(rss['xlsx']):+.1f} MB; the PDF has {paginas:,} pages"
    )


if __name__ == "__main__":
    main()
