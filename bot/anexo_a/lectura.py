"""Read the Anexo A files that dependencias fill into `AnexoLeido`, without a database.

People fill the form in Excel as they see fit, so the reader finds things by meaning:

- A sheet holds a plan when one of its rows names at least four of the ten columns (see
  `_CAMPOS`); that row is the header. Other sheets (“Instrucciones”, catalogues) are ignored.
- Above the header, “Programa presupuestario / Fondo”, “Trimestre y año” and “Dependencia” are
  labels; their value follows a colon in the same cell, or is the next filled cell to the right,
  or the cell below.
- Rows after the header are ASM rows between the first and the last row that surely is one (a
  whole number in Núm., or an ASM with a valid classification or with three more columns filled).
  Outside that span, rows are titles, notes and signatures and are ignored. A row that starts
  with “Elaboró”, “Revisó”, “Nota”… ends the table. Blank rows, and rows with only a Núm. (a
  form numbered in advance), are skipped.
- A merged cell's value is in its top-left cell; in the table it also counts for the rows below
  it (an “Área responsable” merged over three ASM applies to the three).
- Text typed starting with “=” is kept literally: Excel or openpyxl may have stored it as a
  formula, and what the person typed is the formula's text. Núm., Fecha and % de avance are
  numbers, so a formula there is a calculation and its saved result is used.
- A cell with only dashes, underscores or dots (“-”, “____”) is empty.
- % de avance: a number in a cell with a percent format is a fraction (0.45 → 45); any other
  number or text is the percent itself (45, “45”, “45 %”). It is rounded to the nearest whole
  percent, halves up (0.455 → 46).

Every problem carries the sheet, row and column letter that Excel shows; all of them are
collected. File-level problems (not a spreadsheet, no table anywhere) have an empty `hoja`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from bot.anexo_a.modelo import COLUMNAS, AnexoLeido, FilaLeida, PlanLeido, Problema
from bot.dominio.periodos import MESES, Trimestre, formato_fecha
from bot.dominio.texto import normalizar
from bot.dominio.vocabulario import Clasificacion

# --- Columns of the table, recognized by meaning. ---

# Field names in the order of COLUMNAS, whose words name them in problems.
_CAMPOS = (
    "numero", "asm", "clasificacion", "area", "actividades",
    "fecha", "resultados", "productos", "avance", "observaciones",
)  # fmt: skip
_NOMBRES = dict(zip(_CAMPOS, COLUMNAS, strict=True))
_OBLIGATORIOS = ("numero", "asm", "clasificacion")
_MINIMO_RECONOCIDAS = 4  # fewer than this in a row is a title or a note, not the header

# Tried in this order on the normalized header text; the first match names the column. “Área
# responsable” goes last because “responsable” is the loosest word.
_ENCABEZADOS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("numero", re.compile(r"(num|numero|no|n|n°|#)\s*\.?(\s*(de\s+)?(asm|consecutivo))?")),
    ("asm", re.compile(r".*\baspectos? susceptibles?\b.*|\(?asm\)?")),
    ("clasificacion", re.compile(r"clasificacion.*")),
    ("actividades", re.compile(r"(principales )?(actividades|acciones).*")),
    ("fecha", re.compile(r".*\bfecha\b.*")),
    ("resultados", re.compile(r"resultados?.*")),
    ("productos", re.compile(r"(productos?|evidencias?)\b.*")),
    ("avance", re.compile(r".*(\bavance\b|\bporcentaje\b).*|%")),
    ("observaciones", re.compile(r"(observacion|justificacion).*")),
    ("area", re.compile(r".*\b(responsable|unidad administrativa)\b.*|areas?\b.*")),
)
_LARGO_MAXIMO_ENCABEZADO = 120  # longer cells are instructions or data, never a header

# --- Labels of the header block above the table (fullmatch on the text before any colon). ---

_ETIQUETAS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "programa",
        re.compile(r"(nombre del )?(programa presupuestario|programa|pp)( ?(/|o|y) ?fondo)?|fondo"),
    ),
    ("trimestre", re.compile(r"(trimestre|periodo)( ?(y|/|,|de) ?(ano|anio))?( que se reporta)?")),
    (
        "dependencia",
        re.compile(r"(dependencia|entidad)( ?(o|/|y) ?(entidad|dependencia))?( responsable)?"),
    ),
)

# A row whose first filled cell starts like this is a note or a signature: the table is over.
_CIERRE = re.compile(
    r"(elaboro|reviso|autorizo|aprobo|valido|vo\.? ?bo|notas?|fuente|firmas?|atentamente)\b"
)
_SOLO_RAYAS = re.compile(r"[\s_\-.–—]*")  # signature lines and “-” for “nothing”

_ACEPTADAS = "Específico, Institucional, Interinstitucional o Intergubernamental"


@dataclass(frozen=True)
class _Tabla:
    """Where a sheet's table is: its header row, first data row and the column of each field."""

    fila_encabezado: int
    primera_fila: int
    columnas: dict[str, int]


