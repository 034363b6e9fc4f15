"""The Anexo A as PDF, read back with pypdf: every row, whole on one page, and the page furniture."""

from __future__ import annotations

import io
import re
from datetime import date

from pypdf import PdfReader

from bench.anexo import generar_planes
from bot.anexo_a.modelo import COLUMNAS, Encabezado, FilaAnexoA, PlanAnexoA
from bot.anexo_a.pdf import escribir_anexo_a_pdf
from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion

HOY = date(2026, 12, 2)


def _pdf(planes: list[PlanAnexoA]) -> PdfReader:
    destino = io.BytesIO()
    escribir_anexo_a_pdf(destino, planes, Encabezado(), HOY)
    return PdfReader(io.BytesIO(destino.getvalue()))


def _marcadas(planes: list[PlanAnexoA]) -> list[PlanAnexoA]:
    """Each row's first and last cells carry a token naming the row."""
    return [
        PlanAnexoA(
            p.programa_clave,
            p.programa_nombre,
            p.trimestre,
            [
                FilaAnexoA(
                    numero=f.numero,
                    asm=f"INICIO-{p.programa_clave}-{f.numero} {f.asm}",
                    clasificacion=f.clasificacion,
                    area_responsable=f.area_responsable,
                    actividades=f.actividades,
                    fecha_termino=f.fecha_termino,
                    resultados_esperados=f.resultados_esperados,
                    productos_evidencias=f.productos_evidencias,
                    avance=f.avance,
                    observaciones=f"{f.observaciones} FIN-{p.programa_clave}-{f.numero}",
                )
                for f in p.filas
            ],
        )
        for p in planes
    ]


def test_160_asm_every_row_whole_on_one_page() -> None:
    planes = _marcadas(generar_planes(160, 4))
    lector = _pdf(planes)
    paginas = [p.extract_text() or "" for p in lector.pages]
    assert len(paginas) > 4
    for pagina in lector.pages:
        assert pagina.mediabox.width > pagina.mediabox.height  # landscape
    total = len(paginas)
    inicio: dict[str, int] = {}
    fin: dict[str, int] = {}
    for n, texto in enumerate(paginas, 1):
        assert f"Segundo trimestre 2025 · Generado el 02/12/2026 · Página {n} de {total}" in texto
        # The ten columns head every page (their words, wrapped in their cells).
        plano = " ".join(texto.split())
        for palabra in ("Núm.", "Aspecto Susceptible", "Fecha de", "Observaciones /"):
            assert palabra in plano, (n, palabra)
        for m in re.finditer(r"INICIO-(E\d+-\d+)", texto):
            assert m.group(1) not in inicio
            inicio[m.group(1)] = n
        for m in re.finditer(r"FIN-(E\d+-\d+)", texto):
            fin[m.group(1)] = n
    esperadas = {f"{p.programa_clave}-{f.numero}" for p in planes for f in p.filas}
    assert len(esperadas) == 160
    assert set(inicio) == set(fin) == esperadas
    assert inicio == fin  # no row starts on one page and ends on the next
    primera = " ".join(paginas[0].split())
    for texto in (
        "H. Ayuntamiento del Municipio de Puebla",
        "Instituto Municipal de Planeación",
        "Plan de Acción: Aspectos Susceptibles de Mejora (ASM)",
        "Programa presupuestario / Fondo: E001 Programa 1",
        "Trimestre y año: Segundo trimestre 2025",
    ):
        assert texto in primera


def test_typed_text_cannot_break_the_layout() -> None:
    raro = (
        "<b>negrita</b> & =SUMA(A1) 😀 \x00\x07 tab\there\r\nlínea nueva "
        + "palabrasinespaciosmuylarga" * 12
    )
    alta = " ".join(f"renglón{i}" for i in range(900))  # taller than a whole page
    fila = FilaAnexoA(
        numero=1, asm=raro, clasificacion=Clasificacion.INTERGUBERNAMENTAL,
        area_responsable="Tesorería", actividades=alta, fecha_termino=date(2026, 12, 31),
        resultados_esperados="", productos_evidencias="", avance=45,
        observaciones="Observación " * 250,  # 3,000 characters
    )  # fmt: skip
    otra = FilaAnexoA(
        numero=2, asm="Después de la fila alta", clasificacion=Clasificacion.ESPECIFICO,
        area_responsable="", actividades="", fecha_termino=None, resultados_esperados="",
        productos_evidencias="", avance=None, observaciones="",
    )  # fmt: skip
    lector = _pdf([PlanAnexoA("E003", "Asistencia social", Trimestre(2026, 4), [fila, otra])])
    texto = "\n".join(p.extract_text() or "" for p in lector.pages)
    plano = " ".join(texto.split())
    assert "<b>negrita</b> & =SUMA(A1) 😀" in plano
    assert "\x00" not in texto and "\x07" not in texto
    assert "Intergubernamental" in plano and "31/12/2026" in plano and "45 %" in plano
    # The row taller than a page continues on the next pages, every word kept, in order.
    assert len(lector.pages) >= 3
    numeros = [int(n) for n in re.findall(r"renglón(\d+)", texto)]
    assert numeros == list(range(900))
    assert plano.count("Observación") == 250
    assert "Después de la fila alta" in plano
    assert all(c in plano for c in COLUMNAS[-1].split())


def test_spanish_characters_survive() -> None:
    fila = FilaAnexoA(
        numero=7, asm="¿Añadir señalética? ¡Sí! «Güiro» — ÁÉÍÓÚÜÑ áéíóúüñ º ª €",
        clasificacion=Clasificacion.ESPECIFICO, area_responsable="", actividades="",
        fecha_termino=None, resultados_esperados="", productos_evidencias="", avance=100,
        observaciones="",
    )  # fmt: skip
    lector = _pdf([PlanAnexoA("E003", "Asistencia social", Trimestre(2026, 4), [fila])])
    plano = " ".join((lector.pages[0].extract_text() or "").split())
    assert "¿Añadir señalética? ¡Sí! «Güiro» — ÁÉÍÓÚÜÑ áéíóúüñ º ª €" in plano
