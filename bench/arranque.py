"""How long `asmbot --help` and `asmbot COMANDO --help` take, beside a bare click command.

    .venv/bin/python -m bench.arranque [--veces 5]

Each run is a fresh process, as a person starts it from the shell. The bare click command (a
group with one subcommand, nothing else imported) runs alternated with ours in the same run, so
that the machine's mood hits both alike. Target: every help at most 0.3 s (median).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

META_SEGUNDOS = 0.3

_CLICK_DESNUDO = """
import click

@click.group()
def grupo():
    "Un grupo."

@grupo.command()
def comando():
    "Un comando."

grupo()
"""


def comandos() -> list[tuple[str, ...]]:
    """Every command path of `asmbot`, groups included, read from the click tree."""
    from bot.cli.main import main as asmbot

    rutas: list[tuple[str, ...]] = [()]

    def recorrer(grupo: click.Group, prefijo: tuple[str, ...]) -> None:
        for nombre, comando in sorted(grupo.commands.items()):
            rutas.append((*prefijo, nombre))
            if isinstance(comando, click.Group):
                recorrer(comando, (*prefijo, nombre))

    recorrer(asmbot, ())
    return rutas


def _segundos(argv: list[str], entorno: dict[str, str]) -> float:
    inicio = time.perf_counter()
    subprocess.run(argv, env=entorno, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - inicio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--veces", type=int, default=5, help="runs of each help (median)")
    args = parser.parse_args()

    asmbot = str(Path(sys.executable).parent / "asmbot")
    # No .env of a developer, and no settings: --help must not need them.
    entorno = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "HOME")}
    rutas = comandos()
    tiempos: dict[tuple[str, ...], list[float]] = {r: [] for r in rutas}
    desnudo: list[float] = []
    for _ in range(args.veces):
        for ruta in rutas:
            desnudo.append(_segundos([sys.executable, "-c", _CLICK_DESNUDO, "--help"], entorno))
            tiempos[ruta].append(_segundos([asmbot, *ruta, "--help"], entorno))

    mediana = {r: statistics.median(t) for r, t in tiempos.items()}
    base = statistics.median(desnudo)
    print(f"asmbot --help: median of {args.veces} runs, each a fresh process")
    print(f"{'':40}{'time (s)':>10}{'× bare click':>14}")
    print(f"{'bare click group --help':40}{base:>10.3f}{1:>14.2f}")
    for ruta, t in mediana.items():
        print(f"{' '.join(('asmbot', *ruta, '--help')):40}{t:>10.3f}{t / base:>14.2f}")
    peor = max(mediana, key=mediana.__getitem__)
    cumple = "met" if mediana[peor] <= META_SEGUNDOS else "NOT met"
    print(
        f"slowest: asmbot {' '.join(peor)} --help {mediana[peor]:.3f} s "
        f"(target ≤ {META_SEGUNDOS} s): {cumple}"
    )


if __name__ == "__main__":
    main()
