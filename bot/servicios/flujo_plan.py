"""The /plan, /revisar and /posicion conversations (diagram: handlers/plan.md), each step on the
person's draft. The rules and the checks of who may act are in bot.servicios.plan_accion and
bot.servicios.permisos; refusals are PlanRechazado / PosicionRechazada."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.planes import CAMPOS_PLAN, AccionPlan
from bot.servicios import borradores
from bot.servicios.avisos import Avisos
from bot.servicios.borradores import (
    BorradorPlan,
    BorradorPosicion,
    BorradorRevision,
    PasoPlan,
)
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.permisos import NO_ES_SUYO
from bot.servicios.plan_accion import (
    Plan,
    PlanRechazado,
    cambiar_campo,
    enviar_plan,
    leer_plan,
    resolver_plan,
    revisar_permiso,
)
from bot.servicios.posicion import (
    EvaluacionPosicion,
    ReciboPosicion,
    evaluacion_de,
    registrar_posicion,
)
from bot.servicios.rechazos import BotonVencido
from bot.servicios.usuarios import Persona


def abrir_plan(
    session: Session, persona: Persona, asm_id: int, hoy: date, cal: CalendarioHabil
) -> tuple[Plan, str | None]:
    """The plan, and why it may not be edited now (None when it may: its menu is opened).

    PlanRechazado when the person may not even see it (another dependencia's, or not an enlace).
    """
    try:
        plan = revisar_permiso(session, persona, asm_id, AccionPlan.EDITAR, hoy, cal)
    except PlanRechazado as ex:
        motivo = str(ex)
        visible = leer_plan(session, asm_id, hoy, cal) if persona.es_enlace else None
        if motivo == NO_ES_SUYO or visible is None:
            raise
        return visible, motivo  # the plan is shown, not editable
    borradores.guardar_borrador(session, persona.telegram_id, BorradorPlan(asm_id=asm_id))
    return plan, None


def elegir_campo(
    session: Session, persona: Persona, asm_id: int, campo: str, hoy: date, cal: CalendarioHabil
) -> Plan:
    if campo not in CAMPOS_PLAN:
        raise BotonVencido()
    plan = revisar_permiso(session, persona, asm_id, AccionPlan.EDITAR, hoy, cal)
    borrador = BorradorPlan(asm_id=asm_id, paso=PasoPlan.VALOR, campo=campo)
    borradores.guardar_borrador(session, persona.telegram_id, borrador)
    return plan


def escribir_campo(
    session: Session, persona: Persona, borrador: BorradorPlan, texto: str, hoy: date,
    cal: CalendarioHabil,
) -> Plan:  # fmt: skip
    """The typed value of the chosen field; back to the menu."""
    assert borrador.campo is not None
    plan = cambiar_campo(session, persona, borrador.asm_id, borrador.campo, texto, hoy, cal)
    borradores.guardar_borrador(session, persona.telegram_id, BorradorPlan(asm_id=borrador.asm_id))
    return plan


def enviar(
    session: Session, persona: Persona, asm_id: int, hoy: date, cal: CalendarioHabil,
    avisos: Avisos,
) -> Plan:  # fmt: skip
    """Art. 11: the plan goes to IMPLAN's review; the coordinadores are told."""
    plan, version_id = enviar_plan(session, persona, asm_id, hoy, cal)
    borradores.borrar(session, persona.telegram_id)
    avisos.plan_enviado(session, persona, plan, version_id)
    return plan


def abrir_revision(
    session: Session, persona: Persona, asm_id: int, hoy: date, cal: CalendarioHabil
) -> Plan:
    return revisar_permiso(session, persona, asm_id, AccionPlan.APROBAR, hoy, cal)


def pedir_observaciones(
    session: Session, persona: Persona, asm_id: int, hoy: date, cal: CalendarioHabil
) -> None:
    revisar_permiso(session, persona, asm_id, AccionPlan.OBSERVAR, hoy, cal)
    borradores.guardar_borrador(session, persona.telegram_id, BorradorRevision(asm_id=asm_id))


def resolver(
    session: Session, persona: Persona, asm_id: int, observaciones: str | None, hoy: date,
    cal: CalendarioHabil, avisos: Avisos,
) -> Plan:  # fmt: skip
    """Art. 12: approves (observaciones None) or sends the observations; the enlaces are told."""
    aprobar = observaciones is None
    plan, version_id = resolver_plan(
        session, persona, asm_id, aprobar, observaciones or "", hoy, cal
    )
    borradores.borrar(session, persona.telegram_id)
    avisos.plan_resuelto(session, plan, version_id, observaciones)
    return plan


def elegir_evaluacion(
    session: Session, persona: Persona, evaluacion_id: int, cal: CalendarioHabil
) -> EvaluacionPosicion | None:
    """The evaluation whose posición the enlace will send (None, audited, when not theirs)."""
    ev = evaluacion_de(session, persona, evaluacion_id, cal)
    if ev is not None:
        borrador = BorradorPosicion(evaluacion_id=evaluacion_id)
        borradores.guardar_borrador(session, persona.telegram_id, borrador)
    return ev


def entregar_posicion(
    session: Session, persona: Persona, borrador: BorradorPosicion, archivo: ArchivoEvidencia,
    hoy: date, cal: CalendarioHabil,
) -> ReciboPosicion:  # fmt: skip
    recibo = registrar_posicion(session, persona, borrador.evaluacion_id, archivo, hoy, cal)
    borradores.borrar(session, persona.telegram_id)
    return recibo
