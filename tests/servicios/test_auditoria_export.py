"""`asmbot auditoria`: the log with people's names, and every evidence file checked by sha256."""

import csv
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from bot.cli.main import main
from bot.servicios import registro
from bot.servicios.evidencias import AlmacenEvidencias
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Asm, Auditoria, Dependencia, Evidencia, Programa, Usuario

NOMBRE = "Rosa María Tlatelpa"
Asmbot = Callable[..., Result]


@pytest.fixture
def asmbot(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Asmbot:
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    migrate.upgrade(database_url)

    def run(*args: str) -> Result:
        env = {"DATABASE_URL": database_url, "ASMBOT_DATA_DIR": str(tmp_path / "data")}
        return CliRunner().invoke(main, list(args), env=env, prog_name="asmbot")

    return run


def sembrar(url: str, data_dir: Path) -> list[str]:
    """An enlace who reported three evidence files: one intact, one altered, one deleted."""
    engine = make_engine(url)
    almacen = AlmacenEvidencias(data_dir)
    shas = []
    with make_sessionmaker(engine).begin() as s:
        dep = Dependencia(nombre="Sistema Municipal DIF", siglas="SMDIF")
        prog = Programa(clave="E003", nombre="Asistencia social")
        s.add_all([dep, prog])
        s.flush()
        u = Usuario(telegram_id=4242, nombre=NOMBRE, rol="enlace", dependencia_id=dep.id)
        asm = Asm(programa_id=prog.id, numero=7)
        s.add_all([u, asm])
        s.flush()
        actor = f"usuario:{u.id}"
        registro.nueva_version(
            s, asm, date(2025, 2, 1), "cli", origen="importacion", texto="Padrón único",
            clasificacion="especifico",
        )  # fmt: skip
        avance = registro.registrar_avance(
            s, asm, date(2025, 6, 1), 40, actor, origen="bot", usuario_id=u.id, folio="AV-7"
        )
        for i in range(3):
            a = almacen.guardar(b"%PDF-1.4 " + bytes([65 + i]) * 2000, f"oficio {i}.pdf")
            s.add(
                Evidencia(
                    asm_id=asm.id, avance_id=avance.id, sha256=a.sha256, tamano=a.tamano,
                    tipo_detectado=a.tipo, nombre_original=a.nombre, ruta=a.ruta,
                    usuario_id=u.id,
                    registrado_en=datetime(2025, 6, 30, 18, i, tzinfo=UTC),
                )
            )  # fmt: skip
            shas.append(a.sha256)
        # 23:30 of 30 June in Mexico City is 05:30 of 1 July in UTC.
        s.add(
            Auditoria(
                cuando=datetime(2025, 7, 1, 5, 30, tzinfo=UTC), actor=actor, accion="=rara",
                objeto="asm", objeto_id=asm.id, detalle={"nota": "Ñandú", "n": 1},
            )
        )  # fmt: skip
    engine.dispose()
    (data_dir / "evidencias" / shas[1][:2] / shas[1][2:4] / shas[1]).write_bytes(b"alterado")
    (data_dir / "evidencias" / shas[2][:2] / shas[2][2:4] / shas[2]).unlink()
    return shas


def leer_csv(ruta: Path) -> list[dict[str, str]]:
    with ruta.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_names_people_and_checks_every_file(
    asmbot: Asmbot, database_url: str, tmp_path: Path
) -> None:
    shas = sembrar(database_url, tmp_path / "data")
    r = asmbot("auditoria", "-o", "bitacora.csv")
    assert r.exit_code == 0, r.output
    assert "1 evidencia sin archivo y 1 con un sha256 distinto" in r.output

    bitacora = leer_csv(tmp_path / "bitacora.csv")
    del_enlace = [f for f in bitacora if f["Actor"].startswith("usuario:")]
    assert {f["Persona"] for f in del_enlace} == {NOMBRE}
    assert {f["Rol"] for f in del_enlace} == {"Enlace"}
    assert {f["Dependencia"] for f in del_enlace} == {"Sistema Municipal DIF"}
    assert {f["Persona"] for f in bitacora if f["Actor"] == "cli"} == {"Línea de comandos"}
    avance = next(f for f in del_enlace if f["Acción"] == "avance")
    assert json.loads(avance["Detalle"])["porcentaje"] == 40
    rara = next(f for f in bitacora if "rara" in f["Acción"])
    assert rara["Fecha y hora"] == "30/06/2025 23:30:00"  # in the configured time zone
    assert rara["Acción"] == "'=rara"  # never a formula in Excel
    assert json.loads(rara["Detalle"]) == {"n": 1, "nota": "Ñandú"}

    evidencias = leer_csv(tmp_path / "bitacora_evidencias.csv")
    assert [e["sha256 registrado"] for e in evidencias] == shas
    assert [(e["¿Existe el archivo?"], e["¿Coincide el sha256?"]) for e in evidencias] == [
        ("Sí", "Sí"),
        ("Sí", "No"),
        ("No", "—"),
    ]
    primera = evidencias[0]
    assert primera["Clave del Pp o fondo"] == "E003" and primera["Núm. de ASM"] == "7"
    assert primera["Nombre original"] == "oficio 0.pdf" and primera["Tipo detectado"] == "PDF"
    assert primera["Registrada por"] == NOMBRE and primera["Folio del avance"] == "AV-7"
    assert primera["Registrada el"] == "30/06/2025 12:00:00"


def test_xlsx_has_two_sheets_and_the_dates_filter(
    asmbot: Asmbot, database_url: str, tmp_path: Path
) -> None:
    sembrar(database_url, tmp_path / "data")
    r = asmbot("auditoria", "--desde", "2025-06-30", "--hasta", "2025-06-30", "-o", "a.xlsx")
    assert r.exit_code == 0, r.output
    wb = load_workbook(tmp_path / "a.xlsx")
    assert wb.sheetnames == ["Auditoría", "Evidencias"]
    filas = list(wb["Auditoría"].iter_rows(min_row=2, values_only=True))
    # Only the row of 30 June (local time); the others were written today.
    assert len(filas) == 1
    assert filas[0][0] == datetime(2025, 6, 30, 23, 30)
    assert filas[0][2] == NOMBRE
    assert filas[0][5] == "=rara"  # kept as text, not a formula
    assert wb["Auditoría"].cell(2, 6).data_type == "s"
    assert len(list(wb["Evidencias"].iter_rows(min_row=2))) == 3

    r = asmbot("auditoria", "--desde", "2025-07-01", "--hasta", "2025-07-01", "-o", "b.xlsx")
    assert r.exit_code == 0, r.output
    assert load_workbook(tmp_path / "b.xlsx")["Auditoría"].max_row == 1  # headers only


def test_wrong_options_say_what_to_do(asmbot: Asmbot) -> None:
    r = asmbot("auditoria", "--desde", "30/06/2025", "-o", "a.csv")
    assert r.exit_code == 2 and "escríbala como AAAA-MM-DD" in r.output
    r = asmbot("auditoria", "-o", "a.txt")
    assert r.exit_code == 2 and "debe terminar en .csv o .xlsx" in r.output
    r = asmbot("auditoria", "--desde", "2025-07-02", "--hasta", "2025-07-01", "-o", "a.csv")
    assert r.exit_code == 2 and "--desde debe ser anterior" in r.output
