"""Read the Anexo A files that dependencias fill into `AnexoLeido`, without a database.

Any format `bot.anexo_a.crudo` reads (.xlsx, .xlsm, .xls, .ods, .csv) becomes plain grids first;
from there the reader finds things by meaning:

- A sheet holds a plan when one of its rows names at least four of the ten columns (see
  `_CAMPOS`); that row is the header. Other sheets (“Instrucciones”, catalogues) are ignored.
  Núm., ASM, Clasificación and % de avance must be among its columns (the % may be empty).
- Above the header, “Programa presupuestario / Fondo”, “Trimestre y año”, “Año” / “Ejercicio
  fiscal” and “Dependencia” are labels; their value follows a colon in the same cell, or is the
  next filled cell to the right, or the cell below. Without a Pp in the header, a sheet named
  like one («E003», «E003 Seguridad») names it.
- Rows after the header are ASM rows between the first and the last row that surely is one (a
  whole number in Núm., or an ASM with a valid classification or with three more columns filled).
  Outside that span, rows are titles, notes and signatures. A row that starts with “Elaboró”,
  “Revisó”, “Nota”… ends the table. Repeated headers, the a)–j) letters row, page footers
  (“Hoja 1 de 2”) and totals or averages are skipped and listed in `PlanLeido.omitidas`.
- One ASM may take several rows: the rows below it without their own Núm. and ASM (left blank,
  or merged with the ASM's cells) hold more of its activities, each with its own fecha and
  product. They become one ASM whose activities are the lines of Actividades and whose fecha de
  término is the latest.
- A merged cell's value is in its top-left cell; in the table it also counts for the rows below
  it (an “Área responsable” merged over three ASM applies to the three).
- Text typed starting with “=” is kept literally: Excel or openpyxl may have stored it as a
  formula, and what the person typed is the formula's text. Núm., Fecha and % de avance are
  numbers, so a formula there is a calculation and its saved result is used.
- A cell with only dashes, underscores or dots (“-”, “____”) is empty.
- % de avance: a number in a cell with a percent format is a fraction (0.45 → 45); so are the
  numbers of a column whose numbers all lie between 0 and 1 with one strictly between (exports
  of Google Sheets lose the format); any other number or text is the percent itself (45, “45”,
  “45 %”). It is rounded to the nearest whole percent, halves up (0.455 → 46). “N/A” or “-” is
  an empty % with a warning.
- Fecha de término: a month alone (“junio 2025”) or a period (“1er semestre 2025”) is its last
  day, with a warning naming the cell.

Every problem carries the sheet, row and column letter that Excel shows; all of them are
collected. File-level problems (not a spreadsheet, no table anywhere) have an empty `hoja`.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.formula import ArrayFormula

from bot.anexo_a.crudo import ArchivoIlegible, HojaCruda, leer_hojas
from bot.anexo_a.modelo import (
    COLUMNAS,
    Actividad,
    AnexoLeido,
    FilaLeida,
    Omitida,
    PlanLeido,
    Problema,
)
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
    ("anio", re.compile(r"(ano|anio|ejercicio( fiscal)?)( que se reporta)?")),
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
_PIE_DE_PAGINA = re.compile(r"(hoja|pagina|pag\.?)\s*\d+\s*(de|/)\s*\d+")
_LETRA_DE_COLUMNA = re.compile(r"\(?[a-j]\)?\.?")
_TOTALES = re.compile(r"(total(es)?|promedio|suma|avance (general|promedio|total))\b.*")
_NO_APLICA = re.compile(r"n/?a|no aplica|[-–—]+")
# A sheet named like a Pp or fondo: «E003», «Pp E003», «E003 Seguridad», «FORTAMUN-DF».
_PP_EN_HOJA = re.compile(r"(?:pp\.?\s*)?([A-Z]\d{3}\b.*|(FISM|FORTAMUN|FORTASEG)\b.*)", re.I)

_ACEPTADAS = "Específico, Institucional, Interinstitucional o Intergubernamental"


@dataclass(frozen=True)
class _Tabla:
    """Where a sheet's table is: its header row, first data row and the column of each field."""

    fila_encabezado: int
    primera_fila: int
    columnas: dict[str, int]


