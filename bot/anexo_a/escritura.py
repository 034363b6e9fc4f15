"""Writes Anexo A files: one sheet per Pp or fondo, optionally after a summary sheet.

The workbook is written with XlsxWriter in constant-memory mode, so that memory stays flat however
many ASM there are: each sheet streams its rows to a temporary file as they are written, and no
row outlives the next one. Merges, filters, validations, widths and page setup are kept apart and
written when the workbook is closed, so they may be set after the rows.

XlsxWriter, not openpyxl (which reads files everywhere else): it writes the same cells in about
two thirds of the time of openpyxl's write-only mode, and sets the workbook's default format
through its public options (`bench/anexo.py` measures both).

What the table looks like, and why:
- typed text goes without a style of its own: wrapped, top-aligned text is the workbook's
  default format (`_POR_OMISION`), which Excel, LibreOffice and openpyxl all show for such cells;
  text a person typed that starts like a formula (= + - @) gets the quote prefix, so that an
  editor keeps it as text when someone edits the cell;
- the table's borders are one conditional format over the table (see `_bordes`);
- only the number, date and % columns take a format of their own, for alignment and number
  format.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from bot.anexo_a.modelo import COLUMNAS, TITULO, Encabezado, FilaAnexoA, PlanAnexoA
from bot.dominio.estado import Situacion, situacion
from bot.dominio.vocabulario import Clasificacion, Valoracion

TITULO_RESUMEN = "Resumen del seguimiento de los ASM"
HOJA_RESUMEN = "Resumen"

COLUMNAS_RESUMEN: tuple[str, ...] = (
    "Clave",
    "Programa presupuestario / Fondo",
    "Núm. de ASM",
    "Avance promedio",
    "A tiempo",
    "En riesgo",
    "Vencidos",
    "Atendido",
    "No atendido",
    "No aplica",
    "Sin valoración",
)

_ANCHOS = (6, 45, 18, 30, 45, 12, 35, 35, 10, 40)
# Widths of the columns people write paragraphs in (ASM, área, actividades, resultados,
# productos, observaciones), for the row heights.
_ANCHOS_TEXTO = tuple(_ANCHOS[i] for i in (1, 3, 4, 6, 7, 9))
_ANCHOS_RESUMEN = (12, 45, 10, 12, 10, 10, 10, 10, 12, 10, 12)

# Rows of the header block, counted from 0 as XlsxWriter does (row 0 is the sheet's row 1); the
# table header follows a blank row.
_FILA_PROGRAMA = 3
_FILA_ENCABEZADOS = 6
_PRIMERA_FILA = _FILA_ENCABEZADOS + 1

_CADA_CUANTAS_FILAS = 500  # how often `progreso` hears about written rows

# Excel forbids these in sheet titles, and caps titles at 31 characters.
_NO_VALIDO_EN_HOJA = re.compile(r"[\[\]:*?/\\]")
_LARGO_HOJA = 31
# Excel reserves “History” (case-insensitively) for its change tracking.
_HOJAS_RESERVADAS = ("history",)

# Leading characters that make Excel or LibreOffice read typed text as a formula.
_INICIO_DE_FORMULA = ("=", "+", "-", "@")
# Control characters that XML 1.0 cannot hold (tab, line feed and carriage return it can).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

_CLASIFICACIONES = [c.etiqueta for c in Clasificacion]

# The default cell format: what the ASM table's text gets without a format of its own. Fonts
# name the default face and size: XlsxWriter replaces its own defaults with these.
_POR_OMISION = {"font_name": "Calibri", "font_size": 11, "valign": "top", "text_wrap": True}
_BORDE = {"border": 1, "border_color": "#808080"}
_CENTRADO = {"align": "center", "valign": "top", "text_wrap": True}


def escribir_anexo_a(
    destino: Path | BinaryIO,
    planes: Iterable[PlanAnexoA],
    encabezado: Encabezado,
    *,
    consolidado: bool,
    progreso: Callable[[int], None] | None = None,
) -> None:
    """Write one sheet per plan to `destino`; with `consolidado`, a “Resumen” sheet comes first.

    The plans are taken one at a time and none is kept, so that `planes` may be read from the
    database as the file is written (`bot.servicios.consultas.planes_anexo_en_flujo`). Nothing is
    written to `destino` if writing fails.

    `progreso(n)` hears how many ASM rows were written since its last call, every few hundred rows
    and once at the end, so that the calls add up to the number of rows.
    """
    # The rows' temporary files live in a folder of our own, gone with it even after a failure.
    with tempfile.TemporaryDirectory(prefix="anexo-a-") as temporal:
        wb = Workbook(
            str(destino) if isinstance(destino, Path) else destino,
            {
                "constant_memory": True,
                "tmpdir": temporal,
                "default_format_properties": _POR_OMISION,
                # What people type stays text: never a formula, a link or a number.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        _escribir_libro(wb, planes, encabezado, consolidado=consolidado, progreso=progreso)
        wb.close()


def _escribir_libro(
    wb: Workbook,
    planes: Iterable[PlanAnexoA],
    encabezado: Encabezado,
    *,
    consolidado: bool,
    progreso: Callable[[int], None] | None,
) -> None:
    estilos = _Estilos(wb)
    usados = {h.lower() for h in _HOJAS_RESERVADAS}
    resumen: _Resumen | None = None
    if consolidado:
        # The summary sheet comes first but counts every plan: it is created now and its rows
        # are written last (each sheet streams its rows to a file of its own).
        usados.add(HOJA_RESUMEN.lower())
        resumen = _Resumen(wb.add_worksheet(HOJA_RESUMEN))

    planes_escritos = 0
    pendientes = 0
    for plan in planes:
        planes_escritos += 1
        ws = wb.add_worksheet(_titulo_de_hoja(plan.programa_clave, usados))
        cuenta = resumen.plan(plan) if resumen is not None else None
        for fila in _escribir_plan(ws, estilos, encabezado, plan):
            if cuenta is not None and resumen is not None:
                cuenta.sumar(fila)
                resumen.total.sumar(fila)  # over every ASM, so its average weighs each ASM alike
            pendientes += 1
            if progreso is not None and pendientes == _CADA_CUANTAS_FILAS:
                progreso(pendientes)
                pendientes = 0
    if progreso is not None and pendientes:
        progreso(pendientes)
    if not planes_escritos and not consolidado:
        raise ValueError("No hay planes que escribir en el Anexo A.")
    if resumen is not None:
        _escribir_resumen(resumen, estilos, encabezado)


def _titulo_de_hoja(clave: str, usados: set[str]) -> str:
    """A valid, unique (case-insensitively, as Excel compares) sheet title for a programa clave."""
    # Excel also forbids an apostrophe at either end.
    base = _NO_VALIDO_EN_HOJA.sub("_", clave).strip().strip("'").strip() or "Hoja"
    titulo = base[:_LARGO_HOJA]
    n = 2
    while titulo.lower() in usados:
        sufijo = f" ({n})"
        titulo = base[: _LARGO_HOJA - len(sufijo)] + sufijo
        n += 1
    usados.add(titulo.lower())
    return titulo


@dataclass(frozen=True)
class _Estilo:
    """A format for text, and its twin with the quote prefix for text that looks like a formula.

    `normal` None is the workbook's default format.
    """

    normal: Format | None
    citado: Format

    def para(self, valor: str) -> tuple[str, Format | None]:
        """Typed text as the cell will hold it, without control characters, and its format."""
        # Looking costs half of replacing, and almost no text holds control characters.
        if _CONTROL.search(valor):
            valor = _CONTROL.sub("", valor)
        return valor, self.citado if valor.startswith(_INICIO_DE_FORMULA) else self.normal


class _Estilos:
    """Every format the file uses, registered once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        def texto(**atributos: Any) -> _Estilo:
            normal = wb.add_format(atributos) if atributos else None
            return _Estilo(normal, wb.add_format(atributos | {"quote_prefix": True}))

        negrita = {"bold": True}
        self.municipio = texto(bold=True, font_size=12, align="center", text_wrap=False)
        self.titulo = texto(bold=True, font_size=14, align="center", text_wrap=False)
        self.etiqueta = texto(**negrita)
        self.dato = texto(align="left", text_wrap=False)
        self.encabezado = texto(
            **negrita, **_BORDE, bg_color="#D9E1F2", align="center", valign="vcenter"
        )
        self.texto = texto(**_BORDE)
        self.total = texto(**negrita, **_BORDE)
        # The ASM table's cells go without borders, which `_bordes` draws over the whole table.
        self.cuerpo = texto()
        self.cuerpo_entero = wb.add_format(_CENTRADO)
        self.cuerpo_fecha = wb.add_format(_CENTRADO | {"num_format": "dd/mm/yyyy"})
        self.cuerpo_porcentaje = wb.add_format(_CENTRADO | {"num_format": "0%"})
        self.entero = wb.add_format(_CENTRADO | _BORDE)
        self.porcentaje = wb.add_format(_CENTRADO | _BORDE | {"num_format": "0%"})
        self.total_entero = wb.add_format(_CENTRADO | _BORDE | negrita)
        self.total_porcentaje = wb.add_format(_CENTRADO | _BORDE | negrita | {"num_format": "0%"})
        self.bordes = wb.add_format(_BORDE)  # the table's conditional format


