"""Who may see and do what (bot.servicios.permisos), the monthly report on its draft
(bot.servicios.flujo_avance, seguimiento) and deactivation (bot.servicios.usuarios), on a
plain session: no Telegram."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.vocabulario import Rol
from bot.servicios import borradores, flujo_avance, usuarios
from bot.servicios.avisos import Aviso, Avisos
from bot.servicios.borradores import BorradorAvance, Flujo, PasoAvance
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.historial import historial
from bot.servicios.permisos import (
    AccesoDenegado,
    autorizar_asm,
    exigir_coordinador,
    programa_permitido,
    programas_visibles,
    puede_ver_asm,
)
from bot.servicios.rechazos import BotonVencido
from bot.servicios.seguimiento import AvanceRechazado
from bot.servicios.usuarios import NoASiMismo, NoEsActivo, Persona, persona_activa
from storage.models import Asm, Auditoria, Avance, Dependencia, Programa, Salida, Usuario
from tests.arnes import sembrar
from tests.conftest import Db

HOY = date(2026, 11, 18)
AHORA = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)


class Palabras:
    """A Redactor that says what it is about, so a test reads who got which notice."""

    def copia_avance(self, recibo: object, persona: Persona) -> str:
        return f"copia de {persona.nombre}"

    def plan_enviado(self, plan: object, persona: Persona) -> Aviso:
        return Aviso("plan enviado")

    def plan_aprobado(self, plan: object) -> Aviso:
        return Aviso("plan aprobado")

    def plan_observado(self, plan: object, observaciones: str) -> Aviso:
        return Aviso(f"observado: {observaciones}")


def _persona(s: Session, telegram_id: int, rol: Rol, siglas: str | None = None) -> Persona:
    dep = s.scalar(select(Dependencia).where(Dependencia.siglas == siglas)) if siglas else None
    u = Usuario(
        telegram_id=telegram_id, nombre=f"P{telegram_id}", rol=rol.value,
        dependencia_id=dep.id if dep else None,
    )  # fmt: skip
    s.add(u)
    s.flush()
    p = persona_activa(s, telegram_id)
    assert p is not None
    return p


def _asm(s: Session, numero: int) -> int:
    return s.scalars(select(Asm.id).where(Asm.numero == numero)).one()


def _negados(s: Session) -> list[tuple[str, int | None, object]]:
    filas = s.scalars(select(Auditoria).where(Auditoria.accion == "acceso_denegado")).all()
    return [(a.objeto, a.objeto_id, a.detalle.get("intento")) for a in filas]


@pytest.fixture
def s(db: Db) -> Iterator[Session]:
    with db.sesiones() as sesion:
        sembrar(sesion)
        sesion.flush()
        yield sesion


def test_an_enlace_reaches_only_its_dependencias_asm_and_refusals_are_audited(s: Session) -> None:
    dif = _persona(s, 1, Rol.ENLACE, "SMDIF")
    coord = _persona(s, 2, Rol.COORDINADOR)
    a1, a3 = _asm(s, 1), _asm(s, 3)  # 1 is the SMDIF's, 3 the Tesorería's
    autorizar_asm(s, dif, a1, "avance")
    with pytest.raises(AccesoDenegado):
        autorizar_asm(s, dif, a3, "avance")
    with pytest.raises(AccesoDenegado):  # IMPLAN does not report progress
        autorizar_asm(s, coord, a1, "avance")
    assert puede_ver_asm(s, coord, a3) and puede_ver_asm(s, dif, a1)
    assert not puede_ver_asm(s, dif, a3)
    assert _negados(s) == [("asm", a3, "avance"), ("asm", a1, "avance"), ("asm", a3, "historial")]


def test_programs_an_enlace_may_see_and_a_forged_one(s: Session) -> None:
    dif = _persona(s, 1, Rol.ENLACE, "SMDIF")
    sin_dep = _persona(s, 3, Rol.ENLACE)
    contraloria = _persona(s, 4, Rol.CONTRALORIA)
    otro = Programa(clave="F001", nombre="Fondo sin ASM")
    s.add(otro)
    s.flush()
    e003 = s.scalars(select(Programa.id).where(Programa.clave == "E003")).one()
    assert [p.clave for p in programas_visibles(s, dif)] == ["E003"]
    assert programas_visibles(s, sin_dep) == []  # never everything
    assert [p.clave for p in programas_visibles(s, contraloria)] == ["E003"]
    assert programa_permitido(s, dif, e003).clave == "E003"
    with pytest.raises(AccesoDenegado):  # exists, with no ASM of the SMDIF: forged
        programa_permitido(s, dif, otro.id)
    with pytest.raises(BotonVencido):  # not offered to IMPLAN either: just stale
        programa_permitido(s, contraloria, otro.id)
    assert _negados(s) == [("programa", otro.id, "anexo")]


def test_only_coordinadores_administer_and_a_forged_press_is_audited(s: Session) -> None:
    exigir_coordinador(s, _persona(s, 2, Rol.COORDINADOR), "us1:ie")
    enlace = _persona(s, 1, Rol.ENLACE, "SMDIF")
    with pytest.raises(AccesoDenegado):
        exigir_coordinador(s, enlace)  # a command: nothing to audit
    with pytest.raises(AccesoDenegado):
        exigir_coordinador(s, enlace, "us1:dok:7")
    auditados = s.scalars(select(Auditoria).where(Auditoria.accion == "acceso_denegado")).all()
    assert [(a.objeto, a.detalle["dato"]) for a in auditados] == [("boton", "us1:dok:7")]


def _hasta_confirmar(
    s: Session, p: Persona, asm_id: int, porcentaje: int, cal: CalendarioHabil
) -> BorradorAvance:
    flujo_avance.iniciar(s, p, Flujo.AVANCE, HOY, cal)
    flujo_avance.elegir_asm(s, p, Flujo.AVANCE, asm_id, HOY, cal)
    b = flujo_avance.borrador_de(s, p)
    assert b is not None and b.paso is PasoAvance.PORCENTAJE
    flujo_avance.fijar_porcentaje(s, p, b, porcentaje, HOY, cal)
    b.observaciones, b.paso = "", PasoAvance.EVIDENCIA
    flujo_avance.guardar_paso(s, p, b)
    archivo = ArchivoEvidencia("ab" * 32, 10, "application/pdf", "acta.pdf", "e/ab.pdf")
    assert flujo_avance.anotar_evidencia(s, p, archivo) == 1
    with pytest.raises(flujo_avance.EvidenciaRepetida):
        flujo_avance.anotar_evidencia(s, p, archivo)
    b = flujo_avance.borrador_de(s, p)
    assert b is not None
    flujo_avance.a_confirmar(s, p, b, HOY, cal)
    return b


def test_a_confirmed_report_is_saved_once_and_copied_to_the_coordination(
    s: Session, cal: CalendarioHabil
) -> None:
    dif = _persona(s, 1, Rol.ENLACE, "SMDIF")
    coord = _persona(s, 2, Rol.COORDINADOR)
    _persona(s, 4, Rol.CONTRALORIA)
    a1 = _asm(s, 1)
    _hasta_confirmar(s, dif, a1, 55, cal)
    avisos = Avisos(Palabras(), AHORA)
    recibo = flujo_avance.confirmar(s, dif, HOY, cal, avisos)
    assert (recibo.porcentaje, recibo.evidencias_nuevas, recibo.asm.avance) == (55, 1, 40)
    assert borradores.leer(s, dif.telegram_id) is None
    with pytest.raises(BotonVencido):  # a second press finds nothing to save
        flujo_avance.confirmar(s, dif, HOY, cal, avisos)
    avances = s.scalars(select(Avance.porcentaje).where(Avance.asm_id == a1)).all()
    assert sorted(avances) == [40, 55]
    copias = s.execute(select(Salida.chat_id, Salida.texto, Salida.tipo)).all()
    assert sorted(copias) == [
        (coord.telegram_id, "copia de P1", "copia"),
        (4, "copia de P1", "copia"),
    ]


def test_a_lower_percentage_needs_observations(s: Session, cal: CalendarioHabil) -> None:
    dif = _persona(s, 1, Rol.ENLACE, "SMDIF")
    a1 = _asm(s, 1)  # at 40 %
    flujo_avance.elegir_asm(s, dif, Flujo.AVANCE, a1, HOY, cal)
    b = flujo_avance.borrador_de(s, dif)
    assert b is not None
    assert flujo_avance.fijar_porcentaje(s, dif, b, 30, HOY, cal) == (True, True)
    b = _hasta_confirmar(s, dif, a1, 30, cal)
    assert b.obligatorias
    with pytest.raises(AvanceRechazado):
        flujo_avance.confirmar(s, dif, HOY, cal, Avisos(Palabras(), AHORA))
    assert borradores.leer(s, dif.telegram_id) is not None  # kept, to fix and confirm
    assert s.scalars(select(Avance.porcentaje).where(Avance.asm_id == a1)).all() == [40]


def test_evidence_only_is_added_once_per_file(s: Session, cal: CalendarioHabil) -> None:
    dif = _persona(s, 1, Rol.ENLACE, "SMDIF")
    a2 = _asm(s, 2)
    for vez in range(2):
        flujo_avance.elegir_asm(s, dif, Flujo.EVIDENCIA, a2, HOY, cal)
        archivo = ArchivoEvidencia("cd" * 32, 10, "image/png", "foto.png", "e/cd.png")
        flujo_avance.anotar_evidencia(s, dif, archivo)
        b = flujo_avance.borrador_de(s, dif)
        assert b is not None and b.FLUJO is Flujo.EVIDENCIA
        assert flujo_avance.guardar_evidencias(s, dif, b) == ((1, 0) if vez == 0 else (0, 1))
    h = historial(s, a2, HOY)
    assert h is not None and [e.nombre for e in h.evidencias] == ["foto.png"]


def test_deactivation_keeps_the_person_and_never_the_actor(s: Session) -> None:
    coord = _persona(s, 2, Rol.COORDINADOR)
    dif = _persona(s, 1, Rol.ENLACE, "SMDIF")
    with pytest.raises(NoASiMismo):
        usuarios.desactivar(s, coord, coord.id)
    assert usuarios.desactivar(s, coord, dif.id) == "P1"
    with pytest.raises(NoEsActivo):
        usuarios.desactivar(s, coord, dif.id)
    assert persona_activa(s, dif.telegram_id) is None
    gente = usuarios.registrados(s)
    assert [(r.nombre, r.activo) for r in gente] == [("P1", False), ("P2", True)]
    assert usuarios.desactivables(gente, coord) == []
    fila = s.scalars(select(Auditoria).where(Auditoria.accion == "desactivar")).one()
    assert (fila.actor, fila.objeto_id) == (f"usuario:{coord.id}", dif.id)


def test_a_plan_goes_to_review_and_back_with_notices(s: Session, cal: CalendarioHabil) -> None:
    from bot.dominio.vocabulario import EstadoPlan
    from bot.servicios import flujo_plan
    from bot.servicios.borradores import BorradorPlan, PasoPlan
    from bot.servicios.plan_accion import PlanRechazado

    dif = _persona(s, 1, Rol.ENLACE, "SMDIF")
    coord = _persona(s, 2, Rol.COORDINADOR)
    tm = _persona(s, 3, Rol.ENLACE, "TM")
    a1 = _asm(s, 1)
    avisos = Avisos(Palabras(), AHORA)
    with pytest.raises(PlanRechazado):  # another dependencia's ASM
        flujo_plan.abrir_plan(s, tm, a1, HOY, cal)
    plan, motivo = flujo_plan.abrir_plan(s, dif, a1, HOY, cal)
    assert motivo is None and plan.estado is EstadoPlan.BORRADOR
    flujo_plan.elegir_campo(s, dif, a1, "resultados_esperados", HOY, cal)
    b = borradores.leer_borrador(s, dif.telegram_id)
    assert b == BorradorPlan(asm_id=a1, paso=PasoPlan.VALOR, campo="resultados_esperados")
    flujo_plan.escribir_campo(s, dif, b, "Padrón publicado", HOY, cal)
    flujo_plan.elegir_campo(s, dif, a1, "productos_evidencias", HOY, cal)
    b = borradores.leer_borrador(s, dif.telegram_id)
    assert isinstance(b, BorradorPlan)
    flujo_plan.escribir_campo(s, dif, b, "Acta y padrón", HOY, cal)
    enviado = flujo_plan.enviar(s, dif, a1, HOY, cal, avisos)
    assert enviado.estado is EstadoPlan.ENVIADO
    with pytest.raises(PlanRechazado):  # the enlace cannot approve its own plan
        flujo_plan.resolver(s, dif, a1, None, HOY, cal, avisos)
    observado = flujo_plan.resolver(s, coord, a1, "Precise la fecha", HOY, cal, avisos)
    assert observado.estado is EstadoPlan.OBSERVADO
    assert observado.observaciones_revision == "Precise la fecha"
    avisos_enviados = s.execute(select(Salida.chat_id, Salida.texto).order_by(Salida.id)).all()
    assert avisos_enviados == [(coord.telegram_id, "plan enviado"),
                               (dif.telegram_id, "observado: Precise la fecha")]  # fmt: skip
    assert ("asm", a1, "plan_aprobar") in _negados(s)


def test_registration_by_invitation_only(s: Session) -> None:
    from bot.servicios.invitaciones import crear_invitacion
    from bot.servicios.usuarios import (
        AvisoRechazado,
        EnEspera,
        InvitacionInvalida,
        SinInvitacion,
        YaRegistrado,
        contestar_aviso,
        iniciar_registro,
    )

    dep = s.scalars(select(Dependencia).where(Dependencia.siglas == "TM")).one()
    inv = crear_invitacion(s, Rol.ENLACE, dep, "asm_bot", actor="test", ahora=AHORA)
    codigo = inv.enlace.rsplit("=", 1)[-1]
    with pytest.raises(SinInvitacion):
        iniciar_registro(s, 50, "", AHORA)
    for _ in range(3):
        with pytest.raises(InvitacionInvalida):
            iniciar_registro(s, 51, "no-existe", AHORA)
    with pytest.raises(EnEspera):  # after three wrong codes, a wait
        iniciar_registro(s, 51, codigo, AHORA)
    iniciar_registro(s, 50, codigo, AHORA)
    with pytest.raises(AvisoRechazado):
        contestar_aviso(s, 50, False, "Ana", AHORA)
    with pytest.raises(BotonVencido):  # the answer ended that registration
        contestar_aviso(s, 50, True, "Ana", AHORA)
    iniciar_registro(s, 50, codigo, AHORA)
    persona = contestar_aviso(s, 50, True, "Ana", AHORA)
    assert (persona.rol, persona.dependencia) == (Rol.ENLACE, "Tesorería Municipal")
    with pytest.raises(YaRegistrado):
        iniciar_registro(s, 50, codigo, AHORA)
