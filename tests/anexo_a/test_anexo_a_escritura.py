"""The Anexo A writer, checked by reading its files back with openpyxl in normal mode."""

from __future__ import annotations

import io
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from bot.anexo_a.escritura import COLUMNAS_RESUMEN, escribir_anexo_a
from bot.anexo_a.modelo import COLUMNAS, TITULO, Encabezado, FilaAnexoA, PlanAnexoA
from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion, Semaforo, Valoracion

T2 = Trimestre(2025, 2)
ENCABEZADO = Encabezado()
FILA_ENCABEZADOS = 7  # the table header, after the header block and a blank row

FORMULAS = ['=HYPERLINK("http://x","y")', "=1+1", "+52 222", "-5", "@SUM(A1)", "#N/A"]
LARGO = "Revisar la Matriz de Indicadores para Resultados. " * 200  # ~10,000 characters


def fila(numero: int, **cambios: object) -> FilaAnexoA:
    datos: dict[str, object] = {
        "numero": numero,
        "asm": f"Actualizar el diagnóstico del programa (ASM {numero})",
        "clasificacion": Clasificacion.ESPECIFICO,
        "area_responsable": "Secretaría de Bienestar / Dirección de Planeación",
        "actividades": "Revisar árbol de problemas; actualizar población objetivo",
        "fecha_termino": date(2025, 6, 30),
        "resultados_esperados": "Diagnóstico actualizado",
        "productos_evidencias": "Documento de diagnóstico",
        "avance": 45,
        "observaciones": "",
    }
    datos.update(cambios)
    return FilaAnexoA(**datos)  # type: ignore[arg-type]


def plan(clave: str, filas: list[FilaAnexoA], nombre: str = "Programa") -> PlanAnexoA:
    return PlanAnexoA(clave, nombre, T2, filas)


def filas_variadas() -> list[FilaAnexoA]:
    return [
        fila(1),
        fila(
            2,
            asm="Señalización en náhuatl: «Tlamatini» — ñandú ☂ 漢字",
            clasificacion=Clasificacion.INTERGUBERNAMENTAL,
            fecha_termino=None,
            avance=None,
            observaciones=LARGO,
            semaforo=Semaforo.VENCIDO,
            valoracion=Valoracion.NO_ATENDIDO,
        ),
        fila(
            3,
            asm=FORMULAS[0],
            area_responsable=FORMULAS[1],
            actividades=FORMULAS[2],
            resultados_esperados=FORMULAS[3],
            productos_evidencias=FORMULAS[4],
            observaciones=FORMULAS[5],
            avance=100,
            semaforo=Semaforo.EN_RIESGO,
            valoracion=Valoracion.ATENDIDO,
        ),
    ]


def escribir(tmp_path: Path, planes: list[PlanAnexoA], *, consolidado: bool = False) -> Path:
    destino = tmp_path / "anexo.xlsx"
    escribir_anexo_a(destino, planes, ENCABEZADO, consolidado=consolidado)
    return destino


def hoja(ruta: Path, nombre: str) -> Worksheet:
    ws = load_workbook(ruta)[nombre]
    assert isinstance(ws, Worksheet)
    return ws


def valores(ws: Worksheet, fila: int) -> list[object]:
    return [c.value for c in ws[fila]]


def test_bloque_de_encabezado_y_titulos_de_columna(tmp_path: Path) -> None:
    ws = hoja(escribir(tmp_path, [plan("E001", filas_variadas(), "Bienestar Social")]), "E001")

    assert ws["A1"].value == ENCABEZADO.municipio
    assert ws["A2"].value == ENCABEZADO.instituto
    assert ws["A3"].value == TITULO
    assert (ws["A4"].value, ws["C4"].value) == (
        "Programa presupuestario / Fondo:",
        "E001 Bienestar Social",
    )
    assert (ws["A5"].value, ws["C5"].value) == ("Trimestre y año:", "Segundo trimestre 2025")
    assert all(v is None for v in valores(ws, 6))
    assert tuple(valores(ws, FILA_ENCABEZADOS)[:10]) == COLUMNAS
    encabezado = ws.cell(FILA_ENCABEZADOS, 2)
    assert encabezado.font.bold and encabezado.alignment.wrap_text
    assert encabezado.fill.fgColor.rgb.endswith("D9E1F2")
    assert encabezado.border.bottom.style == "thin"
    assert {"A1:J1", "A2:J2", "A3:J3", "A4:B4", "C4:J4"} <= {str(r) for r in ws.merged_cells.ranges}


