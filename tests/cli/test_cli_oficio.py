"""`asmbot oficio`, `asmbot verificar` and `asmbot anexo -o X.pdf`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader
from sqlalchemy import select

from bot.cli.main import main
from bot.servicios import registro
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Asm
from tests.arnes import sembrar

Asmbot = Callable[..., Result]


@pytest.fixture
def asmbot(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Asmbot:
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as s:
        sembrar(s)
        asm = s.scalars(select(Asm).where(Asm.numero == 1)).one()
        registro.registrar_avance(
            s, asm, date(2026, 11, 1), 55, "test", origen="bot", folio="AV-202611-000009"
        )
    engine.dispose()

    def run(*args: str) -> Result:
        env = {
            "DATABASE_URL": database_url,
            "ASMBOT_DATA_DIR": str(tmp_path / "data"),
            "ASMBOT_OFICIO_PREFIJO": "DIF/UT",
        }
        return CliRunner().invoke(main, list(args), env=env, prog_name="asmbot")

    return run


def _texto(ruta: Path) -> str:
    return " ".join("\n".join(p.extract_text() or "" for p in PdfReader(ruta).pages).split())


def test_oficio_and_its_verification(asmbot: Asmbot, tmp_path: Path) -> None:
    r = asmbot("oficio", "--dependencia", "SMDIF", "--mes", "2026-11", "-o", "of.pdf")
    assert r.exit_code == 0, r.output
    assert "Oficio DIF/UT/SMDIF/001/" in r.output and "1 ASM de noviembre de 2026" in r.output
    texto = _texto(tmp_path / "of.pdf")
    assert "Avance informado: 55 % (antes 40 %) · Folio AV-202611-000009" in texto

    r = asmbot("verificar", "of.pdf")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("AUTÉNTICO") and "Sistema Municipal DIF" in r.output
    codigo = r.output.split("código ")[1].split()[0]
    r = asmbot("verificar", "--codigo", codigo.lower())
    assert r.exit_code == 0 and r.output.startswith("REGISTRADO"), r.output

    (tmp_path / "editado.pdf").write_bytes((tmp_path / "of.pdf").read_bytes() + b"\n%x\n")
    r = asmbot("verificar", "editado.pdf")
    assert r.exit_code == 1 and r.output.startswith("MODIFICADO"), r.output
    (tmp_path / "otro.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    r = asmbot("verificar", "otro.pdf")
    assert r.exit_code == 1 and r.output.startswith("NO RECONOCIDO"), r.output


def test_a_month_without_deliveries_says_so(asmbot: Asmbot, tmp_path: Path) -> None:
    r = asmbot("oficio", "--dependencia", "TM", "--mes", "2026-11", "-o", "of.pdf")
    assert r.exit_code == 1
    assert "Tesorería Municipal no confirmó entregas de avance en noviembre de 2026" in r.output
    assert not (tmp_path / "of.pdf").exists()
    r = asmbot("oficio", "--dependencia", "SMDIF", "--mes", "2026-13", "-o", "of.pdf")
    assert r.exit_code == 2 and "no es un mes" in r.output


def test_anexo_as_pdf_by_extension(asmbot: Asmbot, tmp_path: Path) -> None:
    r = asmbot("anexo", "--consolidado", "--trimestre", "2026T4", "-o", "anexo.pdf")
    assert r.exit_code == 0, r.output
    texto = _texto(tmp_path / "anexo.pdf")
    assert "Programa presupuestario / Fondo: E003 Asistencia social" in texto
    for asm in (
        "1 Integrar un padrón único de personas beneficiarias",
        "2 Documentar el procedimiento de entrega de apoyos",
        "3 Conciliar el avance financiero con Tesorería",
    ):
        assert asm in texto
    assert "Cuarto trimestre 2026 · Generado el" in texto
