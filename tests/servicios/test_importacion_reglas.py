"""The import never corrupts what is there: the bot's rules, collisions, round trips, history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.modelo import Encabezado
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.mensajes.admin import aviso_importacion, importado, vista
from bot.servicios import registro
from bot.servicios.consultas import planes_anexo
from bot.servicios.importacion import ImportacionFallida, ResumenImportacion, importar_archivo
from bot.servicios.importacion_vista import vista_previa
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Avance,
    Dependencia,
    Importacion,
    Salida,
    Usuario,
)
from tests.anexo_a.generador import Hoja, Porcentaje, archivo, asm, plan
from tests.conftest import Db

T2 = Trimestre(2025, 2)
T4 = Trimestre(2025, 4)
HOY = date(2026, 1, 15)

FILAS = [
    asm(1, "Integrar un padrón único", "Específico", area="SMDIF / Dirección de Asistencia",
        actividades="Depurar el padrón", fecha=date(2025, 9, 30), avance=Porcentaje(0.45)),
    asm(2, "Actualizar la MIR", "Institucional", area="SMDIF", actividades="Mesas",
        fecha=date(2025, 12, 31), avance=Porcentaje(0.1)),
]  # fmt: skip


def _archivo(
    tmp_path: Path, *hojas: Hoja, nombre: str = "anexo.xlsx", formato: str = "xlsx"
) -> Path:
    ruta = tmp_path / nombre
    ruta.write_bytes(archivo(formato, hojas))
    return ruta


def _importar(db: Db, ruta: Path, **kw: Any) -> ResumenImportacion:
    with db.sesiones.begin() as s:
        return importar_archivo(s, ruta, **kw)


def _contar(db: Db, modelo: type) -> int:
    with db.sesiones() as s:
        return s.scalar(select(func.count()).select_from(modelo)) or 0


def _fallas(db: Db, ruta: Path, **kw: Any) -> list[str]:
    with pytest.raises(ImportacionFallida) as e:
        _importar(db, ruta, **kw)
    return [str(p) for p in e.value.problemas]


def test_two_sheets_on_the_same_pp_and_num_with_other_asm_are_refused_naming_both(
    db: Db, tmp_path: Path
) -> None:
    copia = [asm(1, "Otro ASM de otro programa", "Específico", area="SMDIF", avance=20)]
    ruta = _archivo(tmp_path, Hoja("E003", plan(FILAS)), Hoja("E003 (2)", plan(copia)))
    assert _fallas(db, ruta) == [
        "Hoja «E003 (2)», fila 5, columna A: el Núm. 1 del Pp E003 también está en la hoja "
        "«E003» (fila 5) con otro ASM; si copió la hoja, escriba en su encabezado el Pp que le "
        "corresponde."
    ]
    assert _contar(db, Asm) == 0 and _contar(db, Importacion) == 0


def test_pp_option_applies_only_to_sheets_that_name_none(db: Db, tmp_path: Path) -> None:
    otra = [asm(1, "Bachear calles", "Específico", area="SMDIF", avance=5)]
    ruta = _archivo(tmp_path, Hoja("Plan", plan(FILAS)), Hoja("Hoja2", plan(otra, programa=None)))
    resumen = _importar(db, ruta, programa="K010 Bacheo")
    assert resumen.planes == ["E003 (2025T2)", "K010 (2025T2)"]
    assert resumen.nuevos == 3


def test_each_sheet_is_its_own_pp_even_by_its_name(db: Db, tmp_path: Path) -> None:
    otra = [asm(1, "Bachear calles", "Específico", area="SMDIF", avance=5)]
    ruta = _archivo(
        tmp_path, Hoja("E003", plan(FILAS, programa=None)), Hoja("K010", plan(otra, programa=None))
    )
    assert _importar(db, ruta, programa="E999 Nunca").planes == ["E003 (2025T2)", "K010 (2025T2)"]


def test_a_failure_in_the_second_sheet_saves_nothing_of_the_first(db: Db, tmp_path: Path) -> None:
    mala = [asm(1, "Bachear calles", "Regional", area="SMDIF")]
    ruta = _archivo(tmp_path, Hoja("Plan", plan(FILAS)), Hoja("K010", plan(mala, programa="K010")))
    assert len(_fallas(db, ruta)) == 1
    assert (_contar(db, Asm), _contar(db, AsmVersion), _contar(db, Avance)) == (0, 0, 0)
    assert _contar(db, Dependencia) == 0


def test_an_unreadable_quarter_is_rescued_by_the_option(db: Db, tmp_path: Path) -> None:
    ruta = _archivo(tmp_path, Hoja("Plan", plan(FILAS, trimestre="el que sigue")))
    assert _fallas(db, ruta)[0].startswith("Hoja «Plan», fila 2, columna B: no se entiende")
    assert _importar(db, ruta, trimestre=T2).planes == ["E003 (2025T2)"]


def test_hundred_percent_without_evidence_is_imported_pending(db: Db, tmp_path: Path) -> None:
    filas = [asm(1, "Integrar un padrón", "Específico", area="SMDIF", avance=100)]
    resumen = _importar(db, _archivo(tmp_path, Hoja("Plan", plan(filas))))
    assert resumen.pendientes_evidencia == ["E003 Núm. 1"]
    assert resumen.cambios[0].pendiente_evidencia
    assert "pendiente de evidencia" in importado(resumen)
    assert "pendiente de evidencia: E003 Núm. 1" in resumen.texto()


def test_fecha_past_the_evaluation_limit_is_a_problem(db: Db, tmp_path: Path) -> None:
    ruta = _archivo(tmp_path, Hoja("Plan", plan(FILAS)))
    assert _fallas(db, ruta, limite_atencion=date(2025, 11, 30)) == [
        "Hoja «Plan», fila 6, columna F: la fecha de término 31/12/2025 es posterior a la fecha "
        "límite de atención de la evaluación (30/11/2025); escriba una fecha anterior."
    ]
    assert _importar(db, ruta, limite_atencion=date(2025, 12, 31)).nuevos == 2


def test_a_valued_asm_is_locked(db: Db, tmp_path: Path) -> None:
    _importar(db, _archivo(tmp_path, Hoja("Plan", plan(FILAS)), nombre="t2.xlsx"))
    with db.sesiones.begin() as s:
        asm1 = s.scalars(select(Asm).where(Asm.numero == 1)).one()
        registro.nueva_version(s, asm1, T2.inicio, "test", origen="bot", valoracion="concluido")
    cambiado = [list(f) for f in FILAS]
    cambiado[0][4] = "Otra actividad"
    problemas = _fallas(db, _archivo(tmp_path, Hoja("Plan", plan(cambiado)), nombre="t2b.xlsx"))
    assert problemas == [
        "Hoja «Plan», fila 5: el ASM Núm. 1 de E003 ya fue valorado (concluido); no se puede "
        "cambiar con una importación. Deje la fila como está o quítela del archivo."
    ]
    # The same file as before changes nothing, so it goes in.
    assert (
        _importar(db, _archivo(tmp_path, Hoja("Plan", plan(FILAS)), nombre="t2.xlsx")).cambios == []
    )


def test_export_then_import_changes_nothing_and_creates_no_reports(
    db: Db, tmp_path: Path, cal: CalendarioHabil
) -> None:
    filas = [
        asm(1, "Integrar un padrón", "Específico", area="SMDIF", actividades="Depurar",
            fecha=date(2025, 10, 31), avance=30),
        asm(None, None, None, actividades="Publicar", fecha=date(2025, 12, 15), productos="Liga"),
        asm(2, "Actualizar la MIR", "Institucional", area="SMDIF", actividades="Mesas",
            fecha=date(2025, 12, 31), avance=20),
    ]  # fmt: skip
    _importar(db, _archivo(tmp_path, Hoja("Plan", plan(filas, trimestre="4to trimestre 2025"))))
    with db.sesiones.begin() as s:
        # A report of October, as the bot takes them: the December export shows it.
        asm2 = s.scalars(select(Asm).where(Asm.numero == 2)).one()
        registro.registrar_avance(s, asm2, date(2025, 10, 1), 25, "test", origen="bot")
    with db.sesiones() as s:
        planes = planes_anexo(s, T4, cal, HOY)
    exportado = tmp_path / "exportado.xlsx"
    escribir_anexo_a(exportado, planes, Encabezado(), consolidado=True)
    antes = (_contar(db, AsmVersion), _contar(db, Avance))
    resumen = _importar(db, exportado)
    assert (resumen.nuevos, resumen.modificados, resumen.avances, resumen.cambios) == (0, 0, 0, [])
    assert (_contar(db, AsmVersion), _contar(db, Avance)) == antes
    with db.sesiones() as s:
        (p,) = planes_anexo(s, T4, cal, HOY)
    assert p.filas[0].actividades.splitlines() == [
        "Depurar (término: 31/10/2025)",
        "Publicar (término: 15/12/2025; producto: Liga)",
    ]


def test_history_rows_name_the_import_who_and_which_file(db: Db, tmp_path: Path) -> None:
    with db.sesiones.begin() as s:
        s.add(Usuario(id=7, telegram_id=700, nombre="Coord", rol="coordinador"))
    _importar(
        db, _archivo(tmp_path, Hoja("Plan", plan(FILAS)), nombre="dif.xlsx"), actor="usuario:7"
    )
    with db.sesiones() as s:
        imp = s.scalars(select(Importacion)).one()
        assert (imp.nombre_archivo, imp.actor) == ("dif.xlsx", "usuario:7")
        for fila in [*s.scalars(select(AsmVersion)), *s.scalars(select(Avance))]:
            assert (fila.origen, fila.importacion_id, fila.usuario_id) == ("importacion", imp.id, 7)


def test_the_enlaces_affected_and_the_contraloria_are_told(db: Db, tmp_path: Path) -> None:
    with db.sesiones.begin() as s:
        smdif = Dependencia(nombre="Sistema Municipal DIF", siglas="SMDIF", tipo="entidad")
        otra = Dependencia(nombre="Tesorería Municipal", siglas="TM", tipo="dependencia")
        s.add_all([smdif, otra])
        s.flush()
        s.add_all([
            Usuario(telegram_id=1, nombre="Enlace DIF", rol="enlace", dependencia_id=smdif.id),
            Usuario(telegram_id=2, nombre="Enlace TM", rol="enlace", dependencia_id=otra.id),
            Usuario(telegram_id=3, nombre="Contraloría", rol="contraloria"),
        ])  # fmt: skip
    ruta = _archivo(tmp_path, Hoja("Plan", plan(FILAS)))
    with db.sesiones.begin() as s:
        resumen = importar_archivo(
            s, ruta, aviso=aviso_importacion, ahora=datetime(2026, 1, 5, tzinfo=UTC)
        )
    assert resumen.avisos == 2
    with db.sesiones() as s:
        avisos = {m.chat_id: m.texto for m in s.scalars(select(Salida))}
    assert set(avisos) == {1, 3}  # not the Tesorería's enlace
    assert "que cambia 2 ASM de Sistema Municipal DIF" in avisos[1]
    assert "E003 Núm. 1</b> (nuevo)" in avisos[3]
    # Importing it again changes nothing and tells nobody anything new.
    with db.sesiones.begin() as s:
        assert importar_archivo(s, ruta, aviso=aviso_importacion).avisos == 0


def test_a_dependencia_named_inside_the_area_is_matched_and_a_unit_is_never_one(
    db: Db, tmp_path: Path
) -> None:
    with db.sesiones.begin() as s:
        s.add(Dependencia(nombre="Tesorería Municipal", siglas="TM", tipo="dependencia"))
    filas = [
        asm(1, "Manual", "Institucional", area="Dirección de Egresos de la Tesorería Municipal")
    ]
    _importar(db, _archivo(tmp_path, Hoja("Plan", plan(filas)), nombre="a.xlsx"))
    with db.sesiones() as s:
        (dep,) = s.scalars(select(Dependencia)).all()
        assert [u.nombre for u in dep.unidades] == ["Dirección de Egresos"]
        assert s.scalar(select(func.count()).select_from(AsmResponsable)) == 1
    sola = [asm(2, "Reglamento", "Específico", area="Unidad Jurídica")]
    assert _fallas(db, _archivo(tmp_path, Hoja("Plan", plan(sola)), nombre="b.xlsx")) == [
        "Hoja «Plan», fila 5, columna D: «Unidad Jurídica» es una unidad administrativa, no una "
        "dependencia; escriba también su dependencia (p. ej. «Tesorería Municipal / Unidad "
        "Jurídica») o indíquela en el encabezado."
    ]
    assert _contar(db, Dependencia) == 1


def test_the_preview_lists_every_change_field_by_field(db: Db, tmp_path: Path) -> None:
    _importar(db, _archivo(tmp_path, Hoja("Plan", plan(FILAS)), nombre="t2.xlsx"))
    cambiado = [list(f) for f in FILAS]
    cambiado[0][4] = "Depurar y publicar el padrón"
    cambiado[1][8] = Porcentaje(0.3)
    ruta = _archivo(tmp_path, Hoja("Plan", plan(cambiado)), nombre="t2b.xlsx")
    from bot.anexo_a.lectura import leer_anexo_a

    v = vista_previa(
        db.sesiones, leer_anexo_a(ruta.read_bytes(), ruta.name), nombre_archivo=ruta.name,
        sha256="0" * 64, actor="t",
    )  # fmt: skip
    assert [(c.numero, c.campos, c.avance) for c in v.cambios] == [
        (1, ("actividades",), None),
        (2, (), (10, 30)),
    ]
    assert v.cambios[0].detalle == (
        ("actividades", "Depurar el padrón", "Depurar y publicar el padrón"),
    )
    texto = vista("t2b.xlsx", v)
    assert "actividades: Depurar el padrón → Depurar y publicar el padrón" in texto
    assert "% de avance: 10 % → 30 %" in texto
    assert len(texto) <= 4096
    assert _contar(db, Importacion) == 1  # the preview saved nothing
