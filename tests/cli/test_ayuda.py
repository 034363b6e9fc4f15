"""`asmbot --help` answers at once: no database, spreadsheet or bot library loads for it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Each costs from a tenth of a second to half a second of start-up (bench/arranque.py).
PESADOS = ("sqlalchemy", "alembic", "openpyxl", "numpy", "telegram", "fpdf", "httpx", "aiohttp")

# Every help of the click tree in one fresh process, then the heavy modules it loaded.
_AYUDAS = """
import contextlib, io, json, sys

import click

from bot.cli.main import main

def rutas(grupo, prefijo):
    for nombre, comando in sorted(grupo.commands.items()):
        yield (*prefijo, nombre)
        if isinstance(comando, click.Group):
            yield from rutas(comando, (*prefijo, nombre))

ayudas = {}
for ruta in [(), *rutas(main, ())]:
    salida = io.StringIO()
    with contextlib.redirect_stdout(salida):
        main([*ruta, "--help"], prog_name="asmbot", standalone_mode=False)
    ayudas[" ".join(ruta)] = salida.getvalue()
pesados = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))
print(json.dumps({"ayudas": ayudas, "pesados": pesados}))
"""


def test_every_help_loads_no_database_spreadsheet_or_bot_library(tmp_path: Path) -> None:
    proceso = subprocess.run(
        [sys.executable, "-c", _AYUDAS, *PESADOS],
        cwd=tmp_path,  # no developer .env is read
        capture_output=True,
        text=True,
        check=True,
    )
    resultado = json.loads(proceso.stdout)
    ayudas: dict[str, str] = resultado["ayudas"]
    assert resultado["pesados"] == []
    # The whole tree was walked, and the help is still click's, in Spanish.
    assert {"", "anexo", "db upgrade", "evaluacion alta", "run", "sandbox"} <= set(ayudas)
    assert all(texto.startswith("Uso: asmbot") for texto in ayudas.values())
    assert "Muestra esta ayuda y termina." in ayudas["anexo"]
    assert "Comandos:" in ayudas[""] and "Opciones:" in ayudas["db upgrade"]
