"""Spreadsheet bombs: refused before parsing, and parsing confined to a limited worker.

Every bomb is generated here: small files that declare or expand to millions of cells.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from bot.anexo_a import crudo
from bot.anexo_a.aislado import demasiado_pesado, leer_aislado
from bot.anexo_a.lectura import leer_anexo_a
from tests.anexo_a.generador import Hoja, archivo, asm, plan

EXCESIVO = "es demasiado grande por dentro para ser un Anexo A"


def _con_hoja(xml: bytes) -> bytes:
    """A real .xlsx whose first sheet's XML is replaced by `xml`."""
    base = archivo("xlsx", [Hoja("Plan", plan([asm(1, "Uno", "Específico")]))])
    salida = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as origen,
        zipfile.ZipFile(salida, "w", zipfile.ZIP_DEFLATED) as destino,
    ):
        for miembro in origen.infolist():
            datos = origen.read(miembro.filename)
            if miembro.filename == "xl/worksheets/sheet1.xml":
                datos = xml
            destino.writestr(miembro.filename, datos)
    return salida.getvalue()


def _hoja_xml(filas: int, columnas: int, dimension: str | None = None) -> bytes:
    celdas = b"".join(b'<c t="n"><v>1</v></c>' for _ in range(columnas))
    fila = b"<row>" + celdas + b"</row>"
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + dim
        + b"<sheetData>"
        + fila * filas
        + b"</sheetData></worksheet>"
    )


@pytest.fixture
def sin_parsear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if openpyxl is asked to parse: a bomb must be refused before."""

    def prohibido(*_a: object, **_k: object) -> None:
        raise AssertionError("the bomb reached the parser")

    monkeypatch.setattr(openpyxl, "load_workbook", prohibido)


def test_a_small_xlsx_declaring_a_million_cells_is_refused_before_parsing(
    sin_parsear: None,
) -> None:
    datos = _con_hoja(_hoja_xml(100_000, 10))
    assert len(datos) < 2 * 1024 * 1024  # small on the wire
    (p,) = leer_anexo_a(datos, "bomba.xlsx").problemas
    assert EXCESIVO in p.mensaje and p.mensaje.startswith("«bomba.xlsx»")


def test_a_member_that_expands_far_beyond_its_size_is_refused(sin_parsear: None) -> None:
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", b" " * (60 * 1024 * 1024))
    (p,) = leer_anexo_a(salida.getvalue(), "razon.xlsx").problemas
    assert EXCESIVO in p.mensaje


def test_an_ods_with_a_million_repeated_cells_is_refused() -> None:
    celda = (
        '<table:table-cell table:number-columns-repeated="1000000" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell>'
    )
    salida = io.BytesIO()
    with zipfile.ZipFile(salida, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", f"<table:table-row>{celda}</table:table-row>")
    (p,) = leer_anexo_a(salida.getvalue(), "bomba.ods").problemas
    assert EXCESIVO in p.mensaje


def test_empty_repeated_cells_of_a_real_ods_do_not_count() -> None:
    # LibreOffice writes the rest of each row as one empty cell repeated ~1,000 times.
    datos = archivo("ods", [Hoja("Plan", plan([asm(1, "Uno", "Específico")]))])
    assert leer_anexo_a(datos, "a.ods").problemas == []


def test_an_xls_with_too_many_rows_is_refused() -> None:
    filas: list[list[object]] = [[] for _ in range(crudo.MAX_FILAS + 5)]
    filas[-1] = ["x"]
    (p,) = leer_anexo_a(archivo("xls", [Hoja("Plan", filas)]), "largo.xls").problemas
    assert EXCESIVO in p.mensaje


def test_a_csv_with_too_many_rows_is_refused() -> None:
    datos = b"1,a\n" * (crudo.MAX_FILAS + 1)
    (p,) = leer_anexo_a(datos, "largo.csv").problemas
    assert EXCESIVO in p.mensaje


def test_a_declared_dimension_of_the_whole_sheet_pads_nothing() -> None:
    xml = _hoja_xml(3, 2, dimension="A1:XFD1048576")
    (hoja, *_) = crudo.leer_hojas(_con_hoja(xml), "a.xlsx")
    assert hoja.max_row == 3 and hoja.max_column == 2


# --- The worker ------------------------------------------------------------------------------


def test_the_worker_reads_what_the_reader_reads() -> None:
    datos = archivo("xlsx", [Hoja("Plan", plan([asm(1, "Uno", "Específico", avance=40)]))])
    assert leer_aislado(datos, "a.xlsx") == leer_anexo_a(datos, "a.xlsx")


def test_a_worker_out_of_memory_is_one_sentence_and_the_caller_goes_on() -> None:
    filas = [asm(i, f"ASM {i} " * 20, "Específico", avance=i % 100) for i in range(1, 3000)]
    datos = archivo("xlsx", [Hoja("Plan", plan(filas))])
    # A cap below what the interpreter already maps: the memory the parse needs is refused.
    leido = leer_aislado(datos, "a.xlsx", memoria=16 * 1024 * 1024)
    assert [p.mensaje for p in leido.problemas] == [demasiado_pesado("a.xlsx")]


def test_a_worker_out_of_time_is_killed_and_reported() -> None:
    datos = archivo(
        "xlsx", [Hoja("Plan", plan([asm(i, f"ASM {i}", "Específico") for i in range(1, 300)]))]
    )
    leido = leer_aislado(datos, "a.xlsx", tiempo=0.001)
    assert [p.mensaje for p in leido.problemas] == [demasiado_pesado("a.xlsx")]
