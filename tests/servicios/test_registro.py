"""History is appended, never overwritten: the Anexo A of a past quarter can be rebuilt."""

from datetime import date
from typing import Any

from sqlalchemy import func, select

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion, Semaforo, Valoracion
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo
from bot.servicios.consultas import planes_anexo
from storage.models import Asm, AsmResponsable, AsmVersion, Auditoria, Avance, Programa
from tests.conftest import Db

T1, T2, T3 = Trimestre(2025, 1), Trimestre(2025, 2), Trimestre(2025, 3)


def _sembrar(db: Db) -> None:
    with db.sesiones.begin() as s:
        cat = Catalogo(s, "test")
        smdif = cat.obtener_o_crear("Sistema Municipal DIF")
        tm = cat.obtener_o_crear("Tesorería Municipal")
        prog = Programa(clave="E003", nombre="Asistencia social")
        s.add(prog)
        s.flush()
        a1 = Asm(programa_id=prog.id, numero=1)
        a2 = Asm(programa_id=prog.id, numero=2)
        s.add_all([a1, a2])
        s.flush()
        s.add(AsmResponsable(asm_id=a1.id, dependencia_id=smdif.id))
        s.add(AsmResponsable(asm_id=a2.id, dependencia_id=tm.id))
        comunes: dict[str, Any] = {"clasificacion": "especifico", "area_responsable": "SMDIF"}
        registro.nueva_version(
            s, a1, date(2025, 1, 10), "t", origen="test", texto="Padrón único",
            fecha_termino=date(2025, 6, 30), **comunes,
        )  # fmt: skip
        registro.nueva_version(
            s, a2, date(2025, 4, 2), "t", origen="test", texto="Conciliar con Tesorería",
            fecha_termino=date(2025, 12, 15), **comunes,
        )  # fmt: skip
        registro.registrar_avance(s, a1, date(2025, 2, 1), 20, "t", origen="test")
        registro.registrar_avance(s, a1, date(2025, 3, 1), 40, "t", origen="test")
        # In Q2 the plan changed its fecha de término and the progress went on.
        registro.nueva_version(
            s, a1, date(2025, 5, 6), "t", origen="test", fecha_termino=date(2025, 9, 30),
            observaciones="Se amplió el plazo por oficio.",
        )  # fmt: skip
        registro.registrar_avance(
            s, a1, date(2025, 6, 1), 70, "t", origen="test", observaciones="Falta validación."
        )
        registro.nueva_version(
            s, a1, date(2025, 10, 1), "t", origen="test", valoracion=Valoracion.ATENDIDO.value
        )
        registro.registrar_avance(s, a1, date(2025, 9, 1), 100, "t", origen="test")


def test_each_quarter_shows_its_own_state(db: Db, cal: CalendarioHabil) -> None:
    _sembrar(db)
    hoy = date(2026, 1, 15)
    with db.sesiones() as s:
        (p1,) = planes_anexo(s, T1, cal, hoy)
        (p2,) = planes_anexo(s, T2, cal, hoy)
        (p3,) = planes_anexo(s, T3, cal, hoy)
    # Q1: only ASM 1 existed, with its first plan and March's 40 %.
    assert [f.numero for f in p1.filas] == [1]
    assert p1.filas[0].avance == 40
    assert p1.filas[0].fecha_termino == date(2025, 6, 30)
    assert p1.filas[0].observaciones == ""
    # Q2: the new fecha de término, June's avance and both observaciones.
    f1, f2 = p2.filas
    assert (f1.avance, f1.fecha_termino) == (70, date(2025, 9, 30))
    assert f1.observaciones == "Se amplió el plazo por oficio.\nFalta validación."
    assert f1.semaforo is Semaforo.A_TIEMPO  # on 30/06/2025, 3 months to go
    assert (f2.numero, f2.avance, f2.clasificacion) == (2, None, Clasificacion.ESPECIFICO)
    # Q3: 100 % and still no valoración (it was recorded on 01/10/2025).
    assert p3.filas[0].avance == 100
    assert p3.filas[0].valoracion is None
    with db.sesiones() as s:
        (p4,) = planes_anexo(s, Trimestre(2025, 4), cal, hoy)
    assert p4.filas[0].valoracion is Valoracion.ATENDIDO


def test_semaforo_is_evaluated_at_the_quarter_end(db: Db, cal: CalendarioHabil) -> None:
    _sembrar(db)
    with db.sesiones() as s:
        (p1,) = planes_anexo(s, T1, cal, date(2026, 1, 15))
        # Mid-June 2025, ASM 1 was due 30/09 at 70 %: on time; ASM 2 had no avance and time.
        (ahora,) = planes_anexo(s, T2, cal, date(2025, 6, 20))
    assert p1.filas[0].semaforo is Semaforo.A_TIEMPO
    assert [f.semaforo for f in ahora.filas] == [Semaforo.A_TIEMPO, Semaforo.A_TIEMPO]
    with db.sesiones() as s:
        (tarde,) = planes_anexo(s, Trimestre(2025, 4), cal, date(2025, 12, 31))
    assert tarde.filas[1].semaforo is Semaforo.VENCIDO  # due 15/12/2025, never reported


def test_filters_by_programa_and_dependencia(db: Db, cal: CalendarioHabil) -> None:
    _sembrar(db)
    with db.sesiones() as s:
        tm = Catalogo(s).buscar("TM")
        assert tm is not None
        (solo_tm,) = planes_anexo(s, T2, cal, date(2026, 1, 1), dependencia_id=tm.id)
        assert planes_anexo(s, T2, cal, date(2026, 1, 1), programa_clave="X999") == []
    assert [f.numero for f in solo_tm.filas] == [2]


def test_unchanged_version_is_not_written_and_changes_are_audited(db: Db) -> None:
    _sembrar(db)
    with db.sesiones.begin() as s:
        asm = s.scalars(select(Asm).where(Asm.numero == 1)).one()
        antes = s.scalar(select(func.count()).select_from(AsmVersion)) or 0
        assert (
            registro.nueva_version(
                s, asm, date(2025, 5, 6), "t", origen="test", fecha_termino=date(2025, 9, 30)
            )
            is None
        )
        assert s.scalar(select(func.count()).select_from(AsmVersion)) == antes
        registro.nueva_version(s, asm, date(2025, 11, 1), "t", origen="test", actividades="Nueva")
        ultimo = s.scalars(select(Auditoria).order_by(Auditoria.id.desc())).first()
        assert ultimo is not None
        assert ultimo.detalle["cambios"] == {"actividades": ["", "Nueva"]}
        # Nothing was overwritten: every version and avance is still there.
        assert s.scalar(select(func.count()).select_from(AsmVersion)) == antes + 1
        assert s.scalar(select(func.count()).select_from(Avance)) == 4
