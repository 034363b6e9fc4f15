"""`asmbot auditoria`: who did what and when, and every evidence file checked against its sha256.

For the coordination and the Contraloría (Art. 13), so people are named here. The evidence list
recomputes each stored file's sha256, so that what the Contraloría received can be compared with
what was recorded when it arrived.

Written as .xlsx (two sheets) or as two CSV files (`X.csv` and `X_evidencias.csv`).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.servicios.evidencias import ACEPTADOS
from bot.servicios.respaldo import Avanzar, Progreso, sin_progreso
from storage.models import Asm, Auditoria, Avance, Dependencia, Evidencia, Programa, Usuario

COLUMNAS_AUDITORIA = (
    "Fecha y hora",
    "Actor",
    "Persona",
    "Rol",
    "Dependencia",
    "Acción",
    "Objeto",
    "Id del objeto",
    "Detalle",
)
COLUMNAS_EVIDENCIAS = (
    "Clave del Pp o fondo",
    "Núm. de ASM",
    "Nombre original",
    "Tipo detectado",
    "Tamaño (bytes)",
    "sha256 registrado",
    "Registrada el",
    "Registrada por",
    "Rol",
    "Folio del avance",
    "¿Existe el archivo?",
    "¿Coincide el sha256?",
)
_ANCHOS_AUDITORIA = (19, 14, 30, 13, 30, 12, 12, 10, 80)
_ANCHOS_EVIDENCIAS = (12, 8, 35, 20, 12, 66, 19, 30, 13, 22, 10, 10)

_ROLES = {
    Rol.ENLACE.value: "Enlace",
    Rol.COORDINADOR.value: "Coordinador",
    Rol.CONTRALORIA.value: "Contraloría",
}
# Actors that are not a person (see `bot.servicios.auditoria`).
_ACTORES = {"cli": "Línea de comandos", "importacion": "Importación", "demo": "Demostración"}
_FORMATO_FECHA = "%d/%m/%Y %H:%M:%S"
_INICIO_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Persona:
    nombre: str
    rol: str
    dependencia: str


@dataclass(frozen=True)
class ResumenAuditoria:
    archivos: list[Path]
    registros: int
    evidencias: int
    faltantes: int  # evidence whose stored file is gone
    alteradas: int  # evidence whose file no longer has the recorded sha256


def exportar(
    session: Session,
    data_dir: Path,
    zona: ZoneInfo,
    salida: Path,
    *,
    desde: date | None = None,
    hasta: date | None = None,
    progreso: Progreso = sin_progreso,
) -> ResumenAuditoria:
    """Write the audit log and the evidence list of [desde, hasta] (days in `zona`, inclusive)."""
    if salida.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError("El archivo de salida debe terminar en .csv o .xlsx.")
    inicio = datetime.combine(desde, time(), zona) if desde else None
    fin = datetime.combine(hasta + timedelta(days=1), time(), zona) if hasta else None
    personas = _personas(session)

    consulta = select(Auditoria).order_by(Auditoria.cuando, Auditoria.id)
    if inicio:
        consulta = consulta.where(Auditoria.cuando >= inicio)
    if fin:
        consulta = consulta.where(Auditoria.cuando < fin)
    registros = [_fila_auditoria(a, personas, zona) for a in session.scalars(consulta)]

    evidencias = _evidencias(session, inicio, fin)
    filas_evidencia: list[list[Any]] = []
    faltantes = alteradas = 0
    with progreso("Verificando evidencias", len(evidencias)) as avanzar:
        for ev, clave, numero, folio in evidencias:
            existe, coincide = _verificar(data_dir, ev, avanzar)
            faltantes += not existe
            alteradas += existe and not coincide
            p = personas.get(ev.usuario_id) if ev.usuario_id else None
            filas_evidencia.append(
                [
                    clave,
                    numero,
                    ev.nombre_original,
                    ACEPTADOS.get(ev.tipo_detectado, ev.tipo_detectado),
                    ev.tamano,
                    ev.sha256,
                    ev.registrado_en.astimezone(zona).replace(tzinfo=None),
                    p.nombre if p else "",
                    p.rol if p else "",
                    folio or "",
                    "Sí" if existe else "No",
                    ("Sí" if coincide else "No") if existe else "—",
                ]
            )

    if salida.suffix.lower() == ".xlsx":
        _escribir_xlsx(
            salida,
            [
                ("Auditoría", COLUMNAS_AUDITORIA, _ANCHOS_AUDITORIA, registros),
                ("Evidencias", COLUMNAS_EVIDENCIAS, _ANCHOS_EVIDENCIAS, filas_evidencia),
            ],
        )
        archivos = [salida]
    else:
        otra = salida.with_name(f"{salida.stem}_evidencias.csv")
        _escribir_csv(salida, COLUMNAS_AUDITORIA, registros)
        _escribir_csv(otra, COLUMNAS_EVIDENCIAS, filas_evidencia)
        archivos = [salida, otra]
    return ResumenAuditoria(archivos, len(registros), len(evidencias), faltantes, alteradas)


def _personas(session: Session) -> dict[int, Persona]:
    filas = session.execute(
        select(Usuario.id, Usuario.nombre, Usuario.rol, Dependencia.nombre).outerjoin(
            Dependencia, Dependencia.id == Usuario.dependencia_id
        )
    )
    return {
        uid: Persona(nombre, _ROLES.get(rol, rol), dep or "") for uid, nombre, rol, dep in filas
    }


def _fila_auditoria(a: Auditoria, personas: dict[int, Persona], zona: ZoneInfo) -> list[Any]:
    persona = None
    tipo, _, numero = a.actor.partition(":")
    if tipo == "usuario" and numero.isdigit():
        persona = personas.get(int(numero))
    return [
        a.cuando.astimezone(zona).replace(tzinfo=None),
        a.actor,
        persona.nombre if persona else _ACTORES.get(a.actor, ""),
        persona.rol if persona else "",
        persona.dependencia if persona else "",
        a.accion,
        a.objeto,
        a.objeto_id,
        json.dumps(a.detalle, ensure_ascii=False, sort_keys=True),
    ]


def _evidencias(
    session: Session, inicio: datetime | None, fin: datetime | None
) -> Sequence[tuple[Evidencia, str, int, str | None]]:
    consulta = (
        select(Evidencia, Programa.clave, Asm.numero, Avance.folio)
        .join(Asm, Asm.id == Evidencia.asm_id)
        .join(Programa, Programa.id == Asm.programa_id)
        .outerjoin(Avance, Avance.id == Evidencia.avance_id)
        .order_by(Evidencia.registrado_en, Evidencia.id)
    )
    if inicio:
        consulta = consulta.where(Evidencia.registrado_en >= inicio)
    if fin:
        consulta = consulta.where(Evidencia.registrado_en < fin)
    return [(ev, clave, numero, folio) for ev, clave, numero, folio in session.execute(consulta)]


def _verificar(data_dir: Path, ev: Evidencia, avanzar: Avanzar) -> tuple[bool, bool]:
    """(the file exists, its sha256 is the recorded one)."""
    raiz = data_dir.resolve()
    ruta = (raiz / ev.ruta).resolve()
    avanzar(1)
    # A path that leads out of the data directory is not one the bot wrote.
    if not ruta.is_relative_to(raiz) or not ruta.is_file():
        return False, False
    h = hashlib.sha256()
    with ruta.open("rb") as f:
        while bloque := f.read(1 << 20):
            h.update(bloque)
    return True, h.hexdigest() == ev.sha256


def _texto_csv(valor: Any) -> Any:
    if isinstance(valor, datetime):
        return valor.strftime(_FORMATO_FECHA)
    if valor is None:
        return ""
    if isinstance(valor, str) and valor.startswith(_INICIO_DE_FORMULA):
        return "'" + valor  # Excel would run it as a formula
    return valor


def _escribir_csv(ruta: Path, columnas: Sequence[str], filas: Sequence[Sequence[Any]]) -> None:
    ruta.parent.mkdir(parents=True, exist_ok=True)
    with ruta.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel reads the accents
        w = csv.writer(f)
        w.writerow(columnas)
        w.writerows([_texto_csv(v) for v in fila] for fila in filas)


def _escribir_xlsx(
    ruta: Path,
    hojas: Sequence[tuple[str, Sequence[str], Sequence[int], Sequence[Sequence[Any]]]],
) -> None:
    ruta.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    negrita = Font(bold=True)
    for titulo, columnas, anchos, filas in hojas:
        ws: Worksheet = wb.create_sheet(titulo)
        for i, ancho in enumerate(anchos, 1):
            ws.column_dimensions[get_column_letter(i)].width = ancho
        ws.freeze_panes = "A2"
        encabezado = []
        for c in columnas:
            celda = Cell(ws, 1, 1, value=c)
            celda.font = negrita
            encabezado.append(celda)
        ws.append(encabezado)
        for fila in filas:
            ws.append(list(_celdas_xlsx(ws, fila)))
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columnas))}{len(filas) + 1}"
    wb.save(ruta)


def _celdas_xlsx(ws: Worksheet, fila: Sequence[Any]) -> Iterator[Any]:
    for valor in fila:
        if isinstance(valor, datetime):
            celda = Cell(ws, 1, 1, value=valor)
            celda.number_format = "dd/mm/yyyy hh:mm:ss"
            yield celda
        elif isinstance(valor, str):
            # Typed text stays text: never a formula nor an error code.
            celda = Cell(ws, 1, 1, value=ILLEGAL_CHARACTERS_RE.sub("", valor))
            celda.data_type = "s"
            yield celda
        else:
            yield valor
