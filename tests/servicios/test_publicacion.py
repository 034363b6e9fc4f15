"""Publication (Art. 15): the plans of a fiscal year, for the web site, without personal data."""

import csv
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from pypdf import PdfReader

from bot.anexo_a.modelo import COLUMNAS
from bot.cli.main import main
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.servicios import registro
from bot.servicios.publicacion import COLUMNAS_CSV, planes_del_ejercicio, trimestre_de_corte
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Asm, Evaluacion, Programa, Usuario

NOMBRE = "Zacarías Quetzalcóatl Ñandú"
TELEGRAM_ID = 987654321012
FOLIO = "AV-2025-000123"
SCRIPT = '<script>alert("hola")</script> & más'
HOY = date(2026, 11, 26)


def sembrar(url: str) -> None:
    """Two Pp/fondos with ASM of 2025 and of 2024, progress reported by a named person."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as s:
        u = Usuario(telegram_id=TELEGRAM_ID, nombre=NOMBRE, rol="enlace")
        pp = Programa(clave="E010", nombre="Agua potable <segura>", tipo="pp")
        fondo = Programa(clave="FISM-DF", nombre="Fondo de Infraestructura Social", tipo="fondo")
        s.add_all([u, pp, fondo])
        s.flush()
        ev25 = Evaluacion(programa_id=pp.id, tipo="externa", ejercicio_evaluado=2025)
        ev24 = Evaluacion(programa_id=pp.id, tipo="externa", ejercicio_evaluado=2024)
        s.add_all([ev25, ev24])
        s.flush()

        def asm(
            programa: Programa, numero: int, evaluacion: Evaluacion | None, desde: date, **c: Any
        ) -> Asm:
            a = Asm(
                programa_id=programa.id,
                numero=numero,
                evaluacion_id=evaluacion.id if evaluacion else None,
            )
            s.add(a)
            s.flush()
            campos = {
                "texto": f"ASM {programa.clave}-{numero}",
                "clasificacion": "especifico",
                "area_responsable": "Organismo Operador / Dirección Técnica",
                "actividades": "Mesas de trabajo",
                "fecha_termino": date(2025, 12, 15),
                "resultados_esperados": "Padrón actualizado",
                "productos_evidencias": "Informe",
                "estado_plan": "aprobado",
                **c,
            }
            registro.nueva_version(s, a, desde, f"usuario:{u.id}", origen="bot", **campos)
            return a

        a1 = asm(
            pp, 1, ev25, date(2025, 2, 1), texto=SCRIPT, actividades="=HIPERVINCULO(1)",
            estado_plan="enviado",
        )  # fmt: skip
        # Plans not sent, or returned with observations, are not published.
        asm(pp, 3, ev25, date(2025, 2, 1), estado_plan="borrador")
        asm(pp, 4, ev25, date(2025, 2, 1), estado_plan="observado")
        asm(pp, 2, ev24, date(2025, 3, 1))  # its evaluation is of 2024
        a3 = asm(fondo, 1, None, date(2025, 4, 10))  # no evaluation: first version in 2025
        asm(fondo, 2, None, date(2024, 11, 5))  # no evaluation: first version in 2024
        for a, pct in ((a1, 45), (a3, 100)):
            registro.registrar_avance(
                s, a, date(2025, 11, 1), pct, f"usuario:{u.id}", origen="bot",
                usuario_id=u.id, folio=FOLIO if a is a1 else None,
                observaciones="Se entregó el oficio" if a is a1 else "",
            )  # fmt: skip
        registro.nueva_version(
            s, a3, date(2025, 12, 10), "cli", origen="bot", valoracion="atendido"
        )  # the valoración is published with its date
        registro.nueva_version(s, a3, date(2025, 12, 20), "cli", origen="bot", observaciones="Ok")
        # Progress after the year closed is not shown in the 2025 publication.
        registro.registrar_avance(s, a1, date(2026, 1, 1), 80, "cli", origen="bot")
    engine.dispose()


@pytest.fixture
def publicado(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    sembrar(database_url)
    r = asmbot(database_url, tmp_path, "publicar", "--ejercicio", "2025", "-o", "web")
    assert r.exit_code == 0, r.output
    assert "Ejercicio 2025: 2 ASM en 2 planes, estado al 31/12/2025" in r.output
    assert "No se publican 2 ASM cuyo plan está en borrador o con observaciones" in r.output
    return tmp_path / "web"


def _texto_pdf(ruta: Path) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(ruta).pages)


def asmbot(database_url: str, tmp_path: Path, *args: str) -> Result:
    env = {"DATABASE_URL": database_url, "ASMBOT_DATA_DIR": str(tmp_path / "data")}
    return CliRunner().invoke(main, list(args), env=env, prog_name="asmbot")


def test_writes_a_page_and_a_workbook_per_plan_and_one_csv(publicado: Path) -> None:
    assert sorted(p.name for p in publicado.iterdir()) == [
        "E010.html", "E010.pdf", "E010.xlsx", "FISM-DF.html", "FISM-DF.pdf", "FISM-DF.xlsx",
        "asm_2025.csv", "index.html",
    ]  # fmt: skip
    indice = (publicado / "index.html").read_text(encoding="utf-8")
    for enlace in (
        "E010.html", "E010.xlsx", "E010.pdf", "FISM-DF.html", "FISM-DF.xlsx", "FISM-DF.pdf",
        "asm_2025.csv",
    ):  # fmt: skip
        assert f'href="{enlace}"' in indice
    pdf = " ".join(_texto_pdf(publicado / "E010.pdf").split())
    assert "Plan de Acción: Aspectos Susceptibles de Mejora (ASM)" in pdf
    assert "".join(SCRIPT.split()) in "".join(pdf.split())  # a long word is cut, not lost
    assert "Estado al 31/12/2025 · Página 1 de 1" in pdf
    wb = load_workbook(publicado / "E010.xlsx")
    ws = wb.active
    assert ws is not None
    assert [c.value for c in ws[7]] == list(COLUMNAS)
    assert [c.value for c in ws[8]][:2] == [1, SCRIPT]
    assert ws.max_row == 8  # only ASM 1: ASM 2 is of the 2024 evaluation


def test_nothing_personal_is_published(publicado: Path) -> None:
    prohibidos = [NOMBRE, "Zacarías", str(TELEGRAM_ID), FOLIO]
    for archivo in publicado.iterdir():
        if archivo.suffix == ".xlsx":
            with zipfile.ZipFile(archivo) as z:
                textos = [z.read(n).decode("utf-8") for n in z.namelist()]
        elif archivo.suffix == ".pdf":
            textos = [_texto_pdf(archivo), str(PdfReader(archivo).metadata)]
        else:
            textos = [archivo.read_text(encoding="utf-8-sig")]
        for texto in textos:
            for p in prohibidos:
                assert p not in texto, f"{p} en {archivo.name}"


def test_html_is_escaped_accessible_and_self_contained(publicado: Path) -> None:
    html = (publicado / "E010.html").read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="es">')
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&quot;hola&quot;)&lt;/script&gt; &amp; más" in html
    assert "Agua potable &lt;segura&gt;" in html
    assert html.count('<th scope="col">') == 13  # the Anexo A's ten, plan state, valoración
    assert re.search(r"<caption>[^<]+</caption>", html)
    for columna in ("Núm.", "% de avance", "Observaciones / Justificaciones"):
        assert f'<th scope="col">{columna}</th>' in html
    assert "H. Ayuntamiento del Municipio de Puebla" in html
    assert "Instituto Municipal de Planeación" in html
    assert "Cuarto trimestre 2025" in html
    assert ">15/12/2025<" in html and ">45 %<" in html  # the 2026 report (80 %) is not shown
    assert "<style>" in html
    for externo in ("http:", "https:", "src=", "<link", "@import", "url("):
        assert externo not in html
    fondo = (publicado / "FISM-DF.html").read_text(encoding="utf-8")
    assert ">100 %<" in fondo and "FISM-DF-2" not in fondo


def test_csv_round_trips_with_the_csv_module(publicado: Path) -> None:
    datos = (publicado / "asm_2025.csv").read_bytes()
    assert datos.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with (publicado / "asm_2025.csv").open(encoding="utf-8-sig", newline="") as f:
        filas = list(csv.reader(f))
    assert filas[0] == list(COLUMNAS_CSV)
    assert filas[1:] == [
        [
            "E010", "Agua potable <segura>", "1", SCRIPT, "Específico",
            "Organismo Operador / Dirección Técnica",
            "'=HIPERVINCULO(1)",  # typed text that Excel would run as a formula
            "15/12/2025", "Padrón actualizado", "Informe", "45", "Se entregó el oficio",
            "Enviado; en revisión del IMPLAN", "", "",
        ],
        [
            "FISM-DF", "Fondo de Infraestructura Social", "1", "ASM FISM-DF-1", "Específico",
            "Organismo Operador / Dirección Técnica", "Mesas de trabajo", "15/12/2025",
            "Padrón actualizado", "Informe", "100", "Ok",
            "Revisado por el IMPLAN", "Atendido", "10/12/2025",
        ],
    ]  # fmt: skip


def test_the_cut_off_is_the_end_of_the_year_or_today(
    database_url: str, cal: CalendarioHabil
) -> None:
    assert trimestre_de_corte(2025, date(2026, 11, 26)) == Trimestre(2025, 4)
    assert trimestre_de_corte(2026, date(2026, 11, 26)) == Trimestre(2026, 4)
    assert trimestre_de_corte(2026, date(2026, 5, 2)) == Trimestre(2026, 2)
    with pytest.raises(ValueError, match="aún no empieza"):
        trimestre_de_corte(2027, date(2026, 11, 26))
    sembrar(database_url)
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as s:
        pub = planes_del_ejercicio(s, 2025, cal, date(2025, 6, 30))
        assert pub.corte == date(2025, 6, 30)
        assert [(p.programa_clave, [f.numero for f in p.filas]) for p in pub.planes] == [
            ("E010", [1]),
            ("FISM-DF", [1]),
        ]
        assert pub.planes[0].filas[0].avance is None  # nothing reported by June
        # ASM of the 2024 evaluation were loaded in 2025: not there at the end of 2024...
        pub = planes_del_ejercicio(s, 2024, cal, HOY)
        assert [p.programa_clave for p in pub.planes] == ["FISM-DF"]
        assert pub.posteriores == 1
        # ... and there with a later cut-off.
        pub = planes_del_ejercicio(s, 2024, cal, HOY, Trimestre(2025, 4))
        assert [(p.programa_clave, [f.numero for f in p.filas]) for p in pub.planes] == [
            ("E010", [2]),
            ("FISM-DF", [2]),
        ]
        assert pub.posteriores == 0
    engine.dispose()


def test_a_year_without_asm_says_what_to_do(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    migrate.upgrade(database_url)
    r = asmbot(database_url, tmp_path, "publicar", "--ejercicio", "2023", "-o", "web")
    assert r.exit_code == 1
    assert "No hay ASM del ejercicio 2023" in r.output


def test_asm_loaded_after_the_cut_off_are_announced(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sembrar(database_url)
    r = asmbot(database_url, tmp_path, "publicar", "--ejercicio", "2024", "-o", "web")
    assert r.exit_code == 0, r.output
    assert (
        "Atención: 1 ASM del ejercicio 2024 se registraron después del 31/12/2024 y no aparecen; "
        "use un corte posterior, p. ej. --trimestre 2025T1."
    ) in r.output
    r = asmbot(
        database_url, tmp_path, "publicar", "--ejercicio", "2024", "--trimestre", "2025T4",
        "-o", "web2",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "Ejercicio 2024: 2 ASM en 2 planes, estado al 31/12/2025" in r.output
    assert "Atención" not in r.output


def test_a_year_with_only_drafts_publishes_nothing(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as s:
        pp = Programa(clave="E020", nombre="Alumbrado", tipo="pp")
        s.add(pp)
        s.flush()
        a = Asm(programa_id=pp.id, numero=1)
        s.add(a)
        s.flush()
        registro.nueva_version(
            s,
            a,
            date(2025, 3, 1),
            "cli",
            origen="bot",
            texto="Borrador",
            clasificacion="especifico",
        )
    engine.dispose()
    r = asmbot(database_url, tmp_path, "publicar", "--ejercicio", "2025", "-o", "web")
    assert r.exit_code == 1
    assert "Ningún plan de acción del ejercicio 2025 se ha enviado al IMPLAN" in r.output
    assert not (tmp_path / "web").exists()
