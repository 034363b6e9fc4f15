"""Spreadsheet files of every kind as one plain grid per sheet, for the Anexo A reader.

.xlsx/.xlsm are read with openpyxl in read-only mode (fast, and it never builds a cell object per
empty cell); merged ranges, which read-only mode does not give, are taken from the sheet's XML.
.xls and .ods are read with python-calamine, .csv with the standard library. All end up as
`HojaCruda`, so the reader has one row model whatever the format.

Before anything is parsed the file is checked against limits far above any real Anexo A (a
real one has a few sheets of at most a few hundred rows): a zip that expands to far more than
its size, or a sheet with millions of cells, is refused with one sentence instead of taking the
memory of the whole bot. `bot.anexo_a.aislado` also parses in a process with a memory limit, for
whatever these checks cannot see.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# --- Limits (far above a real Anexo A: 30 sheets × 334 ASM is ~100,000 cells). ---

MAX_DESCOMPRIMIDO = 200 * 1024 * 1024  # bytes of XML once unzipped, all members together
MAX_RAZON = 100  # uncompressed / compressed, for members that expand beyond 5 MB
MAX_FILAS = 20_000  # rows with data in one sheet
MAX_CELDAS = 500_000  # cells with data in the whole file
MAX_COLUMNAS = 200  # columns read per row (the Anexo A has ten)


class ArchivoIlegible(Exception):
    """The file cannot be read; the message is one Spanish sentence for the person."""


class ArchivoExcesivo(ArchivoIlegible):
    """The file is far larger inside than any Anexo A: refused before it is parsed."""


@dataclass
class HojaCruda:
    """One sheet as values: `filas[0]` is row 1, `filas[r][0]` column A.

    `porcentaje` holds the (row, column) cells, 1-based, with a percent number format (known for
    .xlsx only); `combinadas` the merged ranges as (min_row, min_col, max_row, max_col), 1-based;
    `formulas` maps each cell typed as a formula to the result saved with it (None when the file
    has none), while `filas` keeps the formula's text.
    """

    titulo: str
    filas: list[list[object]] = field(default_factory=list)
    porcentaje: set[tuple[int, int]] = field(default_factory=set)
    combinadas: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: dict[tuple[int, int], object] = field(default_factory=dict)
    # The file holds numbers formatted as percents, but their cells are unknown (.ods read by
    # calamine): a % column of only 0 and 1 then means 0 % and 100 %.
    con_porcentajes: bool = False

    @property
    def max_row(self) -> int:
        return len(self.filas)

    @property
    def max_column(self) -> int:
        return max((len(f) for f in self.filas), default=0)

    def valor(self, fila: int, columna: int) -> object:
        if fila < 1 or fila > len(self.filas):
            return None
        renglon = self.filas[fila - 1]
        return renglon[columna - 1] if 0 < columna <= len(renglon) else None


# --- Which format a file is in, by its bytes (a name may lie). ---

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def formato(datos: bytes, nombre: str) -> str:
    """'xlsx', 'ods', 'xls', 'cifrado' (an Office file with a password), 'csv' or 'otro'."""
    if not datos.strip():
        return "otro"
    if datos.startswith(b"PK"):
        # The first member of an OpenDocument file is its uncompressed mimetype.
        return "ods" if b"application/vnd.oasis.opendocument.spreadsheet" in datos[:100] else "xlsx"
    if datos.startswith(_OLE):
        # Excel 2007+ files with a password are OLE containers holding the encrypted package.
        if "EncryptionInfo".encode("utf-16-le") in datos or (
            "EncryptedPackage".encode("utf-16-le") in datos
        ):
            return "cifrado"
        return "xls"
    if datos.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z")):
        return "otro"
    return "csv"


def leer_hojas(datos: bytes, nombre: str) -> list[HojaCruda]:
    """Every sheet of the file; raises ArchivoIlegible (or ArchivoExcesivo) with the reason."""
    tipo = formato(datos, nombre)
    if tipo == "cifrado":
        raise ArchivoIlegible(_con_contrasena(nombre))
    if tipo == "otro":
        raise ArchivoIlegible(_no_es_hoja(nombre))
    if tipo == "xlsx":
        revisar_zip(datos, nombre)
        with zipfile.ZipFile(io.BytesIO(datos)) as z:
            if "[Content_Types].xml" not in z.namelist():  # a zip, but no Office document
                raise ArchivoIlegible(_no_es_hoja(nombre))
        return _de_xlsx(datos, nombre)
    if tipo in ("ods", "xls"):
        con_porcentajes = False
        if tipo == "ods":
            revisar_zip(datos, nombre)
            with zipfile.ZipFile(io.BytesIO(datos)) as z:
                con_porcentajes = any(
                    b'value-type="percentage"' in trozo for trozo in _trozos(z, "content.xml")
                )
        hojas = _de_calamine(datos, nombre)
        for hoja in hojas:
            hoja.con_porcentajes = con_porcentajes
        return hojas
    return _de_csv(datos, nombre)


# --- Bombs: checked on the archive, before any parsing. ---

_CELDA_XLSX = re.compile(rb"<(?:\w+:)?c[\s>/]")
_FILA_XLSX = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELDA_ODS = re.compile(rb"<table:table-cell\b([^>]*?)(/?)>")
_REPETIDA_ODS = re.compile(rb'table:number-columns-repeated="(\d+)"')


def _excesivo(nombre: str) -> ArchivoExcesivo:
    return ArchivoExcesivo(
        f"«{nombre}» es demasiado grande por dentro para ser un Anexo A (más de "
        f"{MAX_CELDAS:,} celdas o {MAX_FILAS:,} filas con datos); revise que sea el archivo "
        "correcto y envíe solo las hojas del Anexo A."
    )


def revisar_zip(datos: bytes, nombre: str) -> None:
    """Refuses a zip (xlsx, ods) that would expand far beyond any Anexo A, reading it in chunks."""
    try:
        archivo = zipfile.ZipFile(io.BytesIO(datos))
        miembros = archivo.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchivoIlegible(_danado(nombre)) from None
    total = sum(m.file_size for m in miembros)
    if total > MAX_DESCOMPRIMIDO:
        raise _excesivo(nombre)
    for m in miembros:
        if m.file_size > 5 * 1024 * 1024 and m.file_size > MAX_RAZON * max(m.compress_size, 1):
            raise _excesivo(nombre)
    celdas = 0
    try:
        for m in miembros:
            es_hoja = m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")
            if es_hoja:
                filas = 0
                for trozo in _trozos(archivo, m.filename):
                    celdas += len(_CELDA_XLSX.findall(trozo))
                    filas += len(_FILA_XLSX.findall(trozo))
                    if celdas > MAX_CELDAS or filas > MAX_FILAS:
                        raise _excesivo(nombre)
            elif m.filename == "content.xml":
                for trozo in _trozos(archivo, m.filename):
                    for atributos, vacia in _CELDA_ODS.findall(trozo):
                        if vacia:  # empty cells, however many are repeated, hold nothing
                            continue
                        r = _REPETIDA_ODS.search(atributos)
                        celdas += int(r[1]) if r else 1
                    if celdas > MAX_CELDAS:
                        raise _excesivo(nombre)
            elif m.filename == "META-INF/manifest.xml" and (
                b"encryption-data" in archivo.read(m.filename)
            ):
                raise ArchivoIlegible(_con_contrasena(nombre))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
        raise ArchivoIlegible(_danado(nombre)) from None


def _trozos(archivo: zipfile.ZipFile, miembro: str) -> Iterator[bytes]:
    """A member's bytes in 1 MB pieces that never split a tag (each piece ends at a «>»)."""
    resto = b""
    with archivo.open(miembro) as f:
        while bloque := f.read(1024 * 1024):
            bloque = resto + bloque
            corte = bloque.rfind(b">") + 1
            resto = bloque[corte:]
            yield bloque[:corte]
            if len(resto) > 1024 * 1024:  # no tag is that long: not XML
                raise ValueError("no es XML")
    yield resto


