"""Spreadsheet files in every format an office sends, built here from plain rows.

`archivo("xls", [Hoja("E003", filas, combinadas)])` gives the bytes of a file; the same rows
give the same sheet in .xlsx (openpyxl), .xls (xlwt), .ods (odfpy) and .csv (several dialects).
No binary file is committed: every test builds the ones it reads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Porcentaje:
    """A number with a percent format: 0.45 shown as 45 %."""

    fraccion: float


@dataclass
class Hoja:
    titulo: str
    filas: Sequence[Sequence[object]]
    combinadas: Sequence[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based


ENCABEZADOS = [
    "Núm.",
    "Aspecto Susceptible de Mejora (ASM)",
    "Clasificación (Por actores involucrados)",
    "Área responsable (Dependencia y Unidad Administrativa)",
    "Actividades / Acciones a Emprender",
    "Fecha de Término",
    "Resultados Esperados",
    "Productos y/o evidencias",
    "% de avance",
    "Observaciones / Justificaciones",
]


def asm(numero: object, texto: object, clasificacion: object, **otros: object) -> list[object]:
    """A table row in the official column order; omitted columns stay empty."""
    return [
        numero, texto, clasificacion, otros.get("area"), otros.get("actividades"),
        otros.get("fecha"), otros.get("resultados"), otros.get("productos"),
        otros.get("avance"), otros.get("observaciones"),
    ]  # fmt: skip


def plan(
    filas: Sequence[Sequence[object]],
    *,
    programa: str | None = "E003 Asistencia social",
    trimestre: str | None = "Segundo trimestre 2025",
    encabezados: Sequence[str] = ENCABEZADOS,
) -> list[list[object]]:
    """A header block, the table's headers and its rows (the table starts on row 4)."""
    bloque: list[list[object]] = [
        ["Programa presupuestario / Fondo:", programa] if programa else [],
        ["Trimestre y año:", trimestre] if trimestre else [],
        [],
        list(encabezados),
    ]
    return bloque + [list(f) for f in filas]


def archivo(formato: str, hojas: Sequence[Hoja], **opciones: str) -> bytes:
    if formato in ("xlsx", "xlsm"):
        return _xlsx(hojas)
    if formato == "xls":
        return _xls(hojas)
    if formato == "ods":
        return _ods(hojas)
    if formato == "csv":
        return _csv(hojas[0], **opciones)
    raise ValueError(formato)


def _xlsx(hojas: Sequence[Hoja]) -> bytes:
    libro = Workbook()
    libro.remove(libro.active)  # type: ignore[arg-type]
    for h in hojas:
        ws = libro.create_sheet(h.titulo)
        for r, fila in enumerate(h.filas, start=1):
            for c, valor in enumerate(fila, start=1):
                if valor is None:
                    continue
                if isinstance(valor, Porcentaje):
                    ws.cell(r, c, valor.fraccion).number_format = "0%"
                else:
                    celda = ws.cell(r, c, valor)
                    if isinstance(valor, date):
                        celda.number_format = "DD/MM/YYYY"
        for r1, c1, r2, c2 in h.combinadas:
            ws.merge_cells(f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}")
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _xls(hojas: Sequence[Hoja]) -> bytes:
    import xlwt  # type: ignore[import-untyped]

    libro = xlwt.Workbook()
    fecha = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    porciento = xlwt.easyxf(num_format_str="0%")
    for h in hojas:
        ws = libro.add_sheet(h.titulo)
        tapadas = set()
        for r1, c1, r2, c2 in h.combinadas:
            valor = h.filas[r1 - 1][c1 - 1] if c1 <= len(h.filas[r1 - 1]) else None
            ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, _simple(valor))
            tapadas |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, fila in enumerate(h.filas, start=1):
            for c, valor in enumerate(fila, start=1):
                if valor is None or (r, c) in tapadas:
                    continue
                if isinstance(valor, Porcentaje):
                    ws.write(r - 1, c - 1, valor.fraccion, porciento)
                elif isinstance(valor, date):
                    ws.write(r - 1, c - 1, valor, fecha)
                else:
                    ws.write(r - 1, c - 1, valor)
    salida = io.BytesIO()
    libro.save(salida)
    return salida.getvalue()


def _simple(valor: object) -> object:
    return valor.fraccion if isinstance(valor, Porcentaje) else ("" if valor is None else valor)


def _ods(hojas: Sequence[Hoja]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet  # type: ignore[import-untyped]
    from odf.table import CoveredTableCell, Table, TableCell, TableRow  # type: ignore[import-untyped]
    from odf.text import P  # type: ignore[import-untyped]

    doc = OpenDocumentSpreadsheet()
    for h in hojas:
        tabla = Table(name=h.titulo)
        inicio = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for r1, c1, r2, c2 in h.combinadas}
        tapadas = {
            (r, c)
            for r1, c1, r2, c2 in h.combinadas
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
            if (r, c) != (r1, c1)
        }
        ancho = max((len(f) for f in h.filas), default=0)
        for r, fila in enumerate(h.filas, start=1):
            renglon = TableRow()
            for c in range(1, ancho + 1):
                if (r, c) in tapadas:
                    renglon.addElement(CoveredTableCell())
                    continue
                valor = fila[c - 1] if c <= len(fila) else None
                atributos: dict[str, object] = {}
                if (r, c) in inicio:
                    filas_unidas, columnas_unidas = inicio[(r, c)]
                    atributos["numberrowsspanned"] = filas_unidas
                    atributos["numbercolumnsspanned"] = columnas_unidas
                if isinstance(valor, Porcentaje):
                    celda = TableCell(valuetype="percentage", value=valor.fraccion, **atributos)
                    texto = f"{round(valor.fraccion * 100)}%"
                elif isinstance(valor, bool) or valor is None:
                    celda, texto = TableCell(**atributos), ""
                elif isinstance(valor, (int, float)):
                    celda, texto = (
                        TableCell(valuetype="float", value=valor, **atributos),
                        str(valor),
                    )
                elif isinstance(valor, date):
                    celda = TableCell(valuetype="date", datevalue=valor.isoformat(), **atributos)
                    texto = valor.strftime("%d/%m/%Y")
                else:
                    celda, texto = TableCell(valuetype="string", **atributos), str(valor)
                for linea in texto.split("\n") if texto else []:
                    celda.addElement(P(text=linea))
                renglon.addElement(celda)
            tabla.addElement(renglon)
        doc.spreadsheet.addElement(tabla)
    salida = io.BytesIO()
    doc.write(salida)
    return salida.getvalue()


def _csv(hoja: Hoja, separador: str = ",", codificacion: str = "utf-8") -> bytes:
    """As Excel saves «CSV UTF-8» (with BOM: codificacion="utf-8-sig"), «CSV» on Windows
    (cp1252) or LibreOffice (any separator)."""
    texto = io.StringIO(newline="")
    escritor = csv.writer(texto, delimiter=separador, lineterminator="\r\n")
    for fila in hoja.filas:
        escritor.writerow([_texto_csv(v) for v in fila])
    return texto.getvalue().encode(codificacion)


def _texto_csv(valor: object) -> str:
    if valor is None:
        return ""
    if isinstance(valor, Porcentaje):
        return f"{round(valor.fraccion * 100)}%"
    if isinstance(valor, date):
        return valor.strftime("%d/%m/%Y")
    return str(valor)
