"""The command line as an administrator uses it."""

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli.main import main
from bot.dominio.vocabulario import Semaforo
from bot.servicios import registro
from bot.servicios.invitaciones import hash_codigo
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Asm, Avance, Dependencia, Invitacion
from tests.arnes import sembrar
from tests.ayudas import FILAS, anexo_de_dependencia

Asmbot = Callable[..., Result]


@pytest.fixture
def asmbot(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Asmbot]:
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    env = {"DATABASE_URL": database_url, "ASMBOT_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str, extra_env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(
            main, list(args), env={**env, **(extra_env or {})}, prog_name="asmbot"
        )

    yield run


def _sesion(database_url: str) -> Session:
    return make_sessionmaker(make_engine(database_url))()


def test_commands_refuse_an_outdated_database(asmbot: Asmbot, database_url: str) -> None:
    r = asmbot("dependencias")
    assert r.exit_code == 1
    assert "ejecute primero «asmbot db upgrade»" in r.output
    r = asmbot("db", "upgrade")
    assert r.exit_code == 0, r.output
    r = asmbot("dependencias")
    assert "No hay dependencias" in r.output


def test_bad_configuration_is_one_line_naming_the_variable(asmbot: Asmbot) -> None:
    r = asmbot("db", "upgrade", extra_env={"ASMBOT_TIMEZONE": "Marte/Olympus"})
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        "Error: ASMBOT_TIMEZONE: «Marte/Olympus» no es una zona horaria; use por ejemplo America/Mexico_City."
    ]


def test_help_is_in_spanish(asmbot: Asmbot) -> None:
    r = asmbot("--help")
    assert r.exit_code == 0
    assert "Uso: asmbot [OPCIONES] COMANDO" in r.output
    assert "Muestra esta ayuda y termina." in r.output
    for palabra in ("Usage", "Options", "Show this message"):
        assert palabra not in r.output
    r = asmbot("anexo", "--trimestre", "2025T2", "-o", "x.xlsx")
    assert r.exit_code == 2
    assert "Indique --pp CLAVE o --consolidado" in r.output


def test_load_catalogue_import_and_write_anexo(asmbot: Asmbot, tmp_path: Path) -> None:
    assert asmbot("db", "upgrade").exit_code == 0
    csv = tmp_path / "deps.csv"
    csv.write_text("nombre,siglas,tipo\nSistema Municipal DIF,SMDIF,entidad\n", encoding="utf-8")
    r = asmbot("dependencias", "--cargar", str(csv))
    assert "Agregadas: 1" in r.output

    bueno = anexo_de_dependencia(tmp_path / "dif.xlsx", FILAS)
    malo_filas = [list(f) for f in FILAS]
    malo_filas[0][5] = "31/02/2025"
    malo = anexo_de_dependencia(tmp_path / "malo.xlsx", malo_filas)
    r = asmbot("import", str(bueno), str(malo))
    assert r.exit_code == 1
    assert "dif.xlsx: E003 (2025T2)" in r.output
    assert "ASM nuevos: 2" in r.output
    assert "Dependencias añadidas al catálogo: Tesorería Municipal" in r.output
    assert "malo.xlsx: NO se importó." in r.output
    assert "Hoja «Plan de Acción», fila 7, columna G:" in r.output
    assert "1 de 2 archivos no se importó" in r.output

    r = asmbot("dependencias")
    assert "SMDIF" in r.output and "Tesorería Municipal" in r.output

    salida = tmp_path / "anexo.xlsx"
    r = asmbot("anexo", "--pp", "E003", "--trimestre", "2025T2", "-o", str(salida))
    assert r.exit_code == 0, r.output
    assert "2 ASM en 1 plan" in r.output
    ws = load_workbook(salida).worksheets[0]
    valores = [c for fila in ws.iter_rows(values_only=True) for c in fila if c is not None]
    assert "Integrar un padrón único" in valores
    assert "=Revisar con Tesorería" in valores

    r = asmbot(
        "anexo", "--consolidado", "--trimestre", "2025T2", "--dependencia", "TM", "-o", str(salida)
    )
    assert r.exit_code == 0, r.output
    assert "1 ASM en 1 plan" in r.output  # Tesorería answers only for ASM 2
    assert load_workbook(salida).sheetnames[0] == "Resumen"

    r = asmbot("anexo", "--pp", "X999", "--trimestre", "2025T2", "-o", str(salida))
    assert r.exit_code == 1
    assert "No hay ASM del Pp o fondo «X999» en 2025T2" in r.output


