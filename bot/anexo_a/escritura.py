"""Writes Anexo A files: one sheet per Pp or fondo, optionally after a summary sheet.

The workbook is written in openpyxl's write-only mode so that memory stays flat however many ASM
there are: rows are streamed to temporary files and no cell outlives its row. That mode fixes an
order: column widths, frozen panes and sheet properties must be set before the first row, while
merges, filters, validations and page setup may be set until the workbook is saved.

Speed. openpyxl writes a plain `str` or number straight from the value, but every cell object
costs more: `_values_to_row` first tries it as a value and catches the ValueError, then the cell's
style is looked up again. Styling every body cell made this writer ~1.4-1.5 times slower than
bare openpyxl (the target is 1.3), so the ASM table is written mostly without cell objects:

- typed text is a plain `str` whenever openpyxl would keep it as text anyway; the rest (control
  characters, error codes like #N/A, = + - @ at the start) still gets a text cell, quoted
  for = + - @ (see `_Columna.texto`);
- wrapped, top-aligned text comes from the workbook's default format, which every cell without
  a style of its own uses (see `_formato_por_omision`);
- the table's borders are one conditional format over the table (see `_bordes`);
- only the number, date and % columns, which need their alignment or number format, still take
  styled cells. That puts the writer at ~1.1-1.2 times bare openpyxl (`bench/anexo.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

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

# Rows of the header block; the table header follows a blank row.
_FILA_PROGRAMA = 4
_FILA_ENCABEZADOS = 7
_PRIMERA_FILA = _FILA_ENCABEZADOS + 1

_CADA_CUANTAS_FILAS = 500  # how often `progreso` hears about written rows

# Excel forbids these in sheet titles, and caps titles at 31 characters.
_NO_VALIDO_EN_HOJA = re.compile(r"[\[\]:*?/\\]")
_LARGO_HOJA = 31
# Excel reserves “History” (case-insensitively) for its change tracking.
_HOJAS_RESERVADAS = ("history",)

# Leading characters that make Excel or LibreOffice read typed text as a formula.
_INICIO_DE_FORMULA = ("=", "+", "-", "@")

# Sheets are really WriteOnlyWorksheet, which sets up the same print, filter, merge and validation
# attributes as Worksheet (openpyxl copies `Worksheet._setup`), though its type stubs omit them.
_Hoja = Worksheet

_LISTA_CLASIFICACION = '"' + ",".join(c.etiqueta for c in Clasificacion) + '"'

_DELGADA = Side(style="thin", color="808080")
_BORDE = Border(left=_DELGADA, right=_DELGADA, top=_DELGADA, bottom=_DELGADA)
# The default cell format: what the ASM table's text gets without a style of its own.
_ALINEACION_POR_OMISION = Alignment(vertical="top", wrap_text=True)


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
    database as the file is written (`bot.servicios.consultas.planes_anexo_en_flujo`).

    `progreso(n)` hears how many ASM rows were written since its last call, every few hundred rows
    and once at the end, so that the calls add up to the number of rows.
    """
    wb = Workbook(write_only=True)
    _formato_por_omision(wb, _ALINEACION_POR_OMISION)
    estilos = _Estilos(wb)
    usados = {h.lower() for h in _HOJAS_RESERVADAS}
    resumen: _Resumen | None = None
    if consolidado:
        # The summary sheet comes first but counts every plan: it is created now and its rows
        # are written last (each sheet of a write-only workbook is a file of its own).
        usados.add(HOJA_RESUMEN.lower())
        resumen = _Resumen(wb, wb.create_sheet(HOJA_RESUMEN), estilos)

    planes_escritos = 0
    pendientes = 0
    for plan in planes:
        planes_escritos += 1
        ws = wb.create_sheet(_titulo_de_hoja(plan.programa_clave, usados))
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

    wb.save(destino)


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