@dataclass(frozen=True)
class _Renglon:
    """One row below the header: its cells by field (merges resolved) and what they say."""

    fila: int
    celdas: dict[str, Cell]
    textos: dict[str, str]

    def tiene(self, campo: str) -> bool:
        return bool(self.textos.get(campo))

    @property
    def solo_numero(self) -> bool:
        """Nothing but Núm. (or nothing at all): a form numbered in advance, a row not used."""
        return not any(texto for campo, texto in self.textos.items() if campo != "numero")


class _Problemas:
    """Collects the problems of one sheet, located as Excel shows them."""

    def __init__(self, hoja: str, destino: list[Problema]) -> None:
        self.hoja = hoja
        self.destino = destino

    def agregar(self, fila: int | None, columna: int | None, mensaje: str) -> None:
        letra = None if columna is None else get_column_letter(columna)
        self.destino.append(Problema(self.hoja, fila, letra, mensaje))


# --- Public API. ---


def leer_anexo_a(origen: Path | BinaryIO, nombre: str = "archivo") -> AnexoLeido:
    """Read every plan of an Anexo A file and every problem in it; `nombre` names it in messages."""
    datos = origen.read_bytes() if isinstance(origen, Path) else origen.read()
    try:
        libro = load_workbook(BytesIO(datos), data_only=False)
        # The results that Excel saved for formulas, used only for Núm., Fecha and % de avance.
        calculado = load_workbook(BytesIO(datos), data_only=True)
    except Exception:  # openpyxl raises many types for a file that is not .xlsx; all mean that
        return AnexoLeido(problemas=[Problema("", None, None, _no_es_xlsx(datos, nombre))])

    leido = AnexoLeido()
    con_tabla = 0
    for hoja, valores in zip(libro.worksheets, calculado.worksheets, strict=True):
        tabla = _buscar_tabla(hoja)
        if tabla is None:
            continue
        con_tabla += 1
        plan = _leer_hoja(hoja, valores, tabla, leido.problemas)
        # A table with no rows is an unused copy of the form, not a plan.
        if plan.filas:
            leido.planes.append(plan)

    if con_tabla == 0:
        hojas = ", ".join(f"«{h.title}»" for h in libro.worksheets)
        leido.problemas.append(
            Problema(
                "",
                None,
                None,
                f"«{nombre}» no parece un Anexo A: no se encontró en ninguna hoja ({hojas}) la "
                "tabla con las columnas Núm., Aspecto Susceptible de Mejora (ASM), "
                "Clasificación (Por actores involucrados)…",
            )
        )
    elif not leido.planes and not leido.problemas:
        leido.problemas.append(
            Problema("", None, None, f"«{nombre}» tiene la tabla del Anexo A, pero ningún ASM.")
        )
    return leido


def interpretar_clasificacion(texto: str) -> Clasificacion | None:
    """`Específico`, `ASPECTOS INSTITUCIONALES`, `Inter-institucional`… → Clasificacion; else None."""
    t = re.sub(r"^aspectos?\s+", "", normalizar(texto))
    t = re.sub(r"[^a-z]", "", t)  # “inter-institucional”, “específico.”
    for forma in (t, t.removesuffix("s"), t.removesuffix("es")):
        if forma in ("especifico", "especifica"):
            return Clasificacion.ESPECIFICO
        for clasificacion in Clasificacion:
            if forma == clasificacion.value:
                return clasificacion
    return None


