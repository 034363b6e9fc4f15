"""The Anexo A as offices really send it: every format, and what their cells really hold.

Each file is built by tests/anexo_a/generador.py in the format under test.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date

import pytest

from bot.anexo_a.lectura import (
    interpretar_clasificacion,
    interpretar_fecha,
    interpretar_fecha_o_periodo,
    interpretar_trimestre,
    leer_anexo_a,
)
from bot.anexo_a.modelo import AnexoLeido, Problema
from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion
from tests.anexo_a.generador import ENCABEZADOS, Hoja, Porcentaje, archivo, asm, plan

FORMATOS = ["xlsx", "xls", "ods", "csv"]
T2 = Trimestre(2025, 2)


def leer(formato: str, *hojas: Hoja, **opciones: str) -> AnexoLeido:
    return leer_anexo_a(archivo(formato, hojas, **opciones), f"anexo.{formato}")


def sin_problemas(leido: AnexoLeido) -> AnexoLeido:
    assert leido.problemas == []
    return leido


FILAS = [
    asm(1, "Integrar un padrón único", "Específico", area="SMDIF / Dirección de Asistencia",
        actividades="Depurar el padrón", fecha=date(2025, 6, 30), productos="Padrón",
        avance=Porcentaje(0.45)),
    asm(2, "Actualizar la MIR", "Institucional", area="SMDIF", actividades="Mesas de trabajo",
        fecha=date(2025, 12, 31), avance=Porcentaje(0.1), observaciones="Inicia en octubre"),
]  # fmt: skip


# --- Formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("formato", FORMATOS)
def test_the_same_table_reads_the_same_in_every_format(formato: str) -> None:
    leido = sin_problemas(leer(formato, Hoja("Plan", plan(FILAS))))
    (p,) = leido.planes
    assert (p.programa, p.trimestre) == ("E003 Asistencia social", T2)
    uno, dos = p.filas
    assert (uno.numero, uno.asm, uno.clasificacion) == (
        1, "Integrar un padrón único", Clasificacion.ESPECIFICO,
    )  # fmt: skip
    assert (uno.fecha_termino, uno.avance, uno.productos_evidencias) == (
        date(2025, 6, 30), 45, "Padrón",
    )  # fmt: skip
    assert (dos.avance, dos.observaciones, dos.fecha_termino) == (
        10, "Inicia en octubre", date(2025, 12, 31),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("separador", "codificacion"),
    [(",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), (",", "utf-8-sig"), (";", "cp1252")],
)
def test_csv_as_excel_and_libreoffice_save_it_in_mexico(separador: str, codificacion: str) -> None:
    filas = [asm(1, "Publicar el padrón\nen la página", "Específico", area="Tesorería",
                 avance="45%", observaciones="Línea uno\nLínea dos; con punto y coma")]  # fmt: skip
    leido = sin_problemas(
        leer("csv", Hoja("Plan", plan(filas)), separador=separador, codificacion=codificacion)
    )
    (fila,) = leido.planes[0].filas
    assert fila.asm == "Publicar el padrón\nen la página"  # a line break inside a quoted cell
    assert fila.area_responsable == "Tesorería"  # accents in UTF-8 and in Windows-1252
    assert fila.observaciones == "Línea uno\nLínea dos; con punto y coma"
    assert fila.avance == 45


def test_csv_names_its_pp_by_the_file_name() -> None:
    datos = archivo("csv", [Hoja("x", plan(FILAS, programa=None))])
    leido = leer_anexo_a(datos, "E015.csv")
    assert leido.planes[0].programa == "E015"


@pytest.mark.parametrize("formato", ["xls", "ods", "xlsx"])
def test_one_asm_over_several_merged_rows(formato: str) -> None:
    filas = [
        asm(1, "Integrar un padrón único", "Específico", area="SMDIF",
            actividades="Depurar el padrón", fecha=date(2025, 6, 30), productos="Padrón",
            avance=Porcentaje(0.5), observaciones="En curso"),
        asm(None, None, None, actividades="Publicar el padrón", fecha=date(2025, 9, 30),
            productos="Página web"),
        asm(None, None, None, actividades="Capacitar al personal", fecha=date(2025, 8, 15)),
        asm(2, "Actualizar la MIR", "Institucional", area="SMDIF", actividades="Mesas",
            fecha=date(2025, 12, 31), avance=Porcentaje(0.1)),
    ]  # fmt: skip
    # Núm., ASM, Clasificación, Área, % and Observaciones merged over the three rows (5–7).
    combinadas = [(5, c, 7, c) for c in (1, 2, 3, 4, 9, 10)]
    leido = sin_problemas(leer(formato, Hoja("Plan", plan(filas), combinadas)))
    uno, dos = leido.planes[0].filas
    assert [a.texto for a in uno.detalle] == [
        "Depurar el padrón", "Publicar el padrón", "Capacitar al personal",
    ]  # fmt: skip
    assert [a.fecha_termino for a in uno.detalle] == [
        date(2025, 6, 30), date(2025, 9, 30), date(2025, 8, 15),
    ]  # fmt: skip
    assert uno.fecha_termino == date(2025, 9, 30)  # the latest
    assert uno.actividades.splitlines() == [
        "Depurar el padrón (término: 30/06/2025; producto: Padrón)",
        "Publicar el padrón (término: 30/09/2025; producto: Página web)",
        "Capacitar al personal (término: 15/08/2025)",
    ]
    assert uno.productos_evidencias == "Padrón\nPágina web"
    assert (uno.avance, uno.observaciones, uno.area_responsable) == (50, "En curso", "SMDIF")
    assert (dos.numero, dos.avance) == (2, 10)


@pytest.mark.parametrize("formato", FORMATOS)
def test_one_asm_over_several_blank_rows(formato: str) -> None:
    filas = [
        asm(1, "Integrar un padrón único", "Específico", actividades="Depurar",
            fecha="30/06/2025", avance="40"),
        asm(None, None, None, actividades="Publicar", fecha="31/07/2025", productos="Liga",
            resultados="Padrón publicado"),
        asm(2, "Actualizar la MIR", "Institucional", actividades="Mesas", avance="0"),
    ]  # fmt: skip
    leido = sin_problemas(leer(formato, Hoja("Plan", plan(filas))))
    uno, dos = leido.planes[0].filas
    assert uno.resultados_esperados == "Padrón publicado"
    assert [a.texto for a in uno.detalle] == ["Depurar", "Publicar"]
    assert uno.fecha_termino == date(2025, 7, 31)
    assert (uno.fila, uno.ultima_fila, dos.numero) == (5, 6, 2)


def test_password_protected_files_say_so() -> None:
    # Excel 2007+ with a password: an OLE container with the encrypted package inside.
    cifrado = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le")
    )
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
        z.writestr("META-INF/manifest.xml", "<manifest:encryption-data/>")
    for datos, nombre in ((cifrado, "a.xlsx"), (ods.getvalue(), "a.ods")):
        (p,) = leer_anexo_a(datos, nombre).problemas
        assert p.mensaje.startswith(f"«{nombre}» tiene contraseña; ábralo, quítele la contraseña")


@pytest.mark.parametrize("formato", ["xlsx", "xls", "ods"])
def test_a_truncated_file_is_damaged_and_asked_again(formato: str) -> None:
    datos = archivo(formato, [Hoja("Plan", plan(FILAS))])
    (p,) = leer_anexo_a(datos[: len(datos) // 2], f"a.{formato}").problemas
    assert p.mensaje == (
        f"«a.{formato}» está dañado o incompleto y no se puede abrir; guárdelo de nuevo desde "
        "Excel o LibreOffice y envíelo otra vez."
    )


# --- Percentages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valores", "esperados"),
    [
        ([45, 10], [45, 10]),
        (["45 %", "10%"], [45, 10]),
        ([Porcentaje(0.45), Porcentaje(0.1)], [45, 10]),
        ([0.45, 0.8], [45, 80]),  # no format (Google Sheets, pasted values): fractions
        (["0.45", "0.8"], [45, 80]),
        ([0.45, 1], [45, 100]),
        ([1, 0], [1, 0]),  # no number strictly between 0 and 1: percents
        ([0.5, 30], [1, 30]),  # one above 1: the column holds percents
    ],
)
@pytest.mark.parametrize("formato", ["xlsx", "csv", "ods"])
def test_percentages_in_every_form(
    formato: str, valores: list[object], esperados: list[int]
) -> None:
    filas = [asm(i, f"ASM {i}", "Específico", avance=v) for i, v in enumerate(valores, start=1)]
    leido = sin_problemas(leer(formato, Hoja("Plan", plan(filas))))
    assert [f.avance for f in leido.planes[0].filas] == esperados


def test_an_ods_of_only_zero_and_hundred_percent_reads_them_as_such() -> None:
    filas = [asm(1, "Uno", "Específico", avance=Porcentaje(1)),
             asm(2, "Dos", "Específico", avance=Porcentaje(0))]  # fmt: skip
    leido = sin_problemas(leer("ods", Hoja("Plan", plan(filas))))
    assert [f.avance for f in leido.planes[0].filas] == [100, 0]


@pytest.mark.parametrize("marca", ["N/A", "-", "n/a", "No aplica"])
def test_na_is_an_empty_percent_with_a_warning(marca: str) -> None:
    filas = [asm(1, "Uno", "Específico", avance=marca), asm(2, "Dos", "Específico", avance=20)]
    leido = sin_problemas(leer("xlsx", Hoja("Plan", plan(filas))))
    assert [f.avance for f in leido.planes[0].filas] == [None, 20]
    (aviso,) = leido.advertencias
    assert (aviso.hoja, aviso.fila, aviso.columna) == ("Plan", 5, "I")
    assert f"«{marca}» en % de avance" in aviso.mensaje


# --- Dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "valor",
    [date(2025, 6, 30), 45838, "45838", "30/06/2025", "30/06/25", "30-jun-25", "30-jun-2025",
     "2025-06-30", "30 de junio de 2025", "30-Jun-2025"],
)  # fmt: skip
def test_dates_in_every_form(valor: object) -> None:
    assert interpretar_fecha(valor) == date(2025, 6, 30)


@pytest.mark.parametrize(
    ("valor", "fin"),
    [("junio 2025", date(2025, 6, 30)), ("jun-2025", date(2025, 6, 30)),
     ("Diciembre 2025", date(2025, 12, 31)), ("1er semestre 2025", date(2025, 6, 30)),
     ("2do semestre 2025", date(2025, 12, 31)), ("4to trimestre 2025", date(2025, 12, 31)),
     ("febrero 2024", date(2024, 2, 29))],
)  # fmt: skip
def test_a_month_or_a_period_is_its_last_day_with_a_warning(valor: str, fin: date) -> None:
    fecha, aviso = interpretar_fecha_o_periodo(valor)
    assert fecha == fin and aviso is not None and valor in aviso


def test_the_warning_names_the_cell_and_impossible_dates_are_problems() -> None:
    filas = [asm(1, "Uno", "Específico", fecha="junio 2025"),
             asm(2, "Dos", "Específico", fecha="31/02/2025")]  # fmt: skip
    leido = leer("xlsx", Hoja("Plan", plan(filas)))
    assert [str(a) for a in leido.advertencias] == [
        "Hoja «Plan», fila 5, columna F: «junio 2025» no es un día; se toma el último día del "
        "periodo, 30/06/2025."
    ]
    assert leido.problemas == [
        Problema(
            "Plan", 6, "F", "«31/02/2025» no es una fecha válida: febrero de 2025 no tiene día 31."
        )
    ]


# --- Quarter and year -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "texto",
    ["2T-2025", "T2/2025", "2T 2025", "II Trim. 2025", "Abril - Junio 2025",
     "01/04/2025 al 30/06/2025", "Segundo trimestre 2025", "2do. trimestre 2025", "2025T2"],
)  # fmt: skip
def test_quarters_in_every_form(texto: str) -> None:
    assert interpretar_trimestre(texto) == T2


@pytest.mark.parametrize("texto", ["2do.", "2°", "II", "Segundo", "2"])
@pytest.mark.parametrize("etiqueta", ["AÑO:", "EJERCICIO FISCAL:", "Año"])
def test_quarter_and_year_written_apart(texto: str, etiqueta: str) -> None:
    filas: list[Sequence[object]] = [
        ["Programa presupuestario / Fondo: E003"],
        ["TRIMESTRE:", texto, None, etiqueta, 2025],
        [],
        ENCABEZADOS,
        asm(1, "Uno", "Específico"),
    ]
    leido = sin_problemas(leer("xlsx", Hoja("Plan", filas)))
    assert leido.planes[0].trimestre == T2


def test_a_date_range_that_is_not_a_quarter_is_not_read_as_one() -> None:
    with pytest.raises(ValueError, match="no se entiende el trimestre"):
        interpretar_trimestre("01/04/2025 al 31/05/2025")


# --- Rows that are not ASM ------------------------------------------------------------------------


@pytest.mark.parametrize("formato", ["xlsx", "xls", "csv"])
def test_rows_that_are_not_asm_are_skipped_and_listed(formato: str) -> None:
    filas: list[Sequence[object]] = [
        list("abcdefghij"),  # 5: a)–j) letters under the headers
        asm(1, "Uno", "Específico", avance=10),
        ["Hoja 1 de 2"],  # 7: page footer
        ENCABEZADOS,  # 8: header repeated for the printed second page
        [f"{letra})" for letra in "abcdefghij"],  # 9
        asm(2, "Dos", "Institucional", avance=30),
        [None, "Total", None, None, None, None, None, None, 40],  # 11
        [None, "Promedio de avance", None, None, None, None, None, None, 20],  # 12
        ["Página 2 de 2"],  # 13
        [],
        ["Elaboró: Lic. Ana Pérez"],  # 15
        ["Nota: cifras al cierre"],
    ]
    leido = sin_problemas(leer(formato, Hoja("Plan", plan(filas))))
    (p,) = leido.planes
    assert [f.numero for f in p.filas] == [1, 2]
    assert [(o.fila, o.motivo) for o in p.omitidas] == [
        (5, "letras de las columnas"),
        (7, "pie de página"),
        (8, "encabezado repetido"),
        (9, "letras de las columnas"),
        (11, "totales o promedios"),
        (12, "totales o promedios"),
        (13, "pie de página"),
        (15, "notas y firmas (fin de la tabla)"),
    ]


# --- Classifications, Pp, columns -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("texto", "esperada"),
    [("Esp.", Clasificacion.ESPECIFICO), ("Inst.", Clasificacion.INSTITUCIONAL),
     ("Interinst.", Clasificacion.INTERINSTITUCIONAL),
     ("Intergub.", Clasificacion.INTERGUBERNAMENTAL), ("ESPECÍFICO (UR)", Clasificacion.ESPECIFICO),
     ("Institucional (dos áreas)", Clasificacion.INSTITUCIONAL), ("Inter.", None)],
)  # fmt: skip
def test_classifications_abbreviated_or_with_a_note(texto: str, esperada: object) -> None:
    assert interpretar_clasificacion(texto) == esperada


@pytest.mark.parametrize(
    ("programa", "titulo", "esperado"),
    [("E003 - Asistencia social", "Plan", "E003 - Asistencia social"), ("Pp E003", "Plan", "Pp E003"),
     (None, "E003", "E003"), (None, "E003 Asistencia", "E003 Asistencia"), (None, "Hoja1", None)],
)  # fmt: skip
def test_the_pp_in_the_header_or_in_the_sheet_name(
    programa: str | None, titulo: str, esperado: str | None
) -> None:
    leido = sin_problemas(leer("xlsx", Hoja(titulo, plan(FILAS, programa=programa))))
    assert leido.planes[0].programa == esperado
    assert leido.planes[0].programa_de_hoja is (programa is None and esperado is not None)


def test_a_file_without_the_percent_column_is_refused_naming_it() -> None:
    encabezados = [e for e in ENCABEZADOS if e != "% de avance"]
    filas = [f[:8] + f[9:] for f in FILAS]
    leido = leer("xlsx", Hoja("Plan", plan(filas, encabezados=encabezados)))
    assert leido.problemas == [
        Problema("Plan", 4, None, "falta la columna «% de avance» en los encabezados.")
    ]


def test_an_empty_percent_column_is_a_new_plan() -> None:
    filas = [asm(1, "Uno", "Específico"), asm(2, "Dos", "Específico")]
    leido = sin_problemas(leer("xlsx", Hoja("Plan", plan(filas))))
    assert [f.avance for f in leido.planes[0].filas] == [None, None]


def test_an_unreadable_header_is_kept_for_the_import_to_rescue() -> None:
    leido = sin_problemas(leer("xlsx", Hoja("Plan", plan(FILAS, trimestre="el que sigue"))))
    assert leido.planes[0].trimestre is None
    assert leido.planes[0].trimestre_ilegible is not None