@dataclass(frozen=True)
class _Renglon:
    """One row below the header: its values by field (merges resolved) and what they say.

    `origen` is the (row, column) a value came from: another row's for a merged cell.
    """

    fila: int
    valores: dict[str, object]
    textos: dict[str, str]
    origen: dict[str, tuple[int, int]]

    def tiene(self, campo: str) -> bool:
        return bool(self.textos.get(campo))

    def propio(self, campo: str) -> bool:
        """The row has its own value for `campo` (not one merged down from a row above)."""
        return self.tiene(campo) and self.origen[campo][0] == self.fila

    @property
    def solo_numero(self) -> bool:
        """Nothing but Núm. (or nothing at all): a form numbered in advance, a row not used."""
        return not any(texto for campo, texto in self.textos.items() if campo != "numero")


class _Problemas:
    """Collects the problems (and warnings) of one sheet, located as Excel shows them."""

    def __init__(self, hoja: str, destino: list[Problema], avisos: list[Problema]) -> None:
        self.hoja = hoja
        self.destino = destino
        self.avisos = avisos

    def agregar(self, fila: int | None, columna: int | None, mensaje: str) -> None:
        letra = None if columna is None else get_column_letter(columna)
        self.destino.append(Problema(self.hoja, fila, letra, mensaje))

    def advertir(self, fila: int, columna: int, mensaje: str) -> None:
        self.avisos.append(Problema(self.hoja, fila, get_column_letter(columna), mensaje))


# --- Public API. ---


def leer_anexo_a(origen: Path | BinaryIO | bytes, nombre: str = "archivo") -> AnexoLeido:
    """Read every plan of an Anexo A file and every problem in it; `nombre` names it in messages.

    This parses in the calling process: files from people go through `bot.anexo_a.aislado`.
    """
    if isinstance(origen, bytes):
        datos = origen
    else:
        datos = origen.read_bytes() if isinstance(origen, Path) else origen.read()
    try:
        hojas = leer_hojas(datos, nombre)
    except ArchivoIlegible as e:
        return AnexoLeido(problemas=[Problema("", None, None, str(e))])
    return leer_hojas_crudas(hojas, nombre)


def leer_hojas_crudas(hojas: list[HojaCruda], nombre: str) -> AnexoLeido:
    leido = AnexoLeido()
    con_tabla = 0
    for hoja in hojas:
        tabla = _buscar_tabla(hoja)
        if tabla is None:
            continue
        con_tabla += 1
        plan = _leer_hoja(hoja, tabla, leido.problemas, leido.advertencias)
        # A table with no rows is an unused copy of the form, not a plan.
        if plan.filas:
            leido.planes.append(plan)

    if con_tabla == 0:
        nombres = ", ".join(f"«{h.titulo}»" for h in hojas)
        leido.problemas.append(
            Problema(
                "",
                None,
                None,
                f"«{nombre}» no parece un Anexo A: no se encontró en ninguna hoja ({nombres}) la "
                "tabla con las columnas Núm., Aspecto Susceptible de Mejora (ASM), "
                "Clasificación (Por actores involucrados)…",
            )
        )
    elif not leido.planes and not leido.problemas:
        leido.problemas.append(
            Problema("", None, None, f"«{nombre}» tiene la tabla del Anexo A, pero ningún ASM.")
        )
    return leido


_ABREVIATURAS = {
    "esp": Clasificacion.ESPECIFICO,
    "inst": Clasificacion.INSTITUCIONAL,
    "interinst": Clasificacion.INTERINSTITUCIONAL,
    "intergub": Clasificacion.INTERGUBERNAMENTAL,
    "intergubern": Clasificacion.INTERGUBERNAMENTAL,
}


def interpretar_clasificacion(texto: str) -> Clasificacion | None:
    """`Específico`, `ASPECTOS INSTITUCIONALES`, `Inter-institucional`, `Esp.`, `Interinst.`,
    `ESPECÍFICO (UR)` → Clasificacion; else None."""
    t = re.sub(r"\(.*?\)", " ", normalizar(texto))  # “específico (ur)”: a note
    t = re.sub(r"^\s*aspectos?\s+", "", t)
    t = re.sub(r"[^a-z]", "", t)  # “inter-institucional”, “específico.”
    for forma in (t, t.removesuffix("s"), t.removesuffix("es")):
        if forma in ("especifico", "especifica"):
            return Clasificacion.ESPECIFICO
        for clasificacion in Clasificacion:
            if forma == clasificacion.value:
                return clasificacion
    return _ABREVIATURAS.get(t)