def interpretar_fecha(valor: object) -> date | None:
    """A date as a cell holds it: a date, an Excel serial number, or text such as `30/06/2025`,
    `2025-06-30`, `30 de junio de 2025`, `30-jun-2025`. Day before month, as in Mexico.

    None or empty text → None. Raises ValueError with a Spanish message for anything else,
    including impossible dates (`31/02/2025`).
    """
    if valor is None:
        return None
    if isinstance(valor, datetime):
        return valor.date()
    if isinstance(valor, date):
        return valor
    if isinstance(valor, (int, float)) and not isinstance(valor, bool):
        return _fecha_de_serial(valor)
    texto = _texto(valor)
    if not texto:
        return None
    t = normalizar(texto)
    if m := _FECHA_DMA.fullmatch(t):
        dia, mes, anio = int(m[1]), int(m[3]), int(m[4])
    elif m := _FECHA_ISO.fullmatch(t):
        anio, mes, dia = int(m[1]), int(m[2]), int(m[3])
    elif (m := _FECHA_TEXTO.fullmatch(t)) and (numero_mes := _mes(m[2])):
        dia, mes, anio = int(m[1]), numero_mes, int(m[3])
    else:
        raise ValueError(f"«{texto}» no es una fecha; escríbala como 30/06/2025.")
    if anio < 100:  # “30/06/25”
        anio += 2000
    if not 1 <= mes <= 12:
        raise ValueError(f"«{texto}» no es una fecha válida: no existe el mes {mes}.")
    try:
        return date(anio, mes, dia)
    except ValueError:
        raise ValueError(
            f"«{texto}» no es una fecha válida: {MESES[mes - 1]} de {anio} no tiene día {dia}."
        ) from None


def interpretar_trimestre(valor: object) -> Trimestre | None:
    """`2025T2`, `Segundo trimestre 2025`, `2do trimestre 2025`, `2° Trimestre 2025`,
    `Trimestre 2 de 2025`, `abril-junio 2025`, `T2 2025` → Trimestre(2025, 2).

    None or empty text → None; a date → its quarter. Raises ValueError otherwise.
    """
    if valor is None:
        return None
    if isinstance(valor, datetime):
        return Trimestre.de_fecha(valor.date())
    if isinstance(valor, date):
        return Trimestre.de_fecha(valor)
    texto = _texto(valor)
    if not texto:
        return None
    t = normalizar(texto)
    anios = _ANIO.findall(t)
    if len(anios) == 1:
        numeros = _numeros_de_trimestre(_ANIO.sub(" ", t))
        if len(numeros) == 1:
            return Trimestre(int(anios[0]), numeros.pop())
    raise ValueError(
        f"no se entiende el trimestre «{texto}»; escríbalo como «Segundo trimestre 2025» o 2025T2."
    )


# --- Dates and quarters. ---