# --- .xlsx / .xlsm ---


def _columna(letras: bytes) -> int:
    n = 0
    for c in letras:
        n = n * 26 + (c - 64)
    return n


def _de_xlsx(datos: bytes, nombre: str) -> list[HojaCruda]:
    from openpyxl import load_workbook

    try:
        libro = load_workbook(io.BytesIO(datos), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a file that is not one; all mean that
        raise ArchivoIlegible(_danado(nombre)) from None
    hojas: list[HojaCruda] = []
    pendientes: dict[str, list[tuple[int, int]]] = {}
    try:
        porcentuales = _estilos_de_porcentaje(libro)
        for ws in libro.worksheets:
            hoja = _hoja_xlsx(libro, ws, porcentuales)
            if hoja.formulas:
                pendientes[hoja.titulo] = list(hoja.formulas)
            hojas.append(hoja)
        if pendientes:
            _resultados_de_formulas(datos, hojas, pendientes)
    except ArchivoIlegible:
        raise
    except Exception:  # a truncated or corrupt member surfaces only while reading it
        raise ArchivoIlegible(_danado(nombre)) from None
    finally:
        libro.close()
    return hojas


def _estilos_de_porcentaje(libro: Any) -> set[int]:
    """The style ids whose number format shows a percent (as ReadOnlyCell.number_format)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    ids = set()
    for i, estilo in enumerate(libro._cell_styles):
        n = estilo.numFmtId
        if n < BUILTIN_FORMATS_MAX_SIZE:
            formato_numero = BUILTIN_FORMATS.get(n, "General")
        else:
            formato_numero = libro._number_formats[n - BUILTIN_FORMATS_MAX_SIZE]
        if "%" in formato_numero:
            ids.add(i)
    return ids


def _hoja_xlsx(libro: Any, ws: Any, porcentuales: set[int]) -> HojaCruda:
    """One sheet straight from openpyxl's own parser: the cells it finds and nothing else (no
    padding to a declared dimension, no cell objects), and the merged ranges in the same pass."""
    from openpyxl.worksheet._reader import WorkSheetParser

    hoja = HojaCruda(ws.title)
    with libro._archive.open(ws._worksheet_path) as fuente:
        parser = WorkSheetParser(
            fuente,
            ws._shared_strings,
            data_only=False,
            epoch=libro.epoch,
            date_formats=libro._date_formats,
            timedelta_formats=libro._timedelta_formats,
        )
        filas = hoja.filas
        for r, celdas in parser.parse():
            if r > MAX_FILAS * 2:  # rows are counted before; this only bounds a lying file
                break
            while len(filas) < r - 1:
                filas.append([])
            valores: list[object] = []
            for celda in celdas:
                c = celda["column"]
                if c > MAX_COLUMNAS:
                    break
                valor = celda["value"]
                if valor is None:
                    continue
                while len(valores) < c - 1:
                    valores.append(None)
                valores.append(valor)
                formula = celda["data_type"] == "f"
                if formula:
                    hoja.formulas[(r, c)] = None
                if celda["style_id"] in porcentuales and (
                    formula or isinstance(valor, (int, float))
                ):
                    hoja.porcentaje.add((r, c))
            filas.append(valores)
        if parser.merged_cells is not None:
            for rango in parser.merged_cells.mergeCell:
                m = _RANGO.fullmatch(rango.ref.encode())
                if m:
                    c1, f1, c2, f2 = m.groups()
                    hoja.combinadas.append(
                        (int(f1), _columna(c1), int(f2 or f1), _columna(c2 or c1))
                    )
    while hoja.filas and not hoja.filas[-1]:
        hoja.filas.pop()
    return hoja


_RANGO = re.compile(rb"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?")


def _resultados_de_formulas(
    datos: bytes, hojas: list[HojaCruda], pendientes: dict[str, list[tuple[int, int]]]
) -> None:
    """The results Excel saved for formulas: a second, read-only pass, only when there are any."""
    from openpyxl import load_workbook

    libro = load_workbook(io.BytesIO(datos), read_only=True, data_only=True)
    try:
        por_titulo = {h.titulo: h for h in hojas}
        for ws in libro.worksheets:
            celdas = set(pendientes.get(ws.title, ()))
            if not celdas:
                continue
            ws.reset_dimensions()
            hoja = por_titulo[ws.title]
            for r, fila in enumerate(ws.iter_rows(values_only=True), start=1):
                for c, valor in enumerate(fila[:MAX_COLUMNAS], start=1):
                    if (r, c) in celdas:
                        hoja.formulas[(r, c)] = valor
    finally:
        libro.close()


# --- .xls / .ods ---


def _de_calamine(datos: bytes, nombre: str) -> list[HojaCruda]:
    import python_calamine as pc

    try:
        libro = pc.CalamineWorkbook.from_filelike(io.BytesIO(datos))
    except pc.PasswordError:
        raise ArchivoIlegible(_con_contrasena(nombre)) from None
    except Exception as e:  # calamine's errors for a damaged file have no common base
        if "password" in str(e).lower() or "encrypt" in str(e).lower():
            raise ArchivoIlegible(_con_contrasena(nombre)) from None
        raise ArchivoIlegible(_danado(nombre)) from None
    hojas = []
    celdas = 0
    try:
        for titulo in libro.sheet_names:
            ws = libro.get_sheet_by_name(titulo)
            alto, ancho = ws.total_height, ws.total_width
            if alto > MAX_FILAS:
                raise _excesivo(nombre)
            celdas += ws.height * min(ws.width, MAX_COLUMNAS)
            if celdas > MAX_CELDAS:
                raise _excesivo(nombre)
            hoja = HojaCruda(titulo)
            for fila in ws.to_python(skip_empty_area=False):
                valores: list[object] = [None if v == "" else v for v in fila[:MAX_COLUMNAS]]
                while valores and valores[-1] is None:
                    valores.pop()
                hoja.filas.append(valores)
            while hoja.filas and not hoja.filas[-1]:
                hoja.filas.pop()
            for (r1, c1), (r2, c2) in ws.merged_cell_ranges or []:
                hoja.combinadas.append((r1 + 1, c1 + 1, r2 + 1, c2 + 1))
            hojas.append(hoja)
            del alto, ancho
    except ArchivoIlegible:
        raise
    except pc.PasswordError:
        raise ArchivoIlegible(_con_contrasena(nombre)) from None
    except Exception:
        raise ArchivoIlegible(_danado(nombre)) from None
    finally:
        libro.close()
    return hojas


# --- .csv as Excel and LibreOffice save it in Mexico ---


def _de_csv(datos: bytes, nombre: str) -> list[HojaCruda]:
    if b"\x00" in datos[:4096]:  # binary: neither text nor any spreadsheet we know
        raise ArchivoIlegible(_no_es_hoja(nombre))
    if datos.startswith(b"\xef\xbb\xbf"):
        texto = datos[3:].decode("utf-8", errors="replace")
    else:
        try:
            texto = datos.decode("utf-8")
        except UnicodeDecodeError:
            texto = datos.decode("cp1252", errors="replace")  # Excel's «CSV» on Windows
    if texto.count("\n") > MAX_FILAS:
        raise _excesivo(nombre)
    # Excel in Mexico separates with «,»; LibreOffice and other locales often with «;».
    muestra = texto[:20_000]
    primera = muestra.split("\n", 1)[0]
    separador = ";" if primera.count(";") > primera.count(",") else ","
    if "\t" in primera and primera.count("\t") > primera.count(separador):
        separador = "\t"
    hoja = HojaCruda(_titulo_csv(nombre))
    celdas = 0
    try:
        for fila in csv.reader(io.StringIO(texto, newline=""), delimiter=separador):
            valores: list[object] = [v if v.strip() else None for v in fila[:MAX_COLUMNAS]]
            celdas += len(valores)
            if celdas > MAX_CELDAS:
                raise _excesivo(nombre)
            while valores and valores[-1] is None:
                valores.pop()
            hoja.filas.append(valores)
    except csv.Error:
        raise ArchivoIlegible(_danado(nombre)) from None
    while hoja.filas and not hoja.filas[-1]:
        hoja.filas.pop()
    return [hoja]


def _titulo_csv(nombre: str) -> str:
    """A .csv has no sheets; its name stands for one (so «E003.csv» may name its Pp)."""
    base = nombre.rsplit("/", 1)[-1]
    return base[: -len(".csv")] if base.lower().endswith(".csv") else base


# --- The sentences. ---


def _con_contrasena(nombre: str) -> str:
    return (
        f"«{nombre}» tiene contraseña; ábralo, quítele la contraseña (Archivo > Información > "
        "Proteger libro) y envíelo de nuevo."
    )


def _danado(nombre: str) -> str:
    return (
        f"«{nombre}» está dañado o incompleto y no se puede abrir; guárdelo de nuevo desde Excel "
        "o LibreOffice y envíelo otra vez."
    )


def _no_es_hoja(nombre: str) -> str:
    return f"«{nombre}» no es una hoja de cálculo; envíe el Anexo A en .xlsx, .xls, .ods o .csv."