def interpretar_fecha(valor: object) -> date | None:
    """A date as a cell holds it: a date, an Excel serial number (also typed as text), or text
    such as `30/06/2025`, `30/06/25`, `2025-06-30`, `30 de junio de 2025`, `30-jun-25`. Day before
    month, as in Mexico.

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
    if re.fullmatch(r"\d{5}(\.\d+)?", t):  # a serial number pasted as text
        return _fecha_de_serial(float(t))
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


_MES_SOLO = re.compile(r"([a-z]+)\.?\s*(?:de\s+|del\s+|[-/ ])\s*(\d{4}|\d{2})")
_SEMESTRE = re.compile(
    r"(?:(primer|primero|segundo)|([12])\s*(?:er|ro|do|o|°)?\.?)\s*semestre\s*(?:de\s+|del\s+)?(\d{4})"
)


def interpretar_fecha_o_periodo(valor: object) -> tuple[date | None, str | None]:
    """`interpretar_fecha`, and also a month (`junio 2025`, `jun-2025`) or a period (`1er
    semestre 2025`, `4to trimestre 2025`), which mean their last day: then the second value is a
    warning saying so."""
    try:
        return interpretar_fecha(valor), None
    except ValueError:
        texto = _texto(valor)
        t = normalizar(texto)
        fin: date | None = None
        if (m := _MES_SOLO.fullmatch(t)) and (mes := _mes(m[1])):
            anio = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
            fin = date(anio, mes, calendar.monthrange(anio, mes)[1])
        elif m := _SEMESTRE.fullmatch(t):
            primero = m[1] in ("primer", "primero") or m[2] == "1"
            fin = date(int(m[3]), 6, 30) if primero else date(int(m[3]), 12, 31)
        elif "trimestre" in t or re.search(r"\btrim\b", t):
            try:
                trimestre = interpretar_trimestre(texto)
            except ValueError:
                trimestre = None
            fin = trimestre.fin if trimestre else None
        if fin is None:
            raise
        return (
            fin,
            f"«{texto}» no es un día; se toma el último día del periodo, {formato_fecha(fin)}.",
        )


def interpretar_trimestre(valor: object, anio: int | None = None) -> Trimestre | None:
    """`2025T2`, `Segundo trimestre 2025`, `2do trimestre 2025`, `2° Trimestre 2025`,
    `Trimestre 2 de 2025`, `abril-junio 2025`, `T2 2025`, `2T-2025`, `T2/2025`, `II Trim. 2025`,
    `01/04/2025 al 30/06/2025` → Trimestre(2025, 2). With `anio` (written in a cell of its own),
    also `2do.`, `2°`, `II`, `Segundo`.

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
    if rango := _rango_de_fechas(t):
        return rango
    anios = _ANIO.findall(t)
    if not anios and anio is not None:
        anios = [str(anio)]
        t = f"{t} {anio}"
    if len(set(anios)) == 1:
        resto = _ANIO.sub(" ", t)
        numeros = _numeros_de_trimestre(resto)
        if not numeros:
            numeros = _numero_suelto(resto)
        if len(numeros) == 1:
            return Trimestre(int(anios[0]), numeros.pop())
    raise ValueError(
        f"no se entiende el trimestre «{texto}»; escríbalo como «Segundo trimestre 2025» o 2025T2."
    )


def _numero_suelto(texto: str) -> set[int]:
    """`2do.`, `2°`, `II`, `segundo` alone: a quarter when the year is written elsewhere."""
    t = texto.strip(" .,:-/")
    if m := re.fullmatch(r"([1-4])\s*(?:er|ro|do|to|o|°|a)?\.?", t):
        return {int(m[1])}
    if t in _ROMANOS:
        return {_ROMANOS[t]}
    if t in _ORDINALES:
        return {_ORDINALES[t]}
    return set()