def _texto(ws: Worksheet, fila: int, columna: int, valor: str, estilo: _Estilo) -> None:
    """Text a person typed (or fixed words): always a text cell, never a formula."""
    ws.write_string(fila, columna, *estilo.para(valor))


def _combinado(
    ws: Worksheet, fila: int, columnas: tuple[int, int], valor: str, estilo: _Estilo
) -> None:
    """Text across the cells `columnas` (first and last) of one row."""
    ws.merge_range(fila, columnas[0], fila, columnas[1], *estilo.para(valor))


def _numero(ws: Worksheet, fila: int, columna: int, valor: float | None, formato: Format) -> None:
    if valor is None:
        ws.write_blank(fila, columna, None, formato)  # the empty cell keeps its alignment
    else:
        ws.write_number(fila, columna, valor, formato)


# Day 0 of the spreadsheets' 1900 date system: a date is the number of days since, shown by its
# number format (1900 is counted as a leap year, so the epoch is the 30th, not the 31st).
_EPOCA = date(1899, 12, 30)


def _serie(dia: date | None) -> int | None:
    return None if dia is None else (dia - _EPOCA).days


def _preparar_hoja(ws: Worksheet, anchos: Sequence[int]) -> None:
    """Widths, frozen titles, filter-ready titles and the printed page."""
    for i, ancho in enumerate(anchos):
        ws.set_column(i, i, ancho)
    ws.freeze_panes(_PRIMERA_FILA, 0)
    ws.set_landscape()
    ws.set_paper(1)  # letter
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
    ws.repeat_rows(_FILA_ENCABEZADOS)