_FECHA_DMA = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_FECHA_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?")
_FECHA_TEXTO = re.compile(
    r"(?:[a-z]+,?\s+)?"  # a weekday: “lunes 30 de junio de 2025”
    r"(\d{1,2})(?:\s+de\s+|\s*[-/ ]\s*)([a-z]+)\.?(?:\s+del?\s+|\s*[-/ ,]\s*)(\d{4})"
)
_NOMBRES_MES = (*((nombre, i) for i, nombre in enumerate(MESES, start=1)), ("setiembre", 9))
_ANIO = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_ORDINALES = {"primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4}
_ROMANOS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_MES = r"([a-z]+)"
_TRIMESTRE_PATRONES = (
    re.compile(r"\b(primer|primero|segundo|tercer|tercero|cuarto)\b"),
    re.compile(r"(?<!\d)([1-4])\s*(?:er|ro|do|to|o|°|a)?\.?\s*trimestre"),  # “2do trimestre”
    re.compile(r"trimestre\s*(?:no\.?|num\.?|numero)?\s*([1-4])(?!\d)"),  # “trimestre 2 de”
    re.compile(r"(?<![a-z])t\s*-?\s*([1-4])(?!\d)"),  # “T2 2025”, “2025T2”
    re.compile(r"\b(i|ii|iii|iv)\s+trimestre"),
)
_RANGO_MESES = re.compile(rf"{_MES}\s*(?:-|–|—|/|\ba\b|\bal\b)\s*{_MES}")


def _mes(palabra: str) -> int | None:
    """`junio`, `jun`, `sept`, `setiembre` → month number."""
    if len(palabra) < 3:
        return None
    for nombre, numero in _NOMBRES_MES:
        if nombre.startswith(palabra):
            return numero
    return None


def _fecha_de_serial(numero: float) -> date:
    """A number in a date column: Excel's day count, when it falls in a plausible range."""
    try:
        fecha = from_excel(numero)
    except (ValueError, OverflowError, TypeError):
        fecha = None
    if isinstance(fecha, datetime) and 2000 <= fecha.year <= 2100:
        return fecha.date()
    raise ValueError(f"«{_texto(numero)}» no es una fecha; escríbala como 30/06/2025.")


def _numeros_de_trimestre(texto: str) -> set[int]:
    """Every quarter number the words say; the caller wants exactly one."""
    numeros: set[int] = set()
    for patron in _TRIMESTRE_PATRONES:
        for encontrado in patron.findall(texto):
            palabra = str(encontrado)
            if palabra.isdigit():
                numeros.add(int(palabra))
            else:
                numeros.add(_ORDINALES.get(palabra) or _ROMANOS[palabra])
    for desde, hasta in _RANGO_MESES.findall(texto):
        inicio, fin = _mes(desde), _mes(hasta)
        if inicio and fin and inicio % 3 == 1 and fin == inicio + 2:
            numeros.add((inicio - 1) // 3 + 1)
    return numeros


# --- Finding the table and the header block. ---


def _campo_de_encabezado(valor: object) -> str | None:
    if not isinstance(valor, str) or len(valor) > _LARGO_MAXIMO_ENCABEZADO:
        return None
    t = normalizar(valor).rstrip(" :")
    for campo, patron in _ENCABEZADOS:
        if patron.fullmatch(t):
            return campo
    return None


def _reconocer(fila: tuple[object, ...], columnas: dict[str, int]) -> None:
    """Add to `columnas` the fields this row's cells name; a field keeps its first column."""
    usadas = set(columnas.values())
    for indice, valor in enumerate(fila, start=1):
        campo = _campo_de_encabezado(valor)
        if campo and campo not in columnas and indice not in usadas:
            columnas[campo] = indice
            usadas.add(indice)


def _buscar_tabla(hoja: Worksheet) -> _Tabla | None:
    """The first row that names enough columns is the header; None when no row does."""
    for numero, fila in enumerate(hoja.iter_rows(values_only=True), start=1):
        columnas: dict[str, int] = {}
        _reconocer(fila, columnas)
        if len(columnas) < _MINIMO_RECONOCIDAS:
            continue
        # Header cells merged downwards take more rows; words in those rows name more columns
        # (“Seguimiento” above “% de avance” and “Observaciones”).
        ultima = numero
        for rango in hoja.merged_cells.ranges:
            if rango.min_row == numero and rango.min_col in columnas.values():
                ultima = max(ultima, rango.max_row)
        for extra in hoja.iter_rows(min_row=numero + 1, max_row=ultima, values_only=True):
            _reconocer(extra, columnas)
        return _Tabla(numero, ultima + 1, columnas)
    return None


def _etiqueta(valor: object) -> tuple[str, str] | None:
    """`Trimestre y año: 2025T2` → ("trimestre", "2025T2"); `Trimestre y año` → ("trimestre", "")."""
    if not isinstance(valor, str):
        return None
    antes, _, despues = valor.partition(":")
    t = normalizar(antes).rstrip(" .")
    for campo, patron in _ETIQUETAS:
        if patron.fullmatch(t):
            return campo, despues.strip()
    return None


def _leer_bloque(
    hoja: Worksheet, hasta: int, problemas: _Problemas
) -> tuple[str | None, Trimestre | None, str | None]:
    """Programa, trimestre and dependencia from the rows above the table header."""
    encontrados: dict[str, tuple[object, int, int]] = {}  # field → (value, row, column)
    for fila in range(1, hasta):
        for columna in range(1, hoja.max_column + 1):
            etiqueta = _etiqueta(hoja.cell(fila, columna).value)
            if etiqueta is None or etiqueta[0] in encontrados:
                continue
            campo, despues = etiqueta
            ubicado: tuple[object, int, int] | None = (
                (despues, fila, columna)
                if despues
                else _valor_de_etiqueta(hoja, fila, columna, hasta)
            )
            if ubicado is not None:
                encontrados[campo] = ubicado

    programa = _texto(encontrados["programa"][0]) if "programa" in encontrados else None
    dependencia = _texto(encontrados["dependencia"][0]) if "dependencia" in encontrados else None
    trimestre = None
    if "trimestre" in encontrados:
        valor, fila_t, columna_t = encontrados["trimestre"]
        try:
            trimestre = interpretar_trimestre(valor)
        except ValueError as error:
            problemas.agregar(fila_t, columna_t, str(error))
    return programa or None, trimestre, dependencia or None


def _valor_de_etiqueta(
    hoja: Worksheet, fila: int, columna: int, hasta: int
) -> tuple[object, int, int] | None:
    """The value of a label without a colon: the next filled cell to its right, else below it."""
    for derecha in range(columna + 1, hoja.max_column + 1):
        valor = hoja.cell(fila, derecha).value
        if _texto(valor):
            if _etiqueta(valor):  # labels side by side, values in the row below
                break
            return valor, fila, derecha
    if fila + 1 < hasta:
        valor = hoja.cell(fila + 1, columna).value
        if _texto(valor) and not _etiqueta(valor):
            return valor, fila + 1, columna
    return None


# --- Reading the rows. ---


def _origenes_de_combinadas(hoja: Worksheet) -> dict[tuple[int, int], tuple[int, int]]:
    """For cells under the top of a merged range, in its first column: where their value is.

    Only downwards: a value merged across columns belongs to its first column alone, or an ASM
    merged over two columns would also be read as the classification.
    """
    origen: dict[tuple[int, int], tuple[int, int]] = {}
    for rango in hoja.merged_cells.ranges:
        for fila in range(rango.min_row + 1, rango.max_row + 1):
            origen[(fila, rango.min_col)] = (rango.min_row, rango.min_col)
    return origen


def _renglones(hoja: Worksheet, tabla: _Tabla) -> Iterator[_Renglon]:
    """Rows below the header, up to a note or signature row."""
    origenes = _origenes_de_combinadas(hoja)
    for fila in range(tabla.primera_fila, hoja.max_row + 1):
        celdas: dict[str, Cell] = {}
        for campo, columna in tabla.columnas.items():
            celda = hoja.cell(*origenes.get((fila, columna), (fila, columna)))
            if isinstance(celda, Cell):  # the rest of a merge across columns is empty
                celdas[campo] = celda
        renglon = _Renglon(fila, celdas, {c: _texto(celda.value) for c, celda in celdas.items()})
        if not _numero_seguro(renglon) and _es_cierre(hoja, fila):
            return
        yield renglon


def _es_cierre(hoja: Worksheet, fila: int) -> bool:
    for valor in next(hoja.iter_rows(min_row=fila, max_row=fila, values_only=True)):
        texto = _texto(valor)
        if texto:
            return _CIERRE.match(normalizar(texto)) is not None
    return False


def _numero_seguro(renglon: _Renglon) -> bool:
    try:
        return _interpretar_numero(renglon.celdas["numero"].value) is not None
    except (KeyError, ValueError):
        return False


def _es_asm_seguro(renglon: _Renglon) -> bool:
    """Surely an ASM row, even outside the table's span (where notes and signatures are)."""
    if renglon.solo_numero:
        return False
    if _numero_seguro(renglon):
        return True
    if not renglon.tiene("asm"):
        return False
    if interpretar_clasificacion(renglon.textos.get("clasificacion", "")) is not None:
        return True
    otros = [c for c in _CAMPOS if c not in _OBLIGATORIOS and renglon.tiene(c)]
    return len(otros) >= 3


def _leer_hoja(
    hoja: Worksheet, calculado: Worksheet, tabla: _Tabla, destino: list[Problema]
) -> PlanLeido:
    problemas = _Problemas(hoja.title, destino)
    programa, trimestre, dependencia = _leer_bloque(hoja, tabla.fila_encabezado, problemas)
    plan = PlanLeido(hoja.title, programa, trimestre, dependencia)
    plan.columnas = {campo: get_column_letter(i) for campo, i in tabla.columnas.items()}

    faltan = [c for c in _OBLIGATORIOS if c not in tabla.columnas]
    for campo in faltan:
        problemas.agregar(
            tabla.fila_encabezado, None, f"falta la columna «{_NOMBRES[campo]}» en los encabezados."
        )
    if faltan:
        return plan

    renglones = list(_renglones(hoja, tabla))
    seguros = [i for i, r in enumerate(renglones) if _es_asm_seguro(r)]
    if not seguros:
        return plan
    dentro = renglones[seguros[0] : seguros[-1] + 1]

    # Without any Núm. the rows are numbered in order; with some, each must have its own.
    numerar = not any(r.tiene("numero") for r in dentro)
    vistos: dict[int, int] = {}  # Núm. → row where it first appeared
    posicion = 0
    for renglon in dentro:
        if renglon.solo_numero:
            continue
        if not (renglon.tiene("numero") or renglon.tiene("asm")):
            if any(renglon.textos.values()):  # text continued from the row above, usually
                problemas.agregar(
                    renglon.fila,
                    tabla.columnas["asm"],
                    "la fila tiene datos pero no tiene Núm. ni ASM; "
                    "escriba cada ASM en una sola fila.",
                )
            continue
        posicion += 1
        numero = posicion if numerar else None
        fila = _leer_renglon(renglon, numero, vistos, calculado, tabla, problemas)
        if fila is not None:
            plan.filas.append(fila)
    return plan


def _leer_renglon(
    renglon: _Renglon,
    numero_dado: int | None,
    vistos: dict[int, int],
    calculado: Worksheet,
    tabla: _Tabla,
    problemas: _Problemas,
) -> FilaLeida | None:
    """One ASM row; None when it has a problem (each one is reported).

    `numero_dado` is its Núm. when the file has none; `vistos` maps each Núm. read so far to
    its row, to find repeated ones.
    """
    hay_problema = False

    def reportar(campo: str, mensaje: str) -> None:
        nonlocal hay_problema
        hay_problema = True
        problemas.agregar(renglon.fila, tabla.columnas[campo], mensaje)

    def texto(campo: str) -> str:
        return renglon.textos.get(campo, "")

    def calcular(campo: str) -> object:
        """The cell's value; for a formula, the result Excel saved (never the formula text)."""
        celda = renglon.celdas.get(campo)
        if celda is None:
            return None
        if celda.data_type != "f":
            return celda.value
        resultado = calculado.cell(celda.row, celda.column).value
        if resultado is None:
            raise ValueError(
                f"la celda tiene la fórmula «{_texto(celda.value)}» sin resultado guardado; "
                "escriba el valor."
            )
        return resultado

    numero = numero_dado
    if numero is None:
        try:
            numero = _interpretar_numero(calcular("numero"))
            if numero is None:
                reportar("numero", "falta el Núm. del ASM.")
        except ValueError as error:
            reportar("numero", str(error))
    if numero is not None and numero in vistos:
        reportar("numero", _repetido(renglon, numero, vistos[numero]))
    elif numero is not None:
        vistos[numero] = renglon.fila

    if not texto("asm"):
        reportar("asm", f"falta el «{_NOMBRES['asm']}».")

    clasificacion = interpretar_clasificacion(texto("clasificacion"))
    if clasificacion is None:
        if texto("clasificacion"):
            reportar(
                "clasificacion",
                f"la clasificación «{texto('clasificacion')}» no es válida; escriba {_ACEPTADAS}.",
            )
        else:
            reportar("clasificacion", f"falta la clasificación; escriba {_ACEPTADAS}.")

    fecha = None
    try:
        fecha = interpretar_fecha(calcular("fecha"))
    except ValueError as error:
        reportar("fecha", str(error))

    avance = None
    try:
        celda = renglon.celdas.get("avance")
        fraccion = celda is not None and "%" in str(celda.number_format)
        avance = _interpretar_avance(calcular("avance"), fraccion)
    except ValueError as error:
        reportar("avance", str(error))

    if hay_problema or numero is None or clasificacion is None:
        return None
    return FilaLeida(
        fila=renglon.fila,
        numero=numero,
        asm=texto("asm"),
        clasificacion=clasificacion,
        area_responsable=texto("area"),
        actividades=texto("actividades"),
        fecha_termino=fecha,
        resultados_esperados=texto("resultados"),
        productos_evidencias=texto("productos"),
        avance=avance,
        observaciones=texto("observaciones"),
    )


def _repetido(renglon: _Renglon, numero: int, anterior: int) -> str:
    # One ASM spread over several rows, with its Núm. merged over them, is a usual habit.
    if renglon.celdas["numero"].row != renglon.fila:
        return (
            f"la celda del Núm. {numero} está combinada con la de la fila {anterior}; "
            "escriba cada ASM en una sola fila."
        )
    return f"el Núm. {numero} se repite (ya está en la fila {anterior})."


# --- Cell values. ---

_NUMERO_TEXTO = re.compile(r"(\d+)(?:\.0*)?")  # “1”, “1.”, “1.0”
_PORCENTAJE_TEXTO = re.compile(r"(-?\d+(?:[.,]\d+)?)\s*%?")


def _texto(valor: object) -> str:
    """A cell as text: stripped, numbers without “.0”, dates as 30/06/2025; lines alone → ""."""
    if valor is None:
        return ""
    if isinstance(valor, ArrayFormula):
        valor = valor.text or ""
    if isinstance(valor, datetime):
        return formato_fecha(valor.date())
    if isinstance(valor, date):
        return formato_fecha(valor)
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    texto = str(valor).strip()
    return "" if _SOLO_RAYAS.fullmatch(texto) else texto


def _interpretar_numero(valor: object) -> int | None:
    """Núm.: 1, 1.0, “1”, “1.” → 1; empty → None; anything else raises ValueError."""
    numero: int | None = None
    if isinstance(valor, int) and not isinstance(valor, bool):
        numero = valor
    elif isinstance(valor, float) and valor.is_integer():
        numero = int(valor)
    elif isinstance(valor, str) and (m := _NUMERO_TEXTO.fullmatch(valor.strip())):
        numero = int(m[1])
    elif not _texto(valor):
        return None
    if numero is None or numero < 1:
        raise ValueError(f"el Núm. «{_texto(valor)}» no es un número entero mayor que cero.")
    return numero


def _interpretar_avance(valor: object, fraccion: bool) -> int | None:
    """% de avance as a whole percent; `fraccion` when the cell has a percent number format."""
    if isinstance(valor, (int, float)) and not isinstance(valor, bool):
        porcentaje = float(valor) * 100 if fraccion else float(valor)
    else:
        texto = _texto(valor)
        if not texto:
            return None
        m = _PORCENTAJE_TEXTO.fullmatch(texto)
        if not m:
            raise ValueError(f"«{texto}» no es un % de avance; escriba un número de 0 a 100.")
        porcentaje = float(m[1].replace(",", "."))
    entero = math.floor(porcentaje + 0.5)  # halves up, unlike round()
    if not 0 <= entero <= 100:
        raise ValueError(f"el % de avance {entero} está fuera de rango (0 a 100).")
    return entero


def _no_es_xlsx(datos: bytes, nombre: str) -> str:
    if datos.startswith(b"\xd0\xcf\x11\xe0"):  # OLE: Excel 97–2003, or a password-protected file
        return (
            f"«{nombre}» está en el formato antiguo de Excel (.xls) o tiene contraseña; "
            "ábralo en Excel, guárdelo como .xlsx sin contraseña y envíelo de nuevo."
        )
    return f"«{nombre}» no es un archivo de Excel (.xlsx) válido; guárdelo como .xlsx y envíelo de nuevo."


__all__ = [
    "interpretar_clasificacion",
    "interpretar_fecha",
    "interpretar_trimestre",
    "leer_anexo_a",
]
