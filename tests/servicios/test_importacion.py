"""`asmbot import` against the register: whole or nothing, idempotent, and round-trips."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.lectura import leer_anexo_a
from bot.anexo_a.modelo import Encabezado
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.servicios.catalogo import Catalogo
from bot.servicios.consultas import planes_anexo
from bot.servicios.importacion import ImportacionFallida, ResumenImportacion, importar_archivo
from storage.models import Asm, AsmResponsable, AsmVersion, Auditoria, Avance, Dependencia
from tests.ayudas import FILAS, anexo_de_dependencia
from tests.conftest import Db

T2 = Trimestre(2025, 2)
HOY = date(2026, 1, 15)


def _importar(db: Db, ruta: Path, **kw: Any) -> ResumenImportacion:
    with db.sesiones.begin() as s:
        return importar_archivo(s, ruta, **kw)


def _contar(db: Db, modelo: type) -> int:
    with db.sesiones() as s:
        return s.scalar(select(func.count()).select_from(modelo)) or 0


def test_import_creates_asm_and_the_quarter_gives_them_back(
    db: Db, tmp_path: Path, cal: CalendarioHabil
) -> None:
    with db.sesiones.begin() as s:
        Catalogo(s).obtener_o_crear("SMDIF")
    ruta = anexo_de_dependencia(tmp_path / "dif.xlsx", FILAS)
    resumen = _importar(db, ruta)
    assert (resumen.nuevos, resumen.modificados, resumen.avances) == (2, 0, 2)
    assert resumen.planes == ["E003 (2025T2)"]
    # SMDIF was known (also as «Sistema Municipal DIF»); only Tesorería was added.
    assert resumen.dependencias_nuevas == ["Tesorería Municipal"]
    assert "Tesorería Municipal" in resumen.texto()

    with db.sesiones() as s:
        (plan,) = planes_anexo(s, T2, cal, HOY)
        asm2 = s.scalars(select(Asm).where(Asm.numero == 2)).one()
        responsables = s.scalars(
            select(Dependencia.nombre)
            .join(AsmResponsable, AsmResponsable.dependencia_id == Dependencia.id)
            .where(AsmResponsable.asm_id == asm2.id)
            .order_by(Dependencia.nombre)
        ).all()
        periodos = s.scalars(select(Avance.periodo)).all()
    assert responsables == ["SMDIF", "Tesorería Municipal"]
    assert set(periodos) == {date(2025, 6, 1)}  # reported in the quarter the file is for
    assert (plan.programa_clave, plan.programa_nombre) == ("E003", "Asistencia social")
    f1, f2 = plan.filas
    assert (f1.avance, f1.fecha_termino, f1.observaciones) == (
        45,
        date(2025, 9, 30),
        "=Revisar con Tesorería",
    )
    assert (f2.avance, f2.fecha_termino, f2.clasificacion.value) == (
        10,
        date(2025, 12, 15),
        "interinstitucional",
    )
    # An earlier quarter has none of it.
    with db.sesiones() as s:
        assert planes_anexo(s, Trimestre(2025, 1), cal, HOY) == []


def test_importing_the_same_file_twice_changes_nothing(db: Db, tmp_path: Path) -> None:
    ruta = anexo_de_dependencia(tmp_path / "dif.xlsx", FILAS)
    _importar(db, ruta)
    antes = [_contar(db, m) for m in (Asm, AsmVersion, Avance, AsmResponsable, Dependencia)]
    resumen = _importar(db, ruta)
    assert (resumen.nuevos, resumen.modificados, resumen.sin_cambios, resumen.avances) == (
        0,
        0,
        2,
        0,
    )
    assert [_contar(db, m) for m in (Asm, AsmVersion, Avance, AsmResponsable, Dependencia)] == antes


def test_a_later_quarter_adds_history_without_touching_the_earlier(
    db: Db, tmp_path: Path, cal: CalendarioHabil
) -> None:
    _importar(db, anexo_de_dependencia(tmp_path / "t2.xlsx", FILAS))
    t3 = [list(f) for f in FILAS]
    t3[0][8] = 0.8
    t3[0][4] = "Depurar y publicar el padrón"
    resumen = _importar(
        db, anexo_de_dependencia(tmp_path / "t3.xlsx", t3, trimestre="Tercer trimestre 2025")
    )
    # Only the % that changed is a report of the quarter; the other one stays as it was.
    assert (resumen.modificados, resumen.sin_cambios, resumen.avances) == (1, 1, 1)
    with db.sesiones() as s:
        (p2,) = planes_anexo(s, T2, cal, HOY)
        (p3,) = planes_anexo(s, Trimestre(2025, 3), cal, HOY)
    assert (p2.filas[0].avance, p2.filas[0].actividades) == (45, "Depurar el padrón")
    assert (p3.filas[0].avance, p3.filas[0].actividades) == (80, "Depurar y publicar el padrón")


def test_exported_anexo_imports_back_unchanged(
    db: Db, tmp_path: Path, cal: CalendarioHabil
) -> None:
    _importar(db, anexo_de_dependencia(tmp_path / "dif.xlsx", FILAS))
    with db.sesiones() as s:
        planes = planes_anexo(s, T2, cal, HOY)
    exportado = tmp_path / "exportado.xlsx"
    escribir_anexo_a(exportado, planes, Encabezado(), consolidado=True)
    resumen = _importar(db, exportado)
    assert (resumen.nuevos, resumen.modificados, resumen.avances) == (0, 0, 0)
    assert resumen.sin_cambios == 2


def test_a_file_with_problems_imports_nothing(db: Db, tmp_path: Path) -> None:
    malas = [list(f) for f in FILAS]
    malas[1][2] = "Regional"  # unknown classification
    malas[1][8] = 120  # out of range
    ruta = anexo_de_dependencia(tmp_path / "malo.xlsx", malas)
    with pytest.raises(ImportacionFallida) as e:
        _importar(db, ruta)
    textos = [str(p) for p in e.value.problemas]
    assert any(t.startswith("Hoja «Plan de Acción», fila 8, columna D:") for t in textos), textos
    assert any(t.startswith("Hoja «Plan de Acción», fila 8, columna J:") for t in textos), textos
    assert _contar(db, Asm) == 0
    assert _contar(db, Auditoria) == 0


def test_programa_and_trimestre_from_options_when_absent(db: Db, tmp_path: Path) -> None:
    ruta = anexo_de_dependencia(tmp_path / "sin.xlsx", FILAS, programa="", trimestre="")
    with pytest.raises(ImportacionFallida) as e:
        _importar(db, ruta)
    assert len(e.value.problemas) == 2
    assert "--pp" in str(e.value.problemas[0]) and "--trimestre" in str(e.value.problemas[1])
    resumen = _importar(db, ruta, programa="E010 Agua potable", trimestre=T2)
    assert resumen.planes == ["E010 (2025T2)"]


def test_dependencia_from_header_owns_units_named_in_area(db: Db, tmp_path: Path) -> None:
    filas = [[1, "Manual de procedimientos", "Institucional", "Dirección de Egresos", "Redactar",
              "30/06/2025", "Procesos claros", "Manual", 100, ""]]  # fmt: skip
    ruta = anexo_de_dependencia(tmp_path / "tm.xlsx", filas, dependencia="TESORERIA MUNICIPAL")
    resumen = _importar(db, ruta)
    assert resumen.dependencias_nuevas == ["TESORERIA MUNICIPAL"]
    with db.sesiones() as s:
        dep = s.scalars(select(Dependencia)).one()
        assert [u.nombre for u in dep.unidades] == ["Dirección de Egresos"]


def test_lower_percent_needs_justification(db: Db, tmp_path: Path) -> None:
    _importar(db, anexo_de_dependencia(tmp_path / "t2.xlsx", FILAS))
    t3 = [list(f) for f in FILAS]
    t3[1][8] = "5%"  # was 10 %, and no observaciones
    ruta = anexo_de_dependencia(tmp_path / "t3.xlsx", t3, trimestre="2025T3")
    with pytest.raises(ImportacionFallida) as e:
        _importar(db, ruta)
    (problema,) = e.value.problemas
    assert str(problema).startswith(
        "Hoja «Plan de Acción», fila 8, columna J: el % de avance baja de 10 a 5"
    )
    t3[1][9] = "Se corrigió la cifra del trimestre anterior."
    resumen = _importar(db, anexo_de_dependencia(tmp_path / "t3b.xlsx", t3, trimestre="2025T3"))
    assert resumen.avances == 1  # the other % did not change: no report


def test_not_a_spreadsheet_gets_one_sentence(db: Db, tmp_path: Path) -> None:
    ruta = tmp_path / "oficio.xlsx"
    ruta.write_bytes(b"%PDF-1.4 no es Excel")
    with pytest.raises(ImportacionFallida) as e:
        _importar(db, ruta)
    assert len(e.value.problemas) == 1
    assert "oficio.xlsx" in str(e.value.problemas[0])
    assert leer_anexo_a(ruta, "oficio.xlsx").planes == []