def test_valores_de_cada_fila(tmp_path: Path) -> None:
    ws = hoja(escribir(tmp_path, [plan("E001", filas_variadas())]), "E001")

    primera = ws[FILA_ENCABEZADOS + 1]
    assert [c.value for c in primera] == [
        1,
        "Actualizar el diagnóstico del programa (ASM 1)",
        "Específico",
        "Secretaría de Bienestar / Dirección de Planeación",
        "Revisar árbol de problemas; actualizar población objetivo",
        datetime(2025, 6, 30),
        "Diagnóstico actualizado",
        "Documento de diagnóstico",
        0.45,
        None,
    ]
    fecha, avance = primera[5], primera[8]
    assert isinstance(fecha, Cell) and fecha.is_date and fecha.number_format == "dd/mm/yyyy"
    assert avance.data_type == "n" and avance.number_format == "0%"
    assert primera[1].alignment.wrap_text and primera[1].alignment.vertical == "top"

    segunda = valores(ws, FILA_ENCABEZADOS + 2)
    assert segunda[1] == "Señalización en náhuatl: «Tlamatini» — ñandú ☂ 漢字"
    assert segunda[2] == "Intergubernamental"
    assert segunda[5] is None and segunda[8] is None
    assert segunda[9] == LARGO
    assert ws.max_row == FILA_ENCABEZADOS + 3


def test_texto_que_parece_formula_queda_como_texto(tmp_path: Path) -> None:
    ruta = escribir(tmp_path, [plan("=E001", filas_variadas(), "=1+1")], consolidado=True)

    ws = hoja(ruta, "=E001")
    tercera = ws[FILA_ENCABEZADOS + 3]
    for celda, escrito in zip([tercera[i] for i in (1, 3, 4, 6, 7, 9)], FORMULAS, strict=True):
        assert (celda.value, celda.data_type) == (escrito, "s")
        if escrito[0] in "=+-@":
            assert celda.quotePrefix
    assert ws["C4"].value == "=E001 =1+1"
    assert ws["C4"].quotePrefix and ws["C4"].border.bottom.style is None  # its own style, quoted
    for nombre in load_workbook(ruta).sheetnames:
        for filas in hoja(ruta, nombre).iter_rows():
            assert all(c.data_type != "f" for c in filas)
    # No formula element anywhere in the package, whatever openpyxl makes of it.
    with zipfile.ZipFile(ruta) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist())


def test_hoja_lista_para_imprimir_y_filtrar(tmp_path: Path) -> None:
    ws = hoja(escribir(tmp_path, [plan("E001", filas_variadas())]), "E001")
    ultima = FILA_ENCABEZADOS + 3

    assert ws.freeze_panes == f"A{FILA_ENCABEZADOS + 1}"
    assert ws.auto_filter.ref == f"A{FILA_ENCABEZADOS}:J{ultima}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 1  # letter
    # One page wide (1 is the default, which may go unwritten), as many tall as needed.
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr is not None
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${FILA_ENCABEZADOS}:${FILA_ENCABEZADOS}"
    # Widths as Excel shows them: the file adds the cell's padding (45 is stored as 45.71).
    assert 45 < ws.column_dimensions["B"].width < 46
    assert 10 < ws.column_dimensions["I"].width < 11

    (validacion,) = ws.data_validations.dataValidation
    assert validacion.type == "list"
    assert validacion.formula1 == '"Específico,Institucional,Interinstitucional,Intergubernamental"'
    assert str(validacion.sqref) == f"C{FILA_ENCABEZADOS + 1}:C{ultima}"


def test_resumen_consolidado(tmp_path: Path) -> None:
    planes = [
        plan("E001", filas_variadas(), "Bienestar"),  # avances 45, none (0) and 100
        plan("F002", [fila(1, avance=20, semaforo=Semaforo.EN_RIESGO)], "FORTAMUN"),
        plan("E003", [], "Sin ASM"),
    ]
    ruta = escribir(tmp_path, planes, consolidado=True)

    wb = load_workbook(ruta)
    assert wb.sheetnames == ["Resumen", "E001", "F002", "E003"]
    ws = hoja(ruta, "Resumen")
    assert ws["A3"].value == "Resumen del seguimiento de los ASM"
    assert (ws["A4"].value, ws["C4"].value) == ("Trimestre y año:", "Segundo trimestre 2025")
    assert tuple(valores(ws, FILA_ENCABEZADOS)[:11]) == COLUMNAS_RESUMEN

    filas = [valores(ws, FILA_ENCABEZADOS + i)[:11] for i in range(1, 5)]
    assert filas[0][:3] == ["E001", "Bienestar", 3]
    assert filas[0][3] == pytest.approx(145 / 3 / 100)  # an ASM without avance counts as 0
    # Valued ASM are closed: counted under their valoración only, never as late or at risk.
    assert filas[0][4:] == [1, 0, 0, 1, 1, 0, 1]
    assert filas[1] == ["F002", "FORTAMUN", 1, 0.2, 0, 1, 0, 0, 0, 0, 1]
    assert filas[2] == ["E003", "Sin ASM", 0, None, 0, 0, 0, 0, 0, 0, 0]
    assert filas[3][0] == "Total"
    assert filas[3][2:] == [4, pytest.approx(165 / 4 / 100), 1, 1, 0, 1, 1, 0, 2]
    assert ws.cell(FILA_ENCABEZADOS + 1, 4).number_format == "0%"