def _escribir_bloque(
    ws: Worksheet,
    estilos: _Estilos,
    encabezado: Encabezado,
    titulo: str,
    programa: str | None,
    trimestre: str,
    columnas: Sequence[str],
) -> None:
    """The header block above the table, then a blank row and the column headers."""
    ultima = len(columnas) - 1
    e = estilos
    _combinado(ws, 0, (0, ultima), encabezado.municipio, e.municipio)
    _combinado(ws, 1, (0, ultima), encabezado.instituto, e.municipio)
    _combinado(ws, 2, (0, ultima), titulo, e.titulo)
    etiquetas = [("Trimestre y año:", trimestre)]
    if programa is not None:
        etiquetas.insert(0, ("Programa presupuestario / Fondo:", programa))
    for fila, (etiqueta, valor) in enumerate(etiquetas, _FILA_PROGRAMA):
        # The label spans A:B because column A (Núm.) is narrow; the value spans the rest.
        _combinado(ws, fila, (0, 1), etiqueta, e.etiqueta)
        _combinado(ws, fila, (2, ultima), valor, e.dato)
    for i, columna in enumerate(columnas):
        _texto(ws, _FILA_ENCABEZADOS, i, columna, e.encabezado)


def _altura(textos: Iterable[tuple[str, int]]) -> float | None:
    """The height a row of wrapped text needs, when it needs more than one line.

    Excel fits rows to wrapped text when it opens a file, LibreOffice does not (and neither
    prints them): without a height each row would print as one line of overlapping text. The
    estimate counts about one character per unit of column width, 15 points per line.
    """
    lineas = 1
    for texto, ancho in textos:
        if len(texto) > ancho or "\n" in texto:  # most cells fit on one line: skip the work
            n = sum(-(-len(parrafo) // ancho) or 1 for parrafo in texto.split("\n"))
            lineas = max(lineas, n)
    if lineas == 1:
        return None
    return min(409, 15 * lineas + 3)  # 409 points: Excel's maximum


def _escribir_plan(
    ws: Worksheet, estilos: _Estilos, encabezado: Encabezado, plan: PlanAnexoA
) -> Iterator[FilaAnexoA]:
    """Write one plan's sheet, yielding each ASM once written (for progress and the summary)."""
    _preparar_hoja(ws, _ANCHOS)
    alto = _altura(zip(COLUMNAS, _ANCHOS, strict=True))
    if alto is not None:
        ws.set_row(_FILA_ENCABEZADOS, alto)
    _escribir_bloque(
        ws, estilos, encabezado, TITULO, plan.programa, plan.trimestre.etiqueta, COLUMNAS
    )
    e = estilos
    cuerpo = e.cuerpo
    for r, f in enumerate(plan.filas, _PRIMERA_FILA):
        textos = (f.asm, f.area_responsable, f.actividades, f.resultados_esperados,
                  f.productos_evidencias, f.observaciones)  # fmt: skip
        alto = _altura(zip(textos, _ANCHOS_TEXTO, strict=True))
        if alto is not None:
            ws.set_row(r, alto)  # before the row's cells: the row is written when the next starts
        ws.write_number(r, 0, f.numero, e.cuerpo_entero)
        _texto(ws, r, 1, f.asm, cuerpo)
        ws.write_string(r, 2, f.clasificacion.etiqueta)  # one of a few fixed words
        _texto(ws, r, 3, f.area_responsable, cuerpo)
        _texto(ws, r, 4, f.actividades, cuerpo)
        _numero(ws, r, 5, _serie(f.fecha_termino), e.cuerpo_fecha)
        _texto(ws, r, 6, f.resultados_esperados, cuerpo)
        _texto(ws, r, 7, f.productos_evidencias, cuerpo)
        _numero(ws, r, 8, None if f.avance is None else f.avance / 100, e.cuerpo_porcentaje)
        if f.observaciones:
            _texto(ws, r, 9, f.observaciones, cuerpo)
        yield f

    # Rows written so far are known only now; an empty plan still gets its first data row.
    ultima = _FILA_ENCABEZADOS + max(len(plan.filas), 1)
    derecha = len(COLUMNAS) - 1
    _bordes(ws, e, (_PRIMERA_FILA, 0, ultima, derecha))
    ws.autofilter(_FILA_ENCABEZADOS, 0, ultima, derecha)
    columna = COLUMNAS.index("Clasificación (Por actores involucrados)")
    ws.data_validation(
        _PRIMERA_FILA,
        columna,
        ultima,
        columna,
        {
            "validate": "list",
            "source": _CLASIFICACIONES,
            "ignore_blank": True,
            "error_title": "Clasificación no válida",
            "error_message": "Elija una clasificación de la lista.",
        },
    )


def _bordes(ws: Worksheet, estilos: _Estilos, rango: tuple[int, int, int, int]) -> None:
    """Draw thin borders around every cell of `rango` with one always-true conditional format.

    A border in each cell's format would need a format for every value (see the module's
    docstring). Excel and LibreOffice both draw borders from conditional formats, and keep them
    on rows inserted within the range; the rule is written once per sheet, however many rows.
    """
    ws.conditional_format(*rango, {"type": "formula", "criteria": "TRUE", "format": estilos.bordes})


@dataclass
class _Cuenta:
    """One row of the summary sheet."""

    clave: str
    nombre: str
    asm: int = 0
    suma_avance: int = 0
    a_tiempo: int = 0
    en_riesgo: int = 0
    vencidos: int = 0
    atendido: int = 0
    no_atendido: int = 0
    no_aplica: int = 0
    sin_valoracion: int = 0

    def sumar(self, fila: FilaAnexoA) -> None:
        self.asm += 1
        # An ASM without any reported progress counts as 0 %: leaving it out would make a plan
        # where most ASM never reported look further along than it is.
        self.suma_avance += fila.avance or 0
        # The one set of numbers (bot.dominio.estado): a valued ASM is closed, counted only
        # under its valoración, never as late.
        s = situacion(fila.valoracion, fila.semaforo)
        if s is Situacion.AL_CORRIENTE:
            self.a_tiempo += 1
        elif s is Situacion.EN_RIESGO:
            self.en_riesgo += 1
        elif s is Situacion.VENCIDO:
            self.vencidos += 1
        if fila.valoracion is Valoracion.ATENDIDO:
            self.atendido += 1
        elif fila.valoracion is Valoracion.NO_ATENDIDO:
            self.no_atendido += 1
        elif fila.valoracion is Valoracion.NO_APLICA:
            self.no_aplica += 1
        else:
            self.sin_valoracion += 1

    @property
    def avance_promedio(self) -> float | None:
        """As a fraction (0.45 for 45 %), None for a plan without ASM."""
        return self.suma_avance / self.asm / 100 if self.asm else None

    def conteos(self) -> tuple[int, ...]:
        return (
            self.a_tiempo, self.en_riesgo, self.vencidos,
            self.atendido, self.no_atendido, self.no_aplica, self.sin_valoracion,
        )  # fmt: skip


class _Resumen:
    """The summary sheet, created before the plans' sheets, and the counts it will show."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        _preparar_hoja(ws, _ANCHOS_RESUMEN)
        self.cuentas: list[_Cuenta] = []
        self.total = _Cuenta("Total", "")
        self.trimestres: dict[str, None] = {}  # in order of appearance, without repeats

    def plan(self, plan: PlanAnexoA) -> _Cuenta:
        """The row of the summary that counts `plan`."""
        self.trimestres[plan.trimestre.etiqueta] = None
        cuenta = _Cuenta(plan.programa_clave, plan.programa_nombre)
        self.cuentas.append(cuenta)
        return cuenta


def _escribir_resumen(resumen: _Resumen, estilos: _Estilos, encabezado: Encabezado) -> None:
    ws, total = resumen.ws, resumen.total
    # Usually every plan is of the same quarter; if not, the header names each one.
    trimestres = ", ".join(resumen.trimestres)
    _escribir_bloque(ws, estilos, encabezado, TITULO_RESUMEN, None, trimestres, COLUMNAS_RESUMEN)
    e = estilos
    filas = [(c, e.texto, e.entero, e.porcentaje) for c in resumen.cuentas]
    filas.append((total, e.total, e.total_entero, e.total_porcentaje))
    for r, (c, texto, entero, porcentaje) in enumerate(filas, _PRIMERA_FILA):
        _texto(ws, r, 0, c.clave, texto)
        if c.nombre:
            _texto(ws, r, 1, c.nombre, texto)
        else:
            ws.write_blank(r, 1, None, texto.normal)
        ws.write_number(r, 2, c.asm, entero)
        _numero(ws, r, 3, c.avance_promedio, porcentaje)
        for i, n in enumerate(c.conteos(), 4):
            ws.write_number(r, i, n, entero)
