"""Helpers that several test modules use: files made in test code (never committed binaries),
the sandbox's fixed clock, and people and notices for the services' tests."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.sandbox.servidor import RelojSandbox
from bot.servicios.avisos import Aviso
from bot.servicios.usuarios import Persona, persona_activa
from storage.models import Asm, Auditoria, Dependencia, Usuario, utcnow
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


# --- Services on a plain session ---------------------------------------------------------

HOY_SERVICIOS = date(2026, 11, 18)
AHORA_SERVICIOS = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)


class Palabras:
    """A Redactor that says what it is about, so a test reads who got which notice."""

    def copia_avance(self, recibo: object, persona: Persona) -> str:
        return f"copia de {persona.nombre}"

    def plan_enviado(self, plan: object, persona: Persona) -> Aviso:
        return Aviso("plan enviado")

    def plan_aprobado(self, plan: object) -> Aviso:
        return Aviso("plan aprobado")

    def plan_observado(self, plan: object, observaciones: str) -> Aviso:
        return Aviso(f"observado: {observaciones}")


def persona(s: Session, telegram_id: int, rol: Rol, siglas: str | None = None) -> Persona:
    dep = s.scalar(select(Dependencia).where(Dependencia.siglas == siglas)) if siglas else None
    u = Usuario(
        telegram_id=telegram_id, nombre=f"P{telegram_id}", rol=rol.value,
        dependencia_id=dep.id if dep else None,
    )  # fmt: skip
    s.add(u)
    s.flush()
    p = persona_activa(s, telegram_id)
    assert p is not None
    return p


def asm_de(s: Session, numero: int) -> int:
    return s.scalars(select(Asm.id).where(Asm.numero == numero)).one()


def negados(s: Session) -> list[tuple[str, int | None, object]]:
    filas = s.scalars(select(Auditoria).where(Auditoria.accion == "acceso_denegado")).all()
    return [(a.objeto, a.objeto_id, a.detalle.get("intento")) for a in filas]