def test_nombres_de_hoja_validos_y_unicos(tmp_path: Path) -> None:
    claves = ["E/001", "E:001", "e?001", "Resumen", "history", "'E004'", "X" * 40, "X" * 40, ""]
    ruta = escribir(tmp_path, [plan(c, [fila(1)]) for c in claves], consolidado=True)

    nombres = load_workbook(ruta).sheetnames
    assert nombres == [
        "Resumen",
        "E_001",
        "E_001 (2)",
        "e_001 (3)",
        "Resumen (2)",
        "history (2)",
        "E004",
        "X" * 31,
        "X" * 27 + " (2)",
        "Hoja",
    ]


def test_plan_sin_asm_tiene_hoja_con_titulos(tmp_path: Path) -> None:
    ws = hoja(escribir(tmp_path, [plan("E009", [])]), "E009")

    assert tuple(valores(ws, FILA_ENCABEZADOS)[:10]) == COLUMNAS
    assert ws.max_row == FILA_ENCABEZADOS
    assert ws.auto_filter.ref == f"A{FILA_ENCABEZADOS}:J{FILA_ENCABEZADOS + 1}"


def test_progreso_suma_las_filas(tmp_path: Path) -> None:
    planes = [plan(f"E{k:03}", [fila(i) for i in range(1, 401)]) for k in range(3)]
    planes.append(plan("E999", [fila(1)]))
    llamadas: list[int] = []

    escribir_anexo_a(
        tmp_path / "a.xlsx", iter(planes), ENCABEZADO, consolidado=True, progreso=llamadas.append
    )

    assert sum(llamadas) == 1201
    assert len(llamadas) > 1 and all(n > 0 for n in llamadas)


def test_escribe_en_un_archivo_abierto_y_sin_planes(tmp_path: Path) -> None:
    salida = io.BytesIO()
    escribir_anexo_a(salida, [plan("E001", [fila(1)])], ENCABEZADO, consolidado=False)
    assert load_workbook(io.BytesIO(salida.getvalue())).sheetnames == ["E001"]

    with pytest.raises(ValueError, match="No hay planes"):
        escribir_anexo_a(io.BytesIO(), [], ENCABEZADO, consolidado=False)
    ruta = escribir(tmp_path, [], consolidado=True)
    assert load_workbook(ruta).sheetnames == ["Resumen"]


def test_caracteres_de_control_se_quitan(tmp_path: Path) -> None:
    ws = hoja(
        escribir(tmp_path, [plan("E001", [fila(1, asm="ASM\x00 con\x07 control\x1b")])]), "E001"
    )

    assert ws.cell(FILA_ENCABEZADOS + 1, 2).value == "ASM con control"


def test_texto_que_parece_formula_tras_quitar_el_control(tmp_path: Path) -> None:
    ws = hoja(escribir(tmp_path, [plan("E001", [fila(1, asm="\x00=1+1")])]), "E001")

    celda = ws.cell(FILA_ENCABEZADOS + 1, 2)
    assert (celda.value, celda.data_type) == ("=1+1", "s")
    assert celda.quotePrefix