def _rango_de_fechas(t: str) -> Trimestre | None:
    """`01/04/2025 al 30/06/2025`: the quarter these two dates span exactly."""
    fechas = re.findall(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{1,2}-\d{1,2}", t)
    if len(fechas) != 2:
        return None
    try:
        desde, hasta = interpretar_fecha(fechas[0]), interpretar_fecha(fechas[1])
    except ValueError:
        return None
    if desde is None or hasta is None:
        return None
    trimestre = Trimestre.de_fecha(desde)
    return trimestre if (trimestre.inicio, trimestre.fin) == (desde, hasta) else None


# --- Dates and quarters. ---

_FECHA_DMA = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})")
_FECHA_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?")
_FECHA_TEXTO = re.compile(
    r"(?:[a-z]+,?\s+)?"  # a weekday: “lunes 30 de junio de 2025”
    r"(\d{1,2})(?:\s+de\s+|\s*[-/ ]\s*)([a-z]+)\.?(?:\s+del?\s+|\s*[-/ ,]\s*)(\d{4}|\d{2})"
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
    re.compile(r"\b(i|ii|iii|iv)\s+trim"),  # “II Trim. 2025”
    re.compile(r"(?<![\da-z])([1-4])\s*t(?![a-z])"),  # “2T-2025”, “2T 2025”
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


def _reconocer(fila: list[object], columnas: dict[str, int]) -> None:
    """Add to `columnas` the fields this row's cells name; a field keeps its first column."""
    usadas = set(columnas.values())
    for indice, valor in enumerate(fila, start=1):
        campo = _campo_de_encabezado(valor)
        if campo and campo not in columnas and indice not in usadas:
            columnas[campo] = indice
            usadas.add(indice)


def _buscar_tabla(hoja: HojaCruda) -> _Tabla | None:
    """The first row that names enough columns is the header; None when no row does."""
    for numero, fila in enumerate(hoja.filas, start=1):
        columnas: dict[str, int] = {}
        _reconocer(fila, columnas)
        if len(columnas) < _MINIMO_RECONOCIDAS:
            continue
        # Header cells merged downwards take more rows; words in those rows name more columns
        # (“Seguimiento” above “% de avance” and “Observaciones”).
        ultima = numero
        for r1, c1, r2, _c2 in hoja.combinadas:
            if r1 == numero and c1 in columnas.values():
                ultima = max(ultima, r2)
        for extra in hoja.filas[numero:ultima]:
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
    hoja: HojaCruda, hasta: int, problemas: _Problemas
) -> tuple[str | None, Trimestre | None, str | None, Problema | None]:
    """Programa, trimestre and dependencia from the rows above the table header, and the
    problem of a quarter that is written but cannot be understood."""
    encontrados: dict[str, tuple[object, int, int]] = {}  # field → (value, row, column)
    for fila in range(1, hasta):
        for columna in range(1, len(hoja.filas[fila - 1]) + 1):
            etiqueta = _etiqueta(hoja.valor(fila, columna))
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
    anio = None
    if "anio" in encontrados:
        m = _ANIO.search(_texto(encontrados["anio"][0]))
        anio = int(m[1]) if m else None
    trimestre = None
    ilegible = None
    if "trimestre" in encontrados:
        valor, fila_t, columna_t = encontrados["trimestre"]
        try:
            trimestre = interpretar_trimestre(valor, anio)
        except ValueError as error:
            ilegible = Problema(problemas.hoja, fila_t, get_column_letter(columna_t), str(error))
    return programa or None, trimestre, dependencia or None, ilegible


def _valor_de_etiqueta(
    hoja: HojaCruda, fila: int, columna: int, hasta: int
) -> tuple[object, int, int] | None:
    """The value of a label without a colon: the next filled cell to its right, else below it."""
    for derecha in range(columna + 1, len(hoja.filas[fila - 1]) + 1):
        valor = hoja.valor(fila, derecha)
        if _texto(valor):
            if _etiqueta(valor):  # labels side by side, values in the row below
                break
            return valor, fila, derecha
    if fila + 1 < hasta:
        valor = hoja.valor(fila + 1, columna)
        if _texto(valor) and not _etiqueta(valor):
            return valor, fila + 1, columna
    return None


# --- Reading the rows. ---


def _origenes_de_combinadas(hoja: HojaCruda) -> dict[tuple[int, int], tuple[int, int]]:
    """For cells under the top of a merged range, in its first column: where their value is.

    Only downwards: a value merged across columns belongs to its first column alone, or an ASM
    merged over two columns would also be read as the classification.
    """
    origen: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, _c2 in hoja.combinadas:
        for fila in range(r1 + 1, r2 + 1):
            origen[(fila, c1)] = (r1, c1)
    return origen