def test_invitation_prints_link_and_stores_only_the_hash(asmbot: Asmbot, database_url: str) -> None:
    asmbot("db", "upgrade")
    r = asmbot("invitar", "--rol", "enlace")
    assert r.exit_code == 2
    assert "necesita la dependencia" in r.output
    with _sesion(database_url) as s, s.begin():
        s.add(Dependencia(nombre="Tesorería Municipal", siglas="TM"))
    r = asmbot(
        "invitar",
        "--rol",
        "enlace",
        "--dependencia",
        "tm",
        extra_env={"TELEGRAM_BOT_USERNAME": "@AsmPueblaBot"},
    )
    assert r.exit_code == 0, r.output
    enlace = r.output.splitlines()[0].removeprefix("Enlace: ")
    codigo = r.output.splitlines()[1].removeprefix("Código: ")
    assert enlace == f"https://t.me/AsmPueblaBot?start={codigo}"
    assert len(codigo) >= 32
    with _sesion(database_url) as s:
        inv = s.scalars(select(Invitacion)).one()
        assert inv.codigo_hash == hash_codigo(codigo)
        assert codigo not in (inv.codigo_hash, inv.creada_por)
    r = asmbot("invitar", "--rol", "coordinador")
    assert r.exit_code == 0


def test_invitar_finds_the_dependencia_by_a_word_or_lists_the_candidates(
    asmbot: Asmbot, database_url: str
) -> None:
    asmbot("db", "upgrade")
    with _sesion(database_url) as s, s.begin():
        s.add(
            Dependencia(nombre="Secretaría de Bienestar y Participación Ciudadana", siglas="SBPC")
        )
        s.add(Dependencia(nombre="Instituto Municipal de Bienestar Animal"))
        s.add(Dependencia(nombre="Tesorería Municipal", siglas="TM"))
    r = asmbot("invitar", "--rol", "enlace", "--dependencia", "Participacion")  # no accent
    assert r.exit_code == 0, r.output
    assert r.output.startswith("Enlace: https://t.me/")
    r = asmbot("invitar", "--rol", "enlace", "--dependencia", "Bienestar")
    assert r.exit_code == 1
    assert r.output.splitlines() == [
        "Error: «Bienestar» coincide con 2 dependencias; escriba sus siglas o más palabras de "
        "su nombre:",
        "  —\tInstituto Municipal de Bienestar Animal",
        "  SBPC\tSecretaría de Bienestar y Participación Ciudadana",
    ]
    r = asmbot("invitar", "--rol", "enlace", "--dependencia", "Obras")
    assert r.exit_code == 1
    assert "No conozco la dependencia «Obras»" in r.output
    with _sesion(database_url) as s:
        (inv,) = s.scalars(select(Invitacion)).all()  # only the one that found its dependencia
        dep = s.get(Dependencia, inv.dependencia_id)
        assert dep is not None and dep.siglas == "SBPC"


def test_demo_fills_once_and_writes_the_consolidated_anexo(
    asmbot: Asmbot, database_url: str, tmp_path: Path
) -> None:
    r = asmbot("demo")
    assert r.exit_code == 0, r.output
    archivos = list((tmp_path / "data").glob("anexo_a_consolidado_*.xlsx"))
    assert len(archivos) == 1
    wb = load_workbook(archivos[0])
    assert wb.sheetnames[0] == "Resumen"
    assert len(wb.sheetnames) == 15  # the summary and 14 Pp and fondos
    with _sesion(database_url) as s:
        assert s.scalar(select(func.count()).select_from(Asm)) == 160
        assert (s.scalar(select(func.count()).select_from(Dependencia)) or 0) >= 30
        assert (s.scalar(select(func.count()).select_from(Avance)) or 0) >= 160 * 10
    resumen = [fila for fila in wb["Resumen"].iter_rows(values_only=True)]
    assert any(Semaforo.VENCIDO.etiqueta in str(c) for fila in resumen for c in fila)
    r = asmbot("demo")
    assert r.exit_code == 0
    assert "ya tiene datos" in r.output
    with _sesion(database_url) as s:
        assert s.scalar(select(func.count()).select_from(Asm)) == 160