def test_archivo_es_un_xlsx_bien_formado(tmp_path: Path) -> None:
    ruta = escribir(tmp_path, [plan("E001", filas_variadas())], consolidado=True)

    with zipfile.ZipFile(ruta) as z:
        assert z.testzip() is None
        nombres = set(z.namelist())
        assert {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml"} <= nombres
        libro = z.read("xl/workbook.xml").decode()
        assert "_xlnm.Print_Titles" in libro
        for nombre in nombres:  # every part is well-formed XML
            ElementTree.fromstring(z.read(nombre))
    # Reading it all again (styles, validations, defined names) must not even warn.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_workbook(ruta)


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def test_texto_sin_estilo_usa_el_formato_por_omision(tmp_path: Path) -> None:
    """Typed text is written without a style of its own, and so needs a wrapped default format.

    The writer sets that format through XlsxWriter's `default_format_properties`: this catches an
    upgrade that stops writing it to both places the editors read.
    """
    ruta = escribir(tmp_path, [plan("E001", filas_variadas())])
    fila_xml = FILA_ENCABEZADOS + 1

    with zipfile.ZipFile(ruta) as z:
        hoja_xml = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
        estilos = ElementTree.fromstring(z.read("xl/styles.xml"))
    celda = hoja_xml.find(f".//{MAIN}c[@r='B{fila_xml}']")
    assert celda is not None and celda.get("s", "0") == "0"  # no style of its own
    # Columns use the default format too, so that text typed in an empty cell also wraps.
    assert all(c.get("style", "0") == "0" for c in hoja_xml.iter(f"{MAIN}col"))
    # Excel and openpyxl show such a cell with the first cell format, LibreOffice with “Normal”.
    for lista in ("cellXfs", "cellStyleXfs"):
        alineacion = estilos.find(f"{MAIN}{lista}/{MAIN}xf/{MAIN}alignment")
        assert alineacion is not None, lista
        assert (alineacion.get("wrapText"), alineacion.get("vertical")) == ("1", "top")

    texto = hoja(ruta, "E001").cell(fila_xml, 2)
    assert texto.value == "Actualizar el diagnóstico del programa (ASM 1)"
    assert texto.alignment.wrap_text is True
    assert texto.alignment.vertical == "top"


def test_bordes_de_la_tabla(tmp_path: Path) -> None:
    ruta = escribir(tmp_path, [plan("E001", filas_variadas()), plan("E002", [])])

    for nombre, ultima in (("E001", FILA_ENCABEZADOS + 3), ("E002", FILA_ENCABEZADOS + 1)):
        (formato,) = hoja(ruta, nombre).conditional_formatting
        assert str(formato.sqref) == f"A{FILA_ENCABEZADOS + 1}:J{ultima}"
        (regla,) = formato.rules
        assert (regla.type, regla.formula) == ("expression", ["TRUE"])
        borde = regla.dxf.border
        for lado in (borde.left, borde.right, borde.top, borde.bottom):
            assert lado.style == "thin"


def test_rows_are_as_tall_as_their_wrapped_text(tmp_path: Path) -> None:
    """LibreOffice does not fit rows to wrapped text: without a height, rows print overlapped."""
    corta = fila(1, asm="Corto", area_responsable="SMDIF", actividades="Una", resultados_esperados="R",
                 productos_evidencias="P", observaciones="")  # fmt: skip
    larga = fila(2, actividades="Mesa de trabajo con las áreas involucradas. " * 6)  # ~270 chars
    parrafos = fila(3, observaciones="Primera línea\nSegunda\nTercera\nCuarta")
    ws = hoja(escribir(tmp_path, [plan("E001", [corta, larga, parrafos])]), "E001")
    primera = FILA_ENCABEZADOS + 1
    assert ws.row_dimensions[primera].height is None  # one line: Excel's default
    # 270 characters in a 45-wide column: 6 lines of 15 points.
    assert ws.row_dimensions[primera + 1].height == 15 * 6 + 3
    assert ws.row_dimensions[primera + 2].height == 15 * 4 + 3  # each line break counts
    assert (ws.row_dimensions[FILA_ENCABEZADOS].height or 0) >= 2 * 15  # the wrapped titles


def test_plans_given_one_at_a_time_are_let_go_and_the_file_is_the_same() -> None:
    import gc
    import weakref
    from collections.abc import Iterator

    claves = ("E001", "E002", "E003")
    vivos: list[weakref.ref[PlanAnexoA]] = []

    def uno_a_uno() -> Iterator[PlanAnexoA]:
        for i, clave in enumerate(claves):
            gc.collect()
            # The writer keeps no plan it already wrote (its loop still names the last one).
            assert all(r() is None for r in vivos[:-1])
            p = plan(clave, filas_variadas() if i == 1 else [fila(1), fila(2)])
            vivos.append(weakref.ref(p))
            yield p
            del p

    en_flujo, en_lista = io.BytesIO(), io.BytesIO()
    escribir_anexo_a(en_flujo, uno_a_uno(), Encabezado(), consolidado=True)
    lista = [
        plan(c, filas_variadas() if i == 1 else [fila(1), fila(2)]) for i, c in enumerate(claves)
    ]
    escribir_anexo_a(en_lista, lista, Encabezado(), consolidado=True)
    with zipfile.ZipFile(en_flujo) as a, zipfile.ZipFile(en_lista) as b:
        partes = [n for n in a.namelist() if n != "docProps/core.xml"]  # core.xml has the time
        assert partes == [n for n in b.namelist() if n != "docProps/core.xml"]
        assert all(a.read(n) == b.read(n) for n in partes)
    wb = load_workbook(en_flujo)
    assert wb.sheetnames == ["Resumen", *claves]