def _renglones(hoja: HojaCruda, tabla: _Tabla, omitidas: list[Omitida]) -> Iterator[_Renglon]:
    """Rows below the header, up to a note or signature row; rows that are not ASM are listed
    in `omitidas` and not given."""
    origenes = _origenes_de_combinadas(hoja)
    for fila in range(tabla.primera_fila, hoja.max_row + 1):
        valores: dict[str, object] = {}
        origen: dict[str, tuple[int, int]] = {}
        for campo, columna in tabla.columnas.items():
            r, c = origenes.get((fila, columna), (fila, columna))
            valores[campo] = hoja.valor(r, c)
            origen[campo] = (r, c)
        renglon = _Renglon(fila, valores, {c: _texto(v) for c, v in valores.items()}, origen)
        if _numero_seguro(renglon):  # a whole number in Núm.: an ASM, the usual case
            yield renglon
            continue
        crudos = [t for t in (_texto(v) for v in hoja.filas[fila - 1]) if t]
        if not crudos:
            yield renglon
            continue
        primera = normalizar(crudos[0])
        if _CIERRE.match(primera):
            omitidas.append(Omitida(fila, "notas y firmas (fin de la tabla)"))
            return
        motivo = _motivo_de_omitir(hoja.filas[fila - 1], crudos, primera, renglon)
        if motivo:
            omitidas.append(Omitida(fila, motivo))
            continue
        yield renglon


def _motivo_de_omitir(
    fila: list[object], crudos: list[str], primera: str, renglon: _Renglon
) -> str | None:
    """Why a row below the header is not an ASM, or None when it may be one."""
    reconocidas: dict[str, int] = {}
    _reconocer(fila, reconocidas)
    if len(reconocidas) >= _MINIMO_RECONOCIDAS:
        return "encabezado repetido"
    if len(crudos) >= 3 and all(_LETRA_DE_COLUMNA.fullmatch(normalizar(t)) for t in crudos):
        return "letras de las columnas"
    if len(crudos) <= 2 and any(_PIE_DE_PAGINA.fullmatch(normalizar(t)) for t in crudos):
        return "pie de página"
    if (_TOTALES.fullmatch(primera) and not renglon.propio("asm")) or (
        _TOTALES.fullmatch(normalizar(renglon.textos.get("asm", "")))
        and not _numero_seguro(renglon)
    ):
        return "totales o promedios"
    return None


def _numero_seguro(renglon: _Renglon) -> bool:
    try:
        return _interpretar_numero(renglon.valores.get("numero")) is not None
    except ValueError:
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


def _inicia_asm(renglon: _Renglon, anterior: list[_Renglon] | None) -> bool:
    """Whether a row starts an ASM; otherwise it continues the one above (more activities).

    A row continues the ASM above when neither its Núm. nor its ASM is its own: left blank, or
    merged with the cells of the row above.
    """
    if anterior is None:
        return True
    return renglon.propio("numero") or renglon.propio("asm")


def _leer_hoja(
    hoja: HojaCruda, tabla: _Tabla, destino: list[Problema], avisos: list[Problema]
) -> PlanLeido:
    problemas = _Problemas(hoja.titulo, destino, avisos)
    programa, trimestre, dependencia, ilegible = _leer_bloque(
        hoja, tabla.fila_encabezado, problemas
    )
    plan = PlanLeido(hoja.titulo, programa, trimestre, dependencia)
    plan.trimestre_ilegible = ilegible
    if plan.programa is None and (m := _PP_EN_HOJA.fullmatch(hoja.titulo.strip())):
        plan.programa = m[1].strip()
        plan.programa_de_hoja = True
    plan.columnas = {campo: get_column_letter(i) for campo, i in tabla.columnas.items()}

    faltan = [c for c in (*_OBLIGATORIOS, "avance") if c not in tabla.columnas]
    for campo in faltan:
        problemas.agregar(
            tabla.fila_encabezado, None, f"falta la columna «{_NOMBRES[campo]}» en los encabezados."
        )
    if faltan:
        return plan

    renglones = list(_renglones(hoja, tabla, plan.omitidas))
    seguros = [i for i, r in enumerate(renglones) if _es_asm_seguro(r)]
    if not seguros:
        return plan
    for r in renglones[: seguros[0]] + renglones[seguros[-1] + 1 :]:
        if any(r.textos.values()):
            plan.omitidas.append(Omitida(r.fila, "fuera de la tabla (título o nota)"))
    dentro = renglones[seguros[0] : seguros[-1] + 1]

    # One ASM and the rows that continue it.
    grupos: list[list[_Renglon]] = []
    for renglon in dentro:
        if renglon.solo_numero:
            continue
        if _inicia_asm(renglon, grupos[-1] if grupos else None):
            grupos.append([renglon])
        else:
            grupos[-1].append(renglon)

    fraccion = _columna_de_fracciones(hoja, grupos, tabla)
    # Without any Núm. the rows are numbered in order; with some, each must have its own.
    numerar = not any(g[0].tiene("numero") for g in grupos)
    vistos: dict[int, int] = {}  # Núm. → row where it first appeared
    for posicion, grupo in enumerate(grupos, start=1):
        numero = posicion if numerar else None
        fila = _leer_grupo(grupo, numero, vistos, hoja, tabla, problemas, fraccion)
        if fila is not None:
            plan.filas.append(fila)
    return plan


