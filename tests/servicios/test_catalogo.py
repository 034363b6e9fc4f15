from pathlib import Path

import pytest
from sqlalchemy import select

from bot.servicios.catalogo import (
    Catalogo,
    Responsable,
    cargar_dependencias_csv,
    dividir_area_responsable,
    dividir_programa,
    obtener_o_crear_programa,
    siglas_de,
)
from storage.models import Auditoria, Dependencia, Programa
from tests.conftest import Db


def test_matching_ignores_accents_case_and_siglas(db: Db) -> None:
    with db.sesiones.begin() as s:
        cat = Catalogo(s, "test")
        dif = cat.obtener_o_crear("SMDIF")  # known only by its siglas
        tm = cat.obtener_o_crear("Tesorería Municipal")
        assert cat.buscar("Sistema Municipal DIF") is dif
        assert cat.buscar("  sistema  municipal dif ") is dif
        assert cat.buscar("smdif") is dif
        assert cat.buscar("TESORERIA MUNICIPAL") is tm
        assert cat.buscar("TM") is tm  # initials of a name
        assert cat.buscar("Secretaría de Movilidad") is None
        assert cat.obtener_o_crear("tesoreria municipal") is tm
        assert [d.nombre for d in cat.nuevas] == ["SMDIF", "Tesorería Municipal"]
        assert dif.siglas == "SMDIF"
        assert len(s.scalars(select(Auditoria).where(Auditoria.objeto == "dependencia")).all()) == 2


def test_shared_initials_match_nobody(db: Db) -> None:
    with db.sesiones.begin() as s:
        cat = Catalogo(s)
        cat.obtener_o_crear("Secretaría de Administración")
        ayto = cat.obtener_o_crear("Secretaría del Ayuntamiento")
        assert cat.buscar("SA") is None
        ayto.siglas = "SA"
        cat._indexar(ayto)
        assert cat.buscar("SA") is ayto
        # A name never matches another dependencia's siglas by its initials.
        assert cat.buscar("Secretaría de Arte") is None


def test_load_csv_adds_then_updates(db: Db, tmp_path: Path) -> None:
    f = tmp_path / "deps.csv"
    f.write_text(
        "nombre,siglas,tipo,unidades\n"
        "Sistema Municipal DIF,SMDIF,entidad,Dirección A|Dirección B\n"
        "Tesorería Municipal,TM,dependencia,\n",
        encoding="utf-8",
    )
    with db.sesiones.begin() as s:
        assert cargar_dependencias_csv(s, f) == (2, 0)
    f.write_text(
        "nombre,siglas,tipo\nSistema Municipal para el Desarrollo Integral de la Familia,SMDIF,entidad\n",
        encoding="utf-8",
    )
    with db.sesiones.begin() as s:
        assert cargar_dependencias_csv(s, f) == (0, 1)
    with db.sesiones() as s:
        dif = s.scalars(select(Dependencia).where(Dependencia.siglas == "SMDIF")).one()
        assert dif.nombre.startswith("Sistema Municipal para el Desarrollo")
        assert dif.tipo == "entidad"
        assert sorted(u.nombre for u in dif.unidades) == ["Dirección A", "Dirección B"]


def test_load_csv_errors_name_the_line(db: Db, tmp_path: Path) -> None:
    f = tmp_path / "deps.csv"
    f.write_text("nombre,siglas,tipo\nTesorería,TM,organismo\n", encoding="utf-8")
    with db.sesiones.begin() as s, pytest.raises(ValueError, match="línea 2: tipo «organismo»"):
        cargar_dependencias_csv(s, f)


def test_area_responsable_is_split_into_dependencias_and_units() -> None:
    assert dividir_area_responsable("SMDIF / Dirección de Atención;\nTesorería Municipal") == [
        Responsable("SMDIF", "Dirección de Atención"),
        Responsable("Tesorería Municipal", None),
    ]
    assert dividir_area_responsable("Secretaría de Bienestar - Dirección X") == [
        Responsable("Secretaría de Bienestar", "Dirección X")
    ]
    assert dividir_area_responsable("  ") == []


def test_siglas_and_programa_texts() -> None:
    assert siglas_de("Sistema Municipal DIF") == "SMDIF"
    assert siglas_de("Secretaría de Seguridad Ciudadana") == "SSC"
    assert dividir_programa("E001 Seguridad ciudadana") == ("E001", "Seguridad ciudadana")
    assert dividir_programa("Pp E012. Agua potable") == ("E012", "Agua potable")
    assert dividir_programa("FISM-DF Fondo de Infraestructura") == (
        "FISM-DF",
        "Fondo de Infraestructura",
    )
    assert dividir_programa("FORTAMUN-DF") == ("FORTAMUN-DF", "FORTAMUN-DF")
    assert dividir_programa("Programa de bacheo") == ("PB", "Programa de bacheo")


def test_programa_matched_by_clave_or_name(db: Db) -> None:
    with db.sesiones.begin() as s:
        p = obtener_o_crear_programa(s, "E001 Seguridad ciudadana")
        assert obtener_o_crear_programa(s, "E001") is p
        assert obtener_o_crear_programa(s, "seguridad ciudadana") is p
        f = obtener_o_crear_programa(s, "FISM-DF Fondo para la Infraestructura Social Municipal")
        assert f.tipo == "fondo"
        assert len(s.scalars(select(Programa)).all()) == 2
