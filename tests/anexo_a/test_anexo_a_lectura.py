"""Reading Anexo A files as dependencias fill them (bot/anexo_a_lectura.py).

Every file is built here with openpyxl, each in one of the layouts seen in practice.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.anexo_a.lectura import (
    interpretar_clasificacion,
    interpretar_fecha,
    interpretar_trimestre,
    leer_anexo_a,
)
from bot.anexo_a.modelo import AnexoLeido, FilaLeida, PlanLeido, Problema
from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion

# The headers of the Lineamientos' own Anexo A, with its typo “a Empezar”.
OFICIALES = [
    "Núm.",
    "Aspecto Susceptible de Mejora (ASM)",
    "Clasificación (Por actores involucrados)",
    "Área responsable (Dependencia y Unidad Administrativa)",
    "Actividades / Acciones a Empezar",
    "Fecha de Término",
    "Resultados Esperados",
    "Productos y/o evidencias",
    "% de avance",
    "Observaciones / Justificaciones",
]

ESP = Clasificacion.ESPECIFICO
INST = Clasificacion.INSTITUCIONAL


def libro_nuevo(titulo: str = "Plan") -> tuple[Workbook, Worksheet]:
    libro = Workbook()
    ws = libro.active
    assert isinstance(ws, Worksheet)
    ws.title = titulo
    return libro, ws


def escribir(ws: Worksheet, fila: int, valores: Sequence[Any], columna: int = 1) -> None:
    for desplazamiento, valor in enumerate(valores):
        if valor is not None:
            ws.cell(fila, columna + desplazamiento, valor)


def fila_asm(
    numero: object, asm: str | None, clasificacion: str | None, **otros: object
) -> list[object]:
    """A table row in the official column order; omitted columns stay empty."""
    return [
        numero,
        asm,
        clasificacion,
        otros.get("area"),
        otros.get("actividades"),
        otros.get("fecha"),
        otros.get("resultados"),
        otros.get("productos"),
        otros.get("avance"),
        otros.get("observaciones"),
    ]


def tabla_simple(
    ws: Worksheet, filas: Sequence[Sequence[object]], encabezados: Sequence[str] = OFICIALES
) -> None:
    """Headers on row 1 and the rows from row 2."""
    escribir(ws, 1, list(encabezados))
    for i, valores in enumerate(filas, start=2):
        escribir(ws, i, valores)


def leer(libro: Workbook, tmp_path: Path, nombre: str = "anexo.xlsx") -> AnexoLeido:
    ruta = tmp_path / nombre
    libro.save(ruta)
    return leer_anexo_a(ruta, nombre)


def lugares(leido: AnexoLeido) -> list[tuple[str, int | None, str | None]]:
    return [(p.hoja, p.fila, p.columna) for p in leido.problemas]


def leida(
    fila: int, numero: int, asm: str, clasificacion: Clasificacion, **otros: Any
) -> FilaLeida:
    """A FilaLeida with empty text and None for what the test does not set."""
    valores: dict[str, Any] = {
        "area_responsable": "",
        "actividades": "",
        "fecha_termino": None,
        "resultados_esperados": "",
        "productos_evidencias": "",
        "avance": None,
        "observaciones": "",
    }
    valores.update(otros)
    return FilaLeida(fila=fila, numero=numero, asm=asm, clasificacion=clasificacion, **valores)


# --- Layouts. ---


def test_formato_oficial_de_los_lineamientos(tmp_path):
    libro, ws = libro_nuevo("Plan de Acción")
    ws["A1"] = "Puebla Contigo y con rumbo\nGobierno Municipal"
    ws.merge_cells("A1:B3")
    ws["C1"] = "Plan de Acción: Aspectos Susceptibles de Mejora (ASM)"
    ws.merge_cells("C1:H1")
    ws["C2"] = "PROGRAMA PRESUPUESTARIO / FONDO"
    ws.merge_cells("C2:D2")
    ws["E2"] = "E012 Seguridad Pública"
    ws.merge_cells("E2:H2")
    ws["C3"] = "TRIMESTRE y AÑO"
    ws.merge_cells("C3:D3")
    ws["E3"] = "Segundo trimestre 2025"
    ws.merge_cells("E3:H3")
    ws["I1"] = "IMPLAN Instituto Municipal de Planeación Puebla"
    ws.merge_cells("I1:J3")
    escribir(ws, 4, OFICIALES)
    escribir(
        ws,
        5,
        fila_asm(
            1,
            "Actualizar el diagnóstico del programa",
            "Específico",
            area="Secretaría de Seguridad Ciudadana / Dirección de Planeación",
            actividades="Elaborar el diagnóstico",
            fecha=datetime(2025, 9, 30),
            resultados="Diagnóstico actualizado",
            productos="Documento del diagnóstico",
            avance=0.25,
        ),
    )
    ws["F5"].number_format = "dd/mm/yyyy"
    ws["I5"].number_format = "0%"
    escribir(
        ws,
        6,
        fila_asm(
            2,
            "  Integrar la MIR  ",
            "Institucional",
            fecha=datetime(2025, 12, 31),
            observaciones="Sin avance por cambio de titular",
        ),
    )

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes == [
        PlanLeido(
            hoja="Plan de Acción",
            programa="E012 Seguridad Pública",
            trimestre=Trimestre(2025, 2),
            dependencia=None,
            filas=[
                leida(
                    5,
                    1,
                    "Actualizar el diagnóstico del programa",
                    ESP,
                    area_responsable="Secretaría de Seguridad Ciudadana / Dirección de Planeación",
                    actividades="Elaborar el diagnóstico",
                    fecha_termino=date(2025, 9, 30),
                    resultados_esperados="Diagnóstico actualizado",
                    productos_evidencias="Documento del diagnóstico",
                    avance=25,
                ),
                leida(
                    6,
                    2,
                    "Integrar la MIR",
                    INST,
                    fecha_termino=date(2025, 12, 31),
                    observaciones="Sin avance por cambio de titular",
                ),
            ],
        )
    ]


def test_tabla_en_columna_c_con_encabezados_combinados_y_columnas_de_sobra(tmp_path):
    libro, ws = libro_nuevo("FORTAMUN")
    ws["C1"] = "H. AYUNTAMIENTO DEL MUNICIPIO DE PUEBLA"
    ws.merge_cells("C1:N1")
    ws["C2"] = "Programa presupuestario / Fondo:  FORTAMUN-DF "
    ws["C3"] = "Dependencia/Entidad"  # value two cells to the right, past an empty one
    ws["E3"] = "Secretaría de Movilidad"
    ws["C4"] = "Trimestre"
    ws["D4"] = "2do trimestre 2025"
    # Headers in capitals, without accents, with line breaks; all but “Seguimiento” take two
    # rows, whose second row names the last two columns. F is empty; N is not an Anexo A column.
    encabezados = {
        "C": "NUM",
        "D": "ASPECTO SUSCEPTIBLE\nDE MEJORA",
        "E": "CLASIFICACION\n(POR ACTORES  INVOLUCRADOS)",
        "G": "AREA RESPONSABLE (DEPENDENCIAS/ENTIDADES Y UNIDAD ADMINISTRATIVA)",
        "H": "ACTIVIDADES /\nACCIONES A EMPRENDER",
        "I": "FECHA DE\nTERMINO",
        "J": "RESULTADOS  ESPERADOS",
        "K": "PRODUCTOS Y/O EVIDENCIAS",
        "N": "Comentarios IMPLAN",
    }
    for letra, texto in encabezados.items():
        ws[f"{letra}5"] = texto
        ws.merge_cells(f"{letra}5:{letra}6")
    ws["L5"] = "Seguimiento"
    ws.merge_cells("L5:M5")
    ws["L6"] = "AVANCE (%)"
    ws["M6"] = "OBSERVACIONES"

    escribir(ws, 7, ["1.", "Depurar el padrón", "ESPECIFICO", None, "Dirección de Padrón"], 3)
    escribir(ws, 7, ["Cruce de bases", "30/06/2025", "Padrón depurado", "Padrón", "45%"], 8)
    ws["N7"] = "revisado"
    escribir(ws, 9, [2.0, "Publicar indicadores", "Aspecto institucional"], 3)
    escribir(ws, 11, ["3", "Convenio con el Estado", "Intergubernamental"], 3)
    ws["M11"] = "En gestión"

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes == [
        PlanLeido(
            hoja="FORTAMUN",
            programa="FORTAMUN-DF",
            trimestre=Trimestre(2025, 2),
            dependencia="Secretaría de Movilidad",
            filas=[
                leida(
                    7,
                    1,
                    "Depurar el padrón",
                    ESP,
                    area_responsable="Dirección de Padrón",
                    actividades="Cruce de bases",
                    fecha_termino=date(2025, 6, 30),
                    resultados_esperados="Padrón depurado",
                    productos_evidencias="Padrón",
                    avance=45,
                ),
                leida(9, 2, "Publicar indicadores", INST),
                leida(
                    11,
                    3,
                    "Convenio con el Estado",
                    Clasificacion.INTERGUBERNAMENTAL,
                    observaciones="En gestión",
                ),
            ],
        )
    ]


@pytest.mark.parametrize(
    ("texto", "columna"),
    [
        ("No.", 0),
        ("Num", 0),
        ("#", 0),
        ("Número", 0),
        ("N°", 0),
        ("ASM", 1),
        ("Aspectos Susceptibles de Mejora", 1),
        ("Clasificacion", 2),
        ("Área Responsable (Dependencias/Entidades y Unidad Administrativa)", 3),
        ("Actividades / Acciones a Emprender", 4),
        ("Fecha de término", 5),
        ("Resultados esperados", 6),
        ("Productos y/o Evidencias", 7),
        ("Porcentaje de avance", 8),
        ("Avance (%)", 8),
        ("Observaciones", 9),
    ],
)
def test_variantes_de_cada_encabezado(tmp_path, texto, columna):
    libro, ws = libro_nuevo()
    encabezados = list(OFICIALES)
    encabezados[columna] = texto
    tabla_simple(ws, [fila_asm(1, "A", "Específico", area="B", actividades="C", avance=10,
                                resultados="D", productos="E", observaciones="F",
                                fecha="30/06/2025")], encabezados)  # fmt: skip

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes[0].filas == [
        leida(2, 1, "A", ESP, area_responsable="B", actividades="C", avance=10,
              resultados_esperados="D", productos_evidencias="E", observaciones="F",
              fecha_termino=date(2025, 6, 30))
    ]  # fmt: skip


def test_columnas_opcionales_ausentes_quedan_vacias(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(
        ws,
        [[1, "Depurar el padrón", "Específico", 30]],
        ["No.", "ASM", "Clasificación", "% de avance"],
    )

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes[0].filas == [leida(2, 1, "Depurar el padrón", ESP, avance=30)]


def test_notas_y_firmas_debajo_de_la_tabla(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(ws, [fila_asm(1, "Depurar el padrón", "Específico")])
    # Signature lines, the names (one of them under the ASM column), then their roles.
    escribir(ws, 5, ["", "__________________", None, None, "________________"])
    escribir(ws, 6, [None, "Lic. Ana Pérez", None, None, "Mtro. Luis Gómez", None, "Dra. Eva Ruiz"])
    escribir(ws, 7, [None, "Elaboró", None, None, "Revisó", None, "Vo. Bo."])
    escribir(ws, 8, [None, "Jefa de Departamento", None, None, "Director"])

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes[0].filas == [leida(2, 1, "Depurar el padrón", ESP)]


def test_una_nota_termina_la_tabla_aunque_siga_algo_parecido_a_un_asm(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(
        ws,
        [
            fila_asm(1, "Depurar el padrón", "Específico"),
            [],
            ["Nota: las fechas son compromisos de la dependencia."],
            fila_asm(1, "Ejemplo de llenado", "Específico"),
            ["Elaboró:", "Lic. Ana Pérez"],
        ],
    )

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes[0].filas == [leida(2, 1, "Depurar el padrón", ESP)]


def test_varias_hojas_con_planes_y_una_de_instrucciones(tmp_path):
    libro, instrucciones = libro_nuevo("Instrucciones")
    escribir(instrucciones, 1, ["Llene una hoja por programa."])
    escribir(instrucciones, 2, ["a) Núm.: Se deberá numerar la cantidad de ASM identificados."])
    for titulo, programa, asm in (("E012", "E012 Seguridad", "Uno"), ("K005", "K005 Obra", "Dos")):
        ws = libro.create_sheet(titulo)
        escribir(ws, 1, ["Programa presupuestario / Fondo:", programa])
        escribir(ws, 2, ["Trimestre y año:", "2025T3"])
        escribir(ws, 4, OFICIALES)
        escribir(ws, 5, fila_asm(1, asm, "Institucional"))

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes == [
        PlanLeido("E012", "E012 Seguridad", Trimestre(2025, 3), None, [leida(5, 1, "Uno", INST)]),
        PlanLeido("K005", "K005 Obra", Trimestre(2025, 3), None, [leida(5, 1, "Dos", INST)]),
    ]


def test_valor_de_etiqueta_en_la_fila_de_abajo_y_hoja_sin_encabezado(tmp_path):
    libro, ws = libro_nuevo()
    escribir(ws, 1, ["Dependencia o Entidad", None, "Trimestre y año"])
    escribir(ws, 2, ["Tesorería Municipal", None, "Tercer trimestre 2025"])
    escribir(ws, 4, OFICIALES)
    escribir(ws, 5, fila_asm(1, "Uno", "Específico"))

    plan = leer(libro, tmp_path).planes[0]

    assert (plan.programa, plan.dependencia, plan.trimestre) == (
        None,
        "Tesorería Municipal",
        Trimestre(2025, 3),
    )


# --- Values. ---


def test_fechas_reales_y_escritas(tmp_path):
    libro, ws = libro_nuevo()
    fechas = [
        date(2025, 6, 30),
        datetime(2025, 6, 30, 0, 0),
        "30/06/2025",
        "30-06-2025",
        "2025-06-30",
        "30 de junio de 2025",
        "30 junio 2025",
        "30 de JUNIO del 2025",
        None,
    ]
    tabla_simple(
        ws, [fila_asm(i, f"ASM {i}", "Específico", fecha=f) for i, f in enumerate(fechas, 1)]
    )

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert [f.fecha_termino for f in leido.planes[0].filas] == [date(2025, 6, 30)] * 8 + [None]


@pytest.mark.parametrize(
    ("valor", "esperada"),
    [
        ("15 de Setiembre de 2025", date(2025, 9, 15)),
        ("15 de septiembre de 2025", date(2025, 9, 15)),
        ("1 de DICIEMBRE de 2025", date(2025, 12, 1)),
        ("lunes 30 de junio de 2025", date(2025, 6, 30)),
        ("30-jun-2025", date(2025, 6, 30)),
        ("30/06/25", date(2025, 6, 30)),
        ("2025-06-30 00:00:00", date(2025, 6, 30)),
        (45838, date(2025, 6, 30)),  # Excel's day number, in a cell without a date format
        (datetime(2025, 6, 30, 14, 5), date(2025, 6, 30)),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_interpretar_fecha(valor, esperada):
    assert interpretar_fecha(valor) == esperada


@pytest.mark.parametrize(
    ("valor", "mensaje"),
    [
        ("31/02/2025", "«31/02/2025» no es una fecha válida: febrero de 2025 no tiene día 31."),
        ("06/30/2025", "«06/30/2025» no es una fecha válida: no existe el mes 30."),
        ("31 de abril de 2025", "«31 de abril de 2025» no es una fecha válida: abril de 2025 no tiene día 31."),
        ("mañana", "«mañana» no es una fecha; escríbala como 30/06/2025."),
        ("30 de juño de 2025", "«30 de juño de 2025» no es una fecha; escríbala como 30/06/2025."),
        (45, "«45» no es una fecha; escríbala como 30/06/2025."),
    ],
)  # fmt: skip
def test_interpretar_fecha_rechaza(valor, mensaje):
    with pytest.raises(ValueError) as error:
        interpretar_fecha(valor)
    assert str(error.value) == mensaje


def test_porcentajes_en_todas_sus_formas(tmp_path):
    libro, ws = libro_nuevo()
    # (value, number format): a fraction only counts as such under a percent format.
    avances: list[tuple[object, str | None]] = [
        (45, None),
        (0.45, "0%"),
        ("45%", None),
        ("45 %", None),
        ("45", None),
        (0.455, "0.0%"),  # 45.5 % → 46: halves round up
        (45.5, None),
        (1, "0%"),
        (0, None),
        (None, None),
    ]
    tabla_simple(
        ws, [fila_asm(i, f"ASM {i}", "Específico", avance=v) for i, (v, _) in enumerate(avances, 1)]
    )
    for fila, (_, formato) in enumerate(avances, start=2):
        if formato:
            ws.cell(fila, 9).number_format = formato

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert [f.avance for f in leido.planes[0].filas] == [45, 45, 45, 45, 45, 46, 46, 100, 0, None]


@pytest.mark.parametrize(
    ("texto", "esperada"),
    [
        ("Específico", Clasificacion.ESPECIFICO),
        ("ESPECIFICO", Clasificacion.ESPECIFICO),
        ("Aspecto específico", Clasificacion.ESPECIFICO),
        ("Aspectos específicos", Clasificacion.ESPECIFICO),
        ("Aspectos institucionales", Clasificacion.INSTITUCIONAL),
        ("Aspecto institucional", Clasificacion.INSTITUCIONAL),
        (" institucional. ", Clasificacion.INSTITUCIONAL),
        ("Interinstitucional", Clasificacion.INTERINSTITUCIONAL),
        ("Inter-institucional", Clasificacion.INTERINSTITUCIONAL),
        ("Intergubernamental", Clasificacion.INTERGUBERNAMENTAL),
        ("INTERGUBERNAMENTALES", Clasificacion.INTERGUBERNAMENTAL),
        ("Estatal", None),
        ("", None),
    ],
)
def test_interpretar_clasificacion(texto, esperada):
    assert interpretar_clasificacion(texto) == esperada


def test_clasificaciones_en_el_archivo(tmp_path):
    libro, ws = libro_nuevo()
    textos = ["Específico", "Aspectos institucionales", "Inter-institucional", "Intergubernamental"]
    tabla_simple(ws, [fila_asm(i, f"ASM {i}", t) for i, t in enumerate(textos, 1)])

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert [f.clasificacion for f in leido.planes[0].filas] == list(Clasificacion)


@pytest.mark.parametrize(
    ("texto", "esperado"),
    [
        ("2025T2", Trimestre(2025, 2)),
        ("2025-T2", Trimestre(2025, 2)),
        ("Segundo trimestre 2025", Trimestre(2025, 2)),
        ("SEGUNDO TRIMESTRE DE 2025", Trimestre(2025, 2)),
        ("2do trimestre 2025", Trimestre(2025, 2)),
        ("2° Trimestre 2025", Trimestre(2025, 2)),
        ("2º Trimestre 2025", Trimestre(2025, 2)),
        ("Trimestre 2 de 2025", Trimestre(2025, 2)),
        ("abril-junio 2025", Trimestre(2025, 2)),
        ("Abril - Junio de 2025", Trimestre(2025, 2)),
        ("T2 2025", Trimestre(2025, 2)),
        ("Primer trimestre 2026", Trimestre(2026, 1)),
        ("4to. trimestre 2025", Trimestre(2025, 4)),
        ("octubre a diciembre 2025", Trimestre(2025, 4)),
        ("III Trimestre 2025", Trimestre(2025, 3)),
        ("Segundo trimestre (abril-junio) 2025", Trimestre(2025, 2)),
        (datetime(2025, 8, 1), Trimestre(2025, 3)),
        ("", None),
        (None, None),
    ],
)
def test_interpretar_trimestre(texto, esperado):
    assert interpretar_trimestre(texto) == esperado


@pytest.mark.parametrize(
    "texto",
    ["2025", "Segundo trimestre", "quinto trimestre 2025", "abril-mayo 2025", "T2 2024 2025"],
)
def test_interpretar_trimestre_rechaza(texto):
    with pytest.raises(ValueError, match="no se entiende el trimestre"):
        interpretar_trimestre(texto)


def test_texto_que_empieza_con_igual_se_guarda_tal_cual(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(ws, [fila_asm(1, "=Revisar el padrón", "Específico", observaciones="=B2 y más")])
    ruta = tmp_path / "anexo.xlsx"
    libro.save(ruta)
    assert load_workbook(ruta)["Plan"]["B2"].data_type == "f"  # openpyxl made it a formula

    leido = leer_anexo_a(ruta)

    assert leido.problemas == []
    assert leido.planes[0].filas == [
        leida(2, 1, "=Revisar el padrón", ESP, observaciones="=B2 y más")
    ]


def test_formula_en_num_usa_el_resultado_guardado(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(ws, [fila_asm(1, "Uno", "Específico"), fila_asm("=A2+1", "Dos", "Específico")])
    ruta = tmp_path / "anexo.xlsx"
    libro.save(ruta)
    # openpyxl saves no result for formulas; write the one Excel would have saved.
    con_resultado = tmp_path / "calculado.xlsx"
    with zipfile.ZipFile(ruta) as origen, zipfile.ZipFile(con_resultado, "w") as destino:
        for parte in origen.infolist():
            datos = origen.read(parte.filename)
            if parte.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>A2+1</f><v />" in datos
                datos = datos.replace(b"<f>A2+1</f><v />", b"<f>A2+1</f><v>2</v>")
            destino.writestr(parte, datos)

    assert [f.numero for f in leer_anexo_a(con_resultado).planes[0].filas] == [1, 2]
    sin_resultado = leer_anexo_a(ruta)
    assert sin_resultado.problemas == [
        Problema(
            "Plan",
            3,
            "A",
            "la celda tiene la fórmula «=A2+1» sin resultado guardado; escriba el valor.",
        )
    ]


def test_num_vacio_en_toda_la_columna_numera_en_orden(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(
        ws, [fila_asm(None, "Uno", "Específico"), [], fila_asm(None, "Dos", "Institucional")]
    )

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes[0].filas == [leida(2, 1, "Uno", ESP), leida(4, 2, "Dos", INST)]


def test_filas_numeradas_de_antemano_sin_llenar(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(
        ws,
        [fila_asm(1, "Uno", "Específico"), [2], [3], fila_asm(4, "Cuatro", "Específico"), [5], [6]],
    )

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes[0].filas == [leida(2, 1, "Uno", ESP), leida(5, 4, "Cuatro", ESP)]


def test_celda_combinada_hacia_abajo_vale_para_cada_fila(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(
        ws,
        [
            fila_asm(1, "Uno", "Específico", area="Dirección de Egresos"),
            fila_asm(2, "Dos", "Específico"),
        ],
    )
    ws.merge_cells("D2:D3")
    ws.merge_cells("C2:C3")

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert leido.planes[0].filas == [
        leida(2, 1, "Uno", ESP, area_responsable="Dirección de Egresos"),
        leida(3, 2, "Dos", ESP, area_responsable="Dirección de Egresos"),
    ]


def test_lee_de_un_archivo_abierto(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(ws, [fila_asm(1, "Uno", "Específico")])
    memoria = io.BytesIO()
    libro.save(memoria)
    memoria.seek(0)

    assert leer_anexo_a(memoria).planes[0].filas == [leida(2, 1, "Uno", ESP)]


# --- Files with problems. ---


def test_reune_todos_los_problemas_con_su_lugar(tmp_path):
    libro, ws = libro_nuevo("E012")
    tabla_simple(
        ws,
        [
            fila_asm(1, "Uno", "Estatal"),
            fila_asm(2, "Dos", "Específico", avance=120),
            fila_asm(3, "Tres", "Específico", fecha="31/02/2025"),
            fila_asm(3, "Cuatro", "Específico"),
            fila_asm(None, "Cinco", "Específico"),
            fila_asm(6, "", "Específico", avance="mucho"),
            fila_asm("seis", "Siete", ""),
            [None, None, None, "Dirección de Egresos", "Continúa la actividad anterior"],
            fila_asm(8, "Ocho", "Específico"),
        ],
    )
    ws["I3"].number_format = "0"

    leido = leer(libro, tmp_path)

    acepta = "escriba Específico, Institucional, Interinstitucional o Intergubernamental."
    assert leido.problemas == [
        Problema("E012", 2, "C", f"la clasificación «Estatal» no es válida; {acepta}"),
        Problema("E012", 3, "I", "el % de avance 120 está fuera de rango (0 a 100)."),
        Problema(
            "E012", 4, "F", "«31/02/2025» no es una fecha válida: febrero de 2025 no tiene día 31."
        ),
        Problema("E012", 5, "A", "el Núm. 3 se repite (ya está en la fila 4)."),
        Problema("E012", 6, "A", "falta el Núm. del ASM."),
        Problema("E012", 7, "B", "falta el «Aspecto Susceptible de Mejora (ASM)»."),
        Problema("E012", 7, "I", "«mucho» no es un % de avance; escriba un número de 0 a 100."),
        Problema("E012", 8, "A", "el Núm. «seis» no es un número entero mayor que cero."),
        Problema("E012", 8, "C", f"falta la clasificación; {acepta}"),
    ]
    # The rows without problems are still read, for a caller that wants to show them.
    assert [f.fila for f in leido.planes[0].filas] == [10]


def test_num_combinado_sobre_varias_filas_es_un_asm_con_sus_actividades(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(
        ws,
        [
            fila_asm(1, "Uno", "Específico", actividades="Primera", fecha="30/06/2025"),
            fila_asm(None, None, None, actividades="Segunda", fecha="30/09/2025", productos="Acta"),
        ],
    )
    for letra in "ABC":
        ws.merge_cells(f"{letra}2:{letra}3")

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    [fila] = leido.planes[0].filas
    assert (fila.numero, fila.fila, fila.ultima_fila) == (1, 2, 3)
    assert fila.actividades == (
        "Primera (término: 30/06/2025)\nSegunda (término: 30/09/2025; producto: Acta)"
    )
    assert fila.fecha_termino == date(2025, 9, 30)  # the latest
    assert fila.productos_evidencias == "Acta"
    assert [a.texto for a in fila.detalle] == ["Primera", "Segunda"]


def test_trimestre_ilegible_queda_senalado_en_su_celda(tmp_path):
    libro, ws = libro_nuevo()
    escribir(ws, 1, ["Trimestre y año:", None, "el segundo"])
    escribir(ws, 3, OFICIALES)
    escribir(ws, 4, fila_asm(1, "Uno", "Específico"))

    leido = leer(libro, tmp_path)

    # A problem only if the import is not told the quarter otherwise (--trimestre).
    assert leido.problemas == []
    assert leido.planes[0].trimestre is None
    assert leido.planes[0].trimestre_ilegible == Problema(
        "Plan",
        1,
        "C",
        "no se entiende el trimestre «el segundo»; escríbalo como «Segundo trimestre 2025» "
        "o 2025T2.",
    )


def test_falta_una_columna_obligatoria(tmp_path):
    libro, ws = libro_nuevo("E012")
    escribir(ws, 1, ["Programa presupuestario / Fondo: E012"])
    encabezados = [e for e in OFICIALES if not e.startswith("Clasificación")]
    escribir(ws, 3, encabezados)
    escribir(ws, 4, [1, "Uno", "Dirección"])

    leido = leer(libro, tmp_path)

    assert leido.problemas == [
        Problema(
            "E012",
            3,
            None,
            "falta la columna «Clasificación (Por actores involucrados)» en los encabezados.",
        )
    ]
    assert leido.planes == []


def test_hoja_sin_tabla_se_ignora_si_otra_la_tiene(tmp_path):
    libro, ws = libro_nuevo("Plan")
    tabla_simple(ws, [fila_asm(1, "Uno", "Específico")])
    libro.create_sheet("Hoja2")["A1"] = "Catálogo de unidades"

    leido = leer(libro, tmp_path)

    assert leido.problemas == []
    assert [p.hoja for p in leido.planes] == ["Plan"]


def test_archivo_sin_tabla_en_ninguna_hoja(tmp_path):
    libro, ws = libro_nuevo("Instrucciones")
    escribir(ws, 1, ["Núm.", "Aspecto Susceptible de Mejora (ASM)", "Observaciones"])
    libro.create_sheet("Hoja2")

    leido = leer(libro, tmp_path, "plan.xlsx")

    assert leido.planes == []
    assert leido.problemas == [
        Problema(
            "",
            None,
            None,
            "«plan.xlsx» no parece un Anexo A: no se encontró en ninguna hoja («Instrucciones», "
            "«Hoja2») la tabla con las columnas Núm., Aspecto Susceptible de Mejora (ASM), "
            "Clasificación (Por actores involucrados)…",
        )
    ]


def test_libro_vacio(tmp_path):
    leido = leer(Workbook(), tmp_path, "vacio.xlsx")

    assert leido.planes == []
    assert len(leido.problemas) == 1
    assert leido.problemas[0].mensaje.startswith("«vacio.xlsx» no parece un Anexo A")


def test_tabla_sin_ningun_asm(tmp_path):
    libro, ws = libro_nuevo()
    tabla_simple(ws, [])

    leido = leer(libro, tmp_path, "plan.xlsx")

    assert leido.problemas == [
        Problema("", None, None, "«plan.xlsx» tiene la tabla del Anexo A, pero ningún ASM.")
    ]


NO_ES_XLSX = "no es una hoja de cálculo; envíe el Anexo A en .xlsx, .xls, .ods o .csv."
DANADO = (
    "está dañado o incompleto y no se puede abrir; guárdelo de nuevo desde Excel o LibreOffice "
    "y envíelo otra vez."
)


@pytest.mark.parametrize(
    ("nombre", "contenido", "mensaje"),
    [
        ("plan.xlsx", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", f"«plan.xlsx» {NO_ES_XLSX}"),
        ("plan.xlsx", b"PK\x03\x04 truncated zip", f"«plan.xlsx» {DANADO}"),
        ("vacio.xlsx", b"", f"«vacio.xlsx» {NO_ES_XLSX}"),
        ("plan.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), f"«plan.xls» {DANADO}"),
    ],
)  # fmt: skip
def test_archivo_que_no_es_xlsx(tmp_path, nombre, contenido, mensaje):
    ruta = tmp_path / nombre
    ruta.write_bytes(contenido)

    leido = leer_anexo_a(ruta, nombre)

    assert leido == AnexoLeido(planes=[], problemas=[Problema("", None, None, mensaje)])


def test_zip_que_no_es_de_excel(tmp_path):
    ruta = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(ruta, "w") as z:
        z.writestr("content.xml", "<office:document/>")  # an .ods or any other zip

    assert [p.mensaje for p in leer_anexo_a(ruta, "plan.xlsx").problemas] == [
        f"«plan.xlsx» {NO_ES_XLSX}"
    ]
