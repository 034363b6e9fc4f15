"""Helpers that several test folders use: files made in test code (never committed binaries)
and the sandbox's fixed clock."""

from __future__ import annotations

import struct
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bot.sandbox.servidor import RelojSandbox
from storage.models import utcnow
from tests.arnes import AHORA

PNG = b"\x89PNG\r\n\x1a\n"

# --- An Anexo A as a dependencia fills it ---------------------------------------------------

ENCABEZADOS = [
    "No.", "Aspecto Susceptible de Mejora", "CLASIFICACION", "Área responsable",
    "Actividades / Acciones a Empezar", "Fecha de término", "Resultados esperados",
    "Productos y/o evidencias", "% de avance", "Observaciones",
]  # fmt: skip


def anexo_de_dependencia(ruta: Path, filas: list[list[Any]], **encabezado: str) -> Path:
    """A file as a dependencia fills it: a title block, the table in column B, a signature."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Plan de Acción"
    ws["B1"] = "Plan de Acción: Aspectos Susceptibles de Mejora (ASM)"
    ws.merge_cells("B1:K1")
    ws["B2"] = "Programa presupuestario / Fondo:"
    ws["D2"] = encabezado.get("programa", "E003 Asistencia social")
    ws["B3"] = "Trimestre y año:"
    ws["D3"] = encabezado.get("trimestre", "Segundo trimestre 2025")
    if "dependencia" in encabezado:
        ws["B4"] = f"Dependencia: {encabezado['dependencia']}"
    for col, texto in enumerate(ENCABEZADOS, start=2):
        ws.cell(row=6, column=col, value=texto)
    for i, fila in enumerate(filas):
        for col, valor in enumerate(fila, start=2):
            c = ws.cell(row=7 + i, column=col, value=valor)
            if col == 10 and isinstance(valor, float):
                c.number_format = "0%"
    ws.cell(row=9 + len(filas), column=2, value="Elaboró")
    ws.cell(row=10 + len(filas), column=2, value="Lic. Ana Pérez, Enlace SEDEM")
    wb.save(ruta)
    return ruta


FILAS = [
    [1, "Integrar un padrón único", "Específico", "SMDIF / Dirección de Asistencia Social",
     "Depurar el padrón", "30/09/2025", "Padrón confiable", "Base de datos", 0.45,
     "=Revisar con Tesorería"],
    [2, "Conciliar el avance financiero", "Aspecto interinstitucional",
     "Sistema Municipal DIF; Tesorería Municipal / Dirección de Egresos",
     "Mesas mensuales", datetime(2025, 12, 15), "Cifras conciliadas", "Minutas", "10 %", ""],
]  # fmt: skip


# --- Pictures and documents -------------------------------------------------------------------


def medidas_png(contenido: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    assert contenido.startswith(PNG)
    assert contenido[12:16] == b"IHDR"
    ancho, alto = struct.unpack(">II", contenido[16:24])
    return ancho, alto


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def reloj_fijo() -> RelojSandbox:
    """The sandbox clock at Wednesday 18/11/2026, 11:00 in Puebla: the demo is the same always."""
    return RelojSandbox(AHORA - utcnow())