def _formato_por_omision(wb: Workbook, alineacion: Alignment) -> None:
    """Give the workbook's default format `alineacion`: the format of every cell without a style.

    Plain values appended to a sheet get no style, so this spares a styled cell per text value.
    Excel and openpyxl show such cells with the first cell format (xf 0), LibreOffice with the
    “Normal” cell style: both are changed, as Excel does when a person edits “Normal”.

    openpyxl has no public API for either. It keeps xf 0 as `wb._cell_styles[0]` and writes an
    alignment only for a non-zero `alignmentId` (so replacing `wb._alignments[0]` does nothing).
    `test_texto_sin_estilo_usa_el_formato_por_omision` reads a file back, so that an openpyxl
    that works otherwise fails loudly. Must run before any cell style is used.
    """
    privado: Any = wb  # openpyxl's type stubs leave out its private attributes
    assert len(privado._cell_styles) == 1, "xf 0 must be replaced before any cell style is used"
    normal = privado._named_styles["Normal"]
    normal.alignment = alineacion  # recomputes its style array
    privado._cell_styles = IndexedList([StyleArray(normal.as_tuple())])


class _Estilos:
    """Every style the file uses, registered once per workbook as named styles.

    Cells take a ready style array (`Cell(style_array=...)`): assigning Font, Alignment or Border
    objects to each cell would hash those objects again for every cell.
    """

    def __init__(self, wb: Workbook) -> None:
        def registrar(nombre: str, **atributos: Any) -> StyleArray:
            estilo = NamedStyle(name=f"Anexo A {nombre}", **atributos)
            wb.add_named_style(estilo)
            return estilo.as_tuple()

        borde = _BORDE
        arriba = Alignment(vertical="top", wrap_text=True)
        centrado = Alignment(horizontal="center", vertical="top", wrap_text=True)
        # Fonts name the default face and size: a bare Font() is written as an empty <font/>.
        normal = Font(name="Calibri", size=11)
        negrita = Font(name="Calibri", size=11, bold=True)

        self.municipio = registrar(
            "municipio",
            font=Font(name="Calibri", size=12, bold=True),
            alignment=Alignment(horizontal="center"),
        )
        self.titulo = registrar(
            "título",
            font=Font(name="Calibri", size=14, bold=True),
            alignment=Alignment(horizontal="center"),
        )
        self.etiqueta = registrar("etiqueta", font=negrita)
        self.dato = registrar("dato", font=normal, alignment=Alignment(horizontal="left"))
        self.encabezado = registrar(
            "encabezado",
            font=negrita,
            fill=PatternFill(fill_type="solid", start_color="D9E1F2", end_color="D9E1F2"),
            border=borde,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
        self.texto = registrar("texto", font=normal, border=borde, alignment=arriba)
        self.entero = registrar("entero", font=normal, border=borde, alignment=centrado)
        self.porcentaje = registrar(
            "porcentaje", font=normal, border=borde, alignment=centrado, number_format="0%"
        )
        # The ASM table's cells go without borders, which `_bordes` draws over the whole table.
        self.cuerpo_texto = registrar("cuerpo texto", font=normal, alignment=arriba)
        self.cuerpo_entero = registrar("cuerpo entero", font=normal, alignment=centrado)
        self.cuerpo_fecha = registrar(
            "cuerpo fecha", font=normal, alignment=centrado, number_format="dd/mm/yyyy"
        )
        self.cuerpo_porcentaje = registrar(
            "cuerpo porcentaje", font=normal, alignment=centrado, number_format="0%"
        )
        self.total = registrar("total", font=negrita, border=borde, alignment=arriba)
        self.total_entero = registrar(
            "total entero", font=negrita, border=borde, alignment=centrado
        )
        self.total_porcentaje = registrar(
            "total porcentaje", font=negrita, border=borde, alignment=centrado, number_format="0%"
        )


def _texto(ws: _Hoja, valor: str, estilo: StyleArray) -> Cell:
    """A one-off text cell; rows of ASM reuse theirs (see `_Columna`)."""
    return _Columna(ws, estilo).texto(valor)


def _celda(ws: _Hoja, valor: int | float | str | None, estilo: StyleArray) -> Cell:
    """A one-off cell for a value the program computed, never for typed text."""
    return Cell(ws, 1, 1, value=valor, style_array=estilo)


class _Columna:
    """The cell of one table column, reused for every row.

    Write-only mode serializes a row during `append`, so its cells are free again once it
    returns; reusing them saves building a cell and copying its style for every value.
    """

    def __init__(self, ws: _Hoja, estilo: StyleArray) -> None:
        self._celda = Cell(ws, 1, 1, style_array=estilo)
        # Typed text that looks like a formula also gets the quote prefix, so that editors keep
        # it as text when someone edits the cell.
        citado = StyleArray(estilo)
        citado.quotePrefix = 1
        self._citada = Cell(ws, 1, 1, style_array=citado)

    def valor(self, valor: int | float | str | date | None) -> Cell:
        """For values the program computed (numbers, dates, fixed words)."""
        self._celda.value = valor
        return self._celda

    def texto(self, valor: str) -> Cell:
        """For text a person typed: always a text cell, never a formula nor an error code."""
        valor = ILLEGAL_CHARACTERS_RE.sub("", valor)  # control characters that XML cannot hold
        celda = self._citada if valor.startswith(_INICIO_DE_FORMULA) else self._celda
        celda.value = valor
        # openpyxl turns "=…" into a formula and "#N/A" into an error while binding the value,
        # so the type is forced back to text afterwards (setting it before has no effect).
        celda.data_type = "s"
        return celda

    def texto_simple(self, valor: str) -> str | Cell:
        """Like `texto`, but a plain `str` when openpyxl would keep it as text anyway.

        A plain value costs less to write than a cell, and shows in the default format.
        """
        if (
            valor.startswith(_INICIO_DE_FORMULA)
            or valor in ERROR_CODES
            or ILLEGAL_CHARACTERS_RE.search(valor)
        ):
            return self.texto(valor)
        return valor


def _preparar_hoja(ws: _Hoja, anchos: Sequence[int], *, fila_titulos: int) -> None:
    """What write-only mode needs before the first row: widths, panes, page properties."""
    for i, ancho in enumerate(anchos, 1):
        columna = ws.column_dimensions[get_column_letter(i)]
        columna.width = ancho
        # openpyxl writes a style for every column it sizes, a plain (unwrapped) one unless told:
        # this makes it the default format, so that what people type in the column wraps too.
        columna.alignment = _ALINEACION_POR_OMISION
    ws.freeze_panes = f"A{fila_titulos + 1}"
    assert ws.sheet_properties.pageSetUpPr is not None  # always set by openpyxl
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.print_title_rows = f"{fila_titulos}:{fila_titulos}"


def _escribir_bloque(
    ws: _Hoja,
    estilos: _Estilos,
    encabezado: Encabezado,
    titulo: str,
    programa: str | None,
    trimestre: str,
    columnas: Sequence[str],
) -> None:
    """The header block above the table, then a blank row and the column headers."""
    ultima = get_column_letter(len(columnas))
    e = estilos
    # Merges are kept by the write-only sheet and written when the workbook is saved.
    ws.append([_texto(ws, encabezado.municipio, e.municipio)])
    ws.append([_texto(ws, encabezado.instituto, e.municipio)])
    ws.append([_texto(ws, titulo, e.titulo)])
    for fila in (1, 2, 3):
        ws.merged_cells.add(f"A{fila}:{ultima}{fila}")
    etiquetas = [("Trimestre y año:", trimestre)]
    if programa is not None:
        etiquetas.insert(0, ("Programa presupuestario / Fondo:", programa))
    for fila, (etiqueta, valor) in enumerate(etiquetas, _FILA_PROGRAMA):
        # The label spans A:B because column A (Núm.) is narrow; the value spans the rest.
        ws.append([_texto(ws, etiqueta, e.etiqueta), None, _texto(ws, valor, e.dato)])
        ws.merged_cells.add(f"A{fila}:B{fila}")
        ws.merged_cells.add(f"C{fila}:{ultima}{fila}")
    # Blank rows up to the table header, which is on the same row in every sheet.
    for _ in range(_FILA_PROGRAMA + len(etiquetas), _FILA_ENCABEZADOS):
        ws.append([])
    ws.append([_texto(ws, c, e.encabezado) for c in columnas])


def _altura(ws: _Hoja, fila: int, textos: Iterable[tuple[str, int]]) -> None:
    """Sets the height a row of wrapped text needs, when it needs more than one line.

    Excel fits rows to wrapped text when it opens a file, LibreOffice does not (and neither
    prints them): without a height each row would print as one line of overlapping text. The
    estimate counts about one character per unit of column width, 15 points per line.

    The write-only writer reads a row's attributes from `row_dimensions` as a plain mapping when
    it writes the row; a dict of XML attributes is much cheaper than a RowDimension per row, and
    `_soltar_altura` drops it once the row is written so memory stays flat. A test reads the
    heights back, so an openpyxl change here fails loudly.
    """
    lineas = 1
    for texto, ancho in textos:
        if len(texto) > ancho or "\n" in texto:  # most cells fit on one line: skip the work
            n = sum(-(-len(parrafo) // ancho) or 1 for parrafo in texto.split("\n"))
            lineas = max(lineas, n)
    if lineas > 1:
        alto = min(409, 15 * lineas + 3)  # 409 points: Excel's maximum
        ws.row_dimensions[fila] = {"ht": str(alto)}  # type: ignore[assignment]


def _soltar_altura(ws: _Hoja, fila: int) -> None:
    ws.row_dimensions.pop(fila, None)


def _escribir_plan(
    ws: _Hoja, estilos: _Estilos, encabezado: Encabezado, plan: PlanAnexoA
) -> Iterator[FilaAnexoA]:
    """Write one plan's sheet, yielding each ASM once written (for progress and the summary)."""
    _preparar_hoja(ws, _ANCHOS, fila_titulos=_FILA_ENCABEZADOS)
    _altura(ws, _FILA_ENCABEZADOS, list(zip(COLUMNAS, _ANCHOS, strict=True)))
    _escribir_bloque(
        ws, estilos, encabezado, TITULO, plan.programa, plan.trimestre.etiqueta, COLUMNAS
    )
    e = estilos
    numero = _Columna(ws, e.cuerpo_entero)
    asm, area, actividades, resultados, productos, observaciones = (
        _Columna(ws, e.cuerpo_texto) for _ in range(6)
    )
    fecha = _Columna(ws, e.cuerpo_fecha)
    avance = _Columna(ws, e.cuerpo_porcentaje)
    for i, f in enumerate(plan.filas):
        textos = (f.asm, f.area_responsable, f.actividades, f.resultados_esperados,
                  f.productos_evidencias, f.observaciones)  # fmt: skip
        _altura(ws, _PRIMERA_FILA + i, zip(textos, _ANCHOS_TEXTO, strict=True))
        ws.append(
            [
                numero.valor(f.numero),
                asm.texto_simple(f.asm),
                f.clasificacion.etiqueta,  # one of a few fixed words
                area.texto_simple(f.area_responsable),
                actividades.texto_simple(f.actividades),
                fecha.valor(f.fecha_termino),
                resultados.texto_simple(f.resultados_esperados),
                productos.texto_simple(f.productos_evidencias),
                avance.valor(None if f.avance is None else f.avance / 100),
                observaciones.texto_simple(f.observaciones),
            ]
        )
        _soltar_altura(ws, _PRIMERA_FILA + i)
        yield f

    # Rows written so far are known only now; an empty plan still gets its first data row.
    ultima = _FILA_ENCABEZADOS + max(len(plan.filas), 1)
    _bordes(ws, f"A{_PRIMERA_FILA}:{get_column_letter(len(COLUMNAS))}{ultima}")
    ws.auto_filter.ref = f"A{_FILA_ENCABEZADOS}:{get_column_letter(len(COLUMNAS))}{ultima}"
    lista = DataValidation(
        type="list",
        formula1=_LISTA_CLASIFICACION,
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Clasificación no válida",
        error="Elija una clasificación de la lista.",
    )
    columna = get_column_letter(COLUMNAS.index("Clasificación (Por actores involucrados)") + 1)
    lista.add(f"{columna}{_PRIMERA_FILA}:{columna}{ultima}")
    ws.data_validations.append(lista)


def _bordes(ws: _Hoja, rango: str) -> None:
    """Draw thin borders around every cell of `rango` with one always-true conditional format.

    A border in each cell's style would need a styled cell for every value (see the module's
    docstring). Excel and LibreOffice both draw borders from conditional formats, and keep them
    on rows inserted within the range; the rule is written once per sheet, however many rows.
    """
    siempre = Rule(type="expression", formula=["TRUE"], dxf=DifferentialStyle(border=_BORDE))
    ws.conditional_formatting.add(rango, siempre)


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
    """The summary sheet, prepared before the plans' sheets, and the counts it will show."""

    def __init__(self, wb: Workbook, ws: _Hoja, estilos: _Estilos) -> None:
        self.ws = ws
        _preparar_hoja(ws, _ANCHOS_RESUMEN, fila_titulos=_FILA_ENCABEZADOS)
        self.cuentas: list[_Cuenta] = []
        self.total = _Cuenta("Total", "")
        self.trimestres: dict[str, None] = {}  # in order of appearance, without repeats
        self._wb = wb
        self._estilos = estilos

    def plan(self, plan: PlanAnexoA) -> _Cuenta:
        """The row of the summary that counts `plan`."""
        if not self.cuentas:
            self._numerar_estilos()
        self.trimestres[plan.trimestre.etiqueta] = None
        cuenta = _Cuenta(plan.programa_clave, plan.programa_nombre)
        self.cuentas.append(cuenta)
        return cuenta

    def _numerar_estilos(self) -> None:
        """Number the summary's cell formats first, as if its rows came before the plans'.

        openpyxl numbers cell formats in the order cells first use them; without this, writing
        the summary last would renumber every format of the file (the same look, other bytes).
        """
        e = self._estilos
        privado: Any = self._wb  # see `_formato_por_omision`
        for estilo in (
            e.municipio, e.titulo, e.etiqueta, e.dato, e.encabezado,
            e.texto, e.entero, e.porcentaje, e.total, e.total_entero, e.total_porcentaje,
        ):  # fmt: skip
            privado._cell_styles.add(estilo)


def _escribir_resumen(resumen: _Resumen, estilos: _Estilos, encabezado: Encabezado) -> None:
    ws, total = resumen.ws, resumen.total
    # Usually every plan is of the same quarter; if not, the header names each one.
    trimestres = ", ".join(resumen.trimestres)
    _escribir_bloque(ws, estilos, encabezado, TITULO_RESUMEN, None, trimestres, COLUMNAS_RESUMEN)
    e = estilos
    for c in resumen.cuentas:
        ws.append(
            [
                _texto(ws, c.clave, e.texto),
                _texto(ws, c.nombre, e.texto),
                _celda(ws, c.asm, e.entero),
                _celda(ws, c.avance_promedio, e.porcentaje),
                *(_celda(ws, n, e.entero) for n in c.conteos()),
            ]
        )
    ws.append(
        [
            _celda(ws, "Total", e.total),
            _celda(ws, None, e.total),
            _celda(ws, total.asm, e.total_entero),
            _celda(ws, total.avance_promedio, e.total_porcentaje),
            *(_celda(ws, n, e.total_entero) for n in total.conteos()),
        ]
    )