def _columna_de_fracciones(hoja: HojaCruda, grupos: list[list[_Renglon]], tabla: _Tabla) -> bool:
    """The % column holds fractions when all its numbers lie between 0 and 1, one strictly (or
    any, in a file known to hold percent-formatted numbers whose cells are not known)."""
    numeros: list[float] = []
    for grupo in grupos:
        valor = _calculado(hoja, grupo[0], "avance")
        if isinstance(valor, (int, float)) and not isinstance(valor, bool):
            if grupo[0].origen["avance"] in hoja.porcentaje:
                continue  # already a fraction by its format
            numeros.append(float(valor))
        elif isinstance(valor, str) and (m := re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*", valor)):
            numeros.append(float(m[1].replace(",", ".")))
    if not numeros or not all(0 <= n <= 1 for n in numeros):
        return False
    return hoja.con_porcentajes or any(0 < n < 1 for n in numeros)


def _calculado(hoja: HojaCruda, renglon: _Renglon, campo: str) -> object:
    """The cell's value; for a formula, the result Excel saved (never the formula text)."""
    if campo not in renglon.origen:
        return None
    posicion = renglon.origen[campo]
    if posicion not in hoja.formulas:
        return renglon.valores[campo]
    resultado = hoja.formulas[posicion]
    if resultado is None:
        raise ValueError(
            f"la celda tiene la fórmula «{renglon.textos[campo]}» sin resultado guardado; "
            "escriba el valor."
        )
    return resultado


def _leer_grupo(
    grupo: list[_Renglon],
    numero_dado: int | None,
    vistos: dict[int, int],
    hoja: HojaCruda,
    tabla: _Tabla,
    problemas: _Problemas,
    fraccion: bool,
) -> FilaLeida | None:
    """One ASM, from its first row and the rows that continue it; None when it has a problem
    (each one is reported).

    `numero_dado` is its Núm. when the file has none; `vistos` maps each Núm. read so far to
    its row, to find repeated ones.
    """
    renglon = grupo[0]
    hay_problema = False

    def reportar(r: _Renglon, campo: str, mensaje: str) -> None:
        nonlocal hay_problema
        hay_problema = True
        problemas.agregar(r.fila, tabla.columnas[campo], mensaje)

    def texto(campo: str) -> str:
        return renglon.textos.get(campo, "")

    numero = numero_dado
    if numero is None:
        try:
            numero = _interpretar_numero(_calculado(hoja, renglon, "numero"))
            if numero is None:
                reportar(renglon, "numero", "falta el Núm. del ASM.")
        except ValueError as error:
            reportar(renglon, "numero", str(error))
    if numero is not None and numero in vistos:
        reportar(
            renglon, "numero", f"el Núm. {numero} se repite (ya está en la fila {vistos[numero]})."
        )
    elif numero is not None:
        vistos[numero] = renglon.fila

    if not texto("asm"):
        reportar(renglon, "asm", f"falta el «{_NOMBRES['asm']}».")

    clasificacion = interpretar_clasificacion(texto("clasificacion"))
    if clasificacion is None:
        if texto("clasificacion"):
            reportar(
                renglon,
                "clasificacion",
                f"la clasificación «{texto('clasificacion')}» no es válida; escriba {_ACEPTADAS}.",
            )
        else:
            reportar(renglon, "clasificacion", f"falta la clasificación; escriba {_ACEPTADAS}.")

    # Each row's own fecha and product; a merged fecha counts once.
    actividades: list[Actividad] = []
    fechas: list[date] = []
    vistas_fechas: set[tuple[int, int]] = set()
    for r in grupo:
        fecha = None
        if "fecha" in tabla.columnas and r.origen["fecha"] not in vistas_fechas:
            vistas_fechas.add(r.origen["fecha"])
            try:
                fecha, aviso = interpretar_fecha_o_periodo(_calculado(hoja, r, "fecha"))
                if aviso:
                    problemas.advertir(r.origen["fecha"][0], tabla.columnas["fecha"], aviso)
            except ValueError as error:
                reportar(r, "fecha", str(error))
        if fecha is not None:
            fechas.append(fecha)
        producto = r.textos.get("productos", "") if r is renglon or r.propio("productos") else ""
        actividad = (
            r.textos.get("actividades", "") if r is renglon or r.propio("actividades") else ""
        )
        if actividad or producto or fecha:
            actividades.append(Actividad(actividad, fecha, producto))

    avance = None
    try:
        valor = _calculado(hoja, renglon, "avance")
        crudo = renglon.valores.get("avance")
        if isinstance(crudo, str) and _NO_APLICA.fullmatch(normalizar(crudo.strip())):
            problemas.advertir(
                renglon.origen["avance"][0], tabla.columnas["avance"],
                f"«{crudo.strip()}» en % de avance: se toma como sin avance registrado.",
            )  # fmt: skip
        else:
            es_fraccion = fraccion or renglon.origen["avance"] in hoja.porcentaje
            avance = _interpretar_avance(valor, es_fraccion)
    except ValueError as error:
        reportar(renglon, "avance", str(error))

    if hay_problema or numero is None or clasificacion is None:
        return None
    varias = len(grupo) > 1
    return FilaLeida(
        fila=renglon.fila,
        numero=numero,
        asm=texto("asm"),
        clasificacion=clasificacion,
        area_responsable=texto("area"),
        actividades=_lineas(actividades) if varias else texto("actividades"),
        fecha_termino=max(fechas) if fechas else None,
        resultados_esperados=(
            "\n".join(dict.fromkeys(_propios(grupo, "resultados")))
            if varias
            else texto("resultados")
        ),
        productos_evidencias=(
            "\n".join(dict.fromkeys(a.producto for a in actividades if a.producto))
            if varias
            else texto("productos")
        ),
        avance=avance,
        observaciones=texto("observaciones"),
        detalle=tuple(actividades) if varias else (),
        ultima_fila=grupo[-1].fila,
    )


def _propios(grupo: list[_Renglon], campo: str) -> list[str]:
    """What each row of an ASM over several rows writes in `campo`, once per merged cell."""
    return [
        r.textos[campo]
        for i, r in enumerate(grupo)
        if r.tiene(campo) and (i == 0 or r.propio(campo))
    ]


def _lineas(actividades: list[Actividad]) -> str:
    """Activities as the lines of the Actividades column; a line says its own fecha and
    product, so the Anexo A written back (one row per ASM) keeps them."""
    lineas = []
    for a in actividades:
        extra = []
        if a.fecha_termino is not None:
            extra.append(f"término: {formato_fecha(a.fecha_termino)}")
        if a.producto:
            extra.append(f"producto: {a.producto}")
        linea = a.texto or "(sin descripción)"
        lineas.append(f"{linea} ({'; '.join(extra)})" if extra else linea)
    return "\n".join(lineas)


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
    """% de avance as a whole percent; `fraccion` when numbers are fractions (a percent format,
    or a column of numbers between 0 and 1). Text with «%» is always the percent itself."""
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
        if fraccion and "%" not in texto:
            porcentaje *= 100
    entero = math.floor(porcentaje + 0.5)  # halves up, unlike round()
    if not 0 <= entero <= 100:
        raise ValueError(f"el % de avance {entero} está fuera de rango (0 a 100).")
    return entero


__all__ = [
    "interpretar_clasificacion",
    "interpretar_fecha",
    "interpretar_fecha_o_periodo",
    "interpretar_trimestre",
    "leer_anexo_a",
    "leer_hojas_crudas",
]