def test_pendientes_valoracion_lists_the_queue(asmbot: Asmbot, database_url: str) -> None:
    migrate.upgrade(database_url)
    hoy = date.today()  # the command reads the real clock: dates relative to it
    with _sesion(database_url) as s, s.begin():
        sembrar(s)
        a1, a2, a3 = (s.scalars(select(Asm).where(Asm.numero == n)).one() for n in (1, 2, 3))
        registro.nueva_version(
            s, a1, date(2026, 2, 1), "t", origen="t", fecha_termino=hoy + timedelta(400)
        )
        registro.nueva_version(
            s, a2, date(2026, 2, 1), "t", origen="t", fecha_termino=hoy - timedelta(30)
        )
        registro.nueva_version(
            s, a3, date(2026, 2, 1), "t", origen="t", fecha_termino=hoy + timedelta(400)
        )
        registro.registrar_avance(s, a3, date(2026, 10, 1), 100, "t", origen="t")
    r = asmbot("pendientes-valoracion")
    assert r.exit_code == 0, r.output
    lineas = r.output.splitlines()
    assert lineas[0].startswith("SMDIF\tE003\tNúm. 2\tvencido, 60 %\tdesde ")
    assert lineas[1].startswith("TM\tE003\tNúm. 3\t100 %\tdesde ")
    assert lineas[-1] == "2 ASM por valorar: 1 en 100 %, 1 vencidos."


def test_click_messages_about_options_are_in_spanish(asmbot: Asmbot) -> None:
    r = asmbot("anexo", "--pp")
    assert r.exit_code == 2
    assert "Error: La opción '--pp' necesita un valor." in r.output
    r = asmbot("invitar", "--rol", "enlace", "--dias", "abc")
    assert "'abc' no es un número válido." in r.output
    r = asmbot("import", "no-existe.xlsx")
    assert "No existe 'no-existe.xlsx'." in r.output
    for ingles in ("requires", "integer", "does not exist", "Archivo"):
        assert ingles not in r.output


def test_db_current_and_historial_say_where_the_schema_stands(asmbot: Asmbot) -> None:
    from storage import migrate

    r = asmbot("db", "current")
    assert r.output.strip() == "Base de datos vacía (sin esquema); créelo con «asmbot db upgrade»."
    assert asmbot("db", "upgrade").exit_code == 0
    final = migrate.revision_final()
    assert asmbot("db", "current").output.strip() == f"Esquema {final}: al día."
    lineas = asmbot("db", "historial").output.strip().splitlines()
    assert lineas[0].startswith("✓ 0001")
    assert lineas[-2].startswith(f"✓ {final}")


def test_an_output_path_that_cannot_be_written_is_one_line(asmbot: Asmbot, tmp_path: Path) -> None:
    bloqueo = tmp_path / "archivo"
    bloqueo.write_text("no es carpeta")
    r = asmbot("demo", "--asm", "3", "-o", str(bloqueo / "anexo.xlsx"))
    assert r.exit_code == 1
    errores = [linea for linea in r.output.splitlines() if linea.startswith("Error:")]
    assert len(errores) == 1 and errores[0].startswith(f"Error: No se puede escribir en «{bloqueo}")
    assert "Traceback" not in r.output


def test_postgres_urls_of_both_spellings_are_accepted(tmp_path: Path) -> None:
    from bot.config import load_settings

    for esquema in ("postgres", "postgresql"):
        s = load_settings(
            {"DATABASE_URL": f"{esquema}://asmbot:clave@bd:5432/asmbot"},
            env_file=tmp_path / "no.env",
        )
        assert s.database_url == "postgresql+psycopg://asmbot:clave@bd:5432/asmbot"


def test_logs_are_configured_once_with_time_and_level(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import logging

    from bot.bitacora import configurar_logs

    token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"
    configurar_logs("INFO", "texto", [token])
    configurar_logs("INFO", "texto", [token])  # again: still one handler
    assert len(logging.getLogger().handlers) == 1
    logging.getLogger("bot.prueba").info("ronda con %s", token)
    linea = capsys.readouterr().err.strip()
    assert linea.endswith("INFO bot.prueba: ronda con <secreto>")
    assert linea[:4].isdigit()  # the time stamp first
    configurar_logs("WARNING", "json", [token])
    try:
        raise RuntimeError(f"falló con {token}")
    except RuntimeError:
        logging.getLogger("bot.prueba").exception("no se pudo")
    logging.getLogger("bot.prueba").info("no se ve")
    (registro,) = [json.loads(linea) for linea in capsys.readouterr().err.strip().splitlines()]
    assert registro["nivel"] == "ERROR" and registro["mensaje"] == "no se pudo"
    assert token not in registro["error"] and "RuntimeError" in registro["error"]
    configurar_logs()
