"""The close of an ASM on a plain session: the lock, the queue, prórrogas and one set of numbers."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.vocabulario import Rol, Valoracion
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.prorrogas import ProrrogaRechazada, resolver, solicitar
from bot.servicios.resumen import resumen
from bot.servicios.seguimiento import AsmCerrado, agregar_evidencias, guardar_avance
from bot.servicios.usuarios import Persona
from bot.servicios.valoracion import (
    ValoracionRechazada,
    asm_bloqueado,
    pendientes_de_valoracion,
    reabrir,
    valorar,
)
from storage.models import Asm, Evaluacion, Usuario
from tests.arnes import sembrar
from tests.conftest import Db

HOY = date(2026, 11, 18)
AHORA = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)
PDF = ArchivoEvidencia("a" * 64, 10, "application/pdf", "acta.pdf", "ev/aa", None, None)


def _persona(s: Session, rol: Rol, siglas: str | None = None) -> Persona:
    dep_id = None
    if siglas:
        dep = Catalogo(s).buscar(siglas)
        assert dep is not None
        dep_id = dep.id
    telegram_id = 1000 + len(s.scalars(select(Usuario.id)).all())
    u = Usuario(telegram_id=telegram_id, nombre="X", rol=rol.value, dependencia_id=dep_id)
    s.add(u)
    s.flush()
    return Persona(u.id, u.telegram_id, u.nombre, rol, dep_id, "SMDIF" if siglas else None)


def _asm(s: Session, numero: int) -> Asm:
    return s.scalars(select(Asm).where(Asm.numero == numero)).one()


def test_a_valoracion_locks_avance_and_evidence_until_reopened(
    db: Db, cal: CalendarioHabil
) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
        coord, ana = _persona(s, Rol.COORDINADOR), _persona(s, Rol.ENLACE, "SMDIF")
        asm2 = _asm(s, 2)  # due 30/10/2026 at 60 %
        assert not asm_bloqueado(s, asm2.id)
        valorar(s, coord, asm2.id, Valoracion.NO_ATENDIDO, HOY, cal, causas="Sin personal")
        assert asm_bloqueado(s, asm2.id)
        with pytest.raises(AsmCerrado):
            guardar_avance(s, ana, asm2.id, 40, "Baja", [], HOY, cal)
        with pytest.raises(AsmCerrado):
            agregar_evidencias(s, ana, asm2.id, [PDF])
        with pytest.raises(ValoracionRechazada, match="ya está valorado"):
            valorar(s, coord, asm2.id, Valoracion.NO_ATENDIDO, HOY, cal, causas="Otra vez")
        with pytest.raises(ValoracionRechazada, match="motivo"):
            reabrir(s, coord, asm2.id, "  ", HOY, cal)
        with pytest.raises(ValoracionRechazada):
            reabrir(s, ana, asm2.id, "Quiero", HOY, cal)
        reabrir(s, coord, asm2.id, "Error de captura", HOY, cal)
        assert not asm_bloqueado(s, asm2.id)
        recibo = guardar_avance(s, ana, asm2.id, 70, "Se retomó", [], HOY, cal)
        assert recibo.porcentaje == 70


def test_the_queue_and_the_numbers_agree(db: Db, cal: CalendarioHabil) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
        coord = _persona(s, Rol.COORDINADOR)
        asm1, asm2 = _asm(s, 1), _asm(s, 2)
        cola = pendientes_de_valoracion(s, HOY, cal)
        assert [(p.asm.numero, p.motivo, p.desde) for p in cola] == [
            (2, "vencido", date(2026, 10, 30))
        ]
        r = resumen(s, HOY, cal)
        assert (r.vencidos, r.cerrados) == (1, 0)
        valorar(s, coord, asm2.id, Valoracion.NO_ATENDIDO, HOY, cal, causas="Sin personal")
        completo = registro.registrar_avance(s, asm1, date(2026, 11, 1), 100, "test", origen="test")
        completo.registrado_en = AHORA  # the day 100 % was reported is the day it waits from
        cola = pendientes_de_valoracion(s, HOY, cal)
        assert [(p.asm.numero, p.motivo, p.desde) for p in cola] == [(1, "completo", HOY)]
        r = resumen(s, HOY, cal)
        # The valued ASM is closed: counted apart, no longer late.
        assert (r.asm, r.vencidos, r.en_riesgo, r.cerrados) == (3, 0, 0, 1)


def test_prorroga_within_the_limit_and_approved_after_the_original_date(
    db: Db, cal: CalendarioHabil
) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
        coord, ana = _persona(s, Rol.COORDINADOR), _persona(s, Rol.ENLACE, "SMDIF")
        asm2 = _asm(s, 2)  # due 30/10/2026: the original date already passed
        ev = Evaluacion(programa_id=asm2.programa_id, tipo="externa", ejercicio_evaluado=2026)
        s.add(ev)
        s.flush()
        asm2.evaluacion_id = ev.id  # external: limit = last business day of April 2027
        with pytest.raises(ProrrogaRechazada, match="excede la fecha límite de atención"):
            solicitar(s, ana, asm2.id, date(2027, 6, 30), "Obra", HOY, cal)
        p = solicitar(s, ana, asm2.id, date(2027, 3, 31), "Obra pendiente", HOY, cal)
        with pytest.raises(ProrrogaRechazada, match="en revisión"):
            solicitar(s, ana, asm2.id, date(2027, 3, 30), "Otra", HOY, cal)
        with pytest.raises(ProrrogaRechazada):
            resolver(s, ana, p.prorroga_id, True, "", HOY, cal, AHORA)
        with pytest.raises(ProrrogaRechazada, match="motivo del rechazo"):
            resolver(s, coord, p.prorroga_id, False, " ", HOY, cal, AHORA)
        r = resolver(s, coord, p.prorroga_id, True, "-", HOY, cal, AHORA)
        assert (r.aprobada, r.fecha_original, r.fecha_nueva, r.nota) == (
            True,
            date(2026, 10, 30),
            date(2027, 3, 31),
            "",
        )
        v = registro.version_vigente(s, asm2.id, HOY)
        assert v is not None and v.fecha_termino == date(2027, 3, 31)
        assert "fecha de término original 30/10/2026" in v.observaciones
        # The semáforo follows the date in force: no longer late, out of the queue.
        assert pendientes_de_valoracion(s, HOY, cal) == []
        assert resumen(s, HOY, cal).vencidos == 0
        with pytest.raises(ProrrogaRechazada, match="ya fue resuelta"):
            resolver(s, coord, p.prorroga_id, False, "No", HOY, cal, AHORA)


def test_prorroga_refused_on_a_closed_or_foreign_asm(db: Db, cal: CalendarioHabil) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
        coord, ana = _persona(s, Rol.COORDINADOR), _persona(s, Rol.ENLACE, "SMDIF")
        asm2, asm3 = _asm(s, 2), _asm(s, 3)
        with pytest.raises(ProrrogaRechazada, match="Enlace de la dependencia"):
            solicitar(s, ana, asm3.id, date(2027, 6, 30), "No es mío", HOY, cal)
        valorar(s, coord, asm2.id, Valoracion.NO_ATENDIDO, HOY, cal, causas="Sin personal")
        with pytest.raises(ProrrogaRechazada, match="cerrado"):
            solicitar(s, ana, asm2.id, date(2027, 1, 31), "Tarde", HOY, cal)


def test_internal_evaluations_set_no_limit_yet(db: Db, cal: CalendarioHabil) -> None:
    """The 5 business days of Art. 13 are a delivery, not the limit of a prórroga."""
    with db.sesiones.begin() as s:
        sembrar(s)
        ana = _persona(s, Rol.ENLACE, "SMDIF")
        asm1 = _asm(s, 1)
        ev = Evaluacion(
            programa_id=asm1.programa_id, tipo="interna", ejercicio_evaluado=2026,
            fecha_notificacion=date(2026, 3, 2),
        )  # fmt: skip
        s.add(ev)
        s.flush()
        asm1.evaluacion_id = ev.id
        p = solicitar(s, ana, asm1.id, date(2027, 6, 30), "Licitación desierta", HOY, cal)
        assert p.fecha_nueva == date(2027, 6, 30)
