"""The action plan of each ASM and IMPLAN's review (Art. 10–12), on the register.

Every change is a new AsmVersion (bot.servicios.registro), so the plan's history is kept; every function
works inside the caller's transaction and checks again who may act, whatever the chat said.
The rules themselves are in bot.dominio.planes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.planes import (
    CAMPOS_PLAN,
    AccionPlan,
    estado_siguiente,
    faltantes_para_enviar,
    quien_puede,
    validar_accion,
    validar_valor,
)
from bot.dominio.plazos import limite_atencion, plazo_plan_accion
from bot.dominio.texto import limpiar
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Rol
from bot.servicios import registro
from bot.servicios.permisos import NO_ES_SUYO, asm_de_su_dependencia, negar
from bot.servicios.rechazos import Rechazado
from bot.servicios.usuarios import Persona
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Dependencia,
    Evaluacion,
    Programa,
    RevisionPlan,
    Usuario,
)


class PlanRechazado(Rechazado):
    """The action breaks a rule or the person may not do it; the message says why."""


@dataclass(frozen=True)
class Plan:
    asm_id: int
    numero: int
    programa_clave: str
    texto: str
    clasificacion: Clasificacion
    estado: EstadoPlan
    actividades: str
    fecha_termino: date | None
    resultados_esperados: str
    productos_evidencias: str
    fecha_maxima: date | None  # the latest fecha de término allowed (Anexo A, f)
    plazo_envio: date | None  # Art. 10: 5 business days after the ASM were received
    dependencias: tuple[str, ...]
    desde: date  # when the current version took effect (sent, for plans in review)
    version_id: int
    observaciones_revision: str  # IMPLAN's last observations, when the plan has them

    def valores(self) -> dict[str, object]:
        return {c: getattr(self, c) for c in CAMPOS_PLAN}


def leer_plan(session: Session, asm_id: int, hoy: date, cal: CalendarioHabil) -> Plan | None:
    asm = session.get(Asm, asm_id)
    version = registro.version_vigente(session, asm_id, hoy)
    if asm is None or version is None:
        return None
    clasificacion = Clasificacion(version.clasificacion)
    maxima = plazo = None
    if asm.evaluacion_id is not None:
        ev = session.get(Evaluacion, asm.evaluacion_id)
        if ev is not None:
            # Anexo A (f): the evaluation's fecha límite de atención, not Art. 13's delivery.
            maxima = limite_atencion(ev, cal)
    if asm.fecha_recepcion is not None:
        plazo = plazo_plan_accion(asm.fecha_recepcion, clasificacion, cal)
    deps = session.scalars(
        select(func.coalesce(Dependencia.siglas, Dependencia.nombre))
        .join(AsmResponsable, AsmResponsable.dependencia_id == Dependencia.id)
        .where(AsmResponsable.asm_id == asm_id)
        .order_by(Dependencia.nombre)
    ).all()
    estado = EstadoPlan(version.estado_plan)
    ultima = session.scalar(
        select(RevisionPlan).where(RevisionPlan.asm_id == asm_id).order_by(RevisionPlan.id.desc())
    )
    observaciones = (
        ultima.observaciones
        if estado is EstadoPlan.OBSERVADO and ultima and ultima.resultado == estado
        else ""
    )
    return Plan(
        asm_id=asm_id,
        numero=asm.numero,
        programa_clave=asm.programa.clave,
        texto=version.texto,
        clasificacion=clasificacion,
        estado=estado,
        actividades=version.actividades,
        fecha_termino=version.fecha_termino,
        resultados_esperados=version.resultados_esperados,
        productos_evidencias=version.productos_evidencias,
        fecha_maxima=maxima,
        plazo_envio=plazo,
        dependencias=tuple(deps),
        desde=version.vigente_desde,
        version_id=version.id,
        observaciones_revision=observaciones,
    )


def planes_de_dependencia(
    session: Session, dependencia_id: int, hoy: date, cal: CalendarioHabil
) -> list[Plan]:
    ids = session.scalars(
        select(Asm.id)
        .join(Programa, Programa.id == Asm.programa_id)
        .where(
            Asm.id.in_(
                select(AsmResponsable.asm_id).where(AsmResponsable.dependencia_id == dependencia_id)
            )
        )
        .order_by(Programa.clave, Asm.numero)
    ).all()
    return [p for i in ids if (p := leer_plan(session, i, hoy, cal)) is not None]


def planes_en_revision(session: Session, hoy: date, cal: CalendarioHabil) -> list[Plan]:
    """Plans waiting for IMPLAN, the longest-waiting first."""
    # Only ASM that were ever sent can be in review now: a few, not the whole register.
    enviados = select(AsmVersion.asm_id).where(AsmVersion.estado_plan == EstadoPlan.ENVIADO.value)
    planes = [
        p
        for i in session.scalars(select(Asm.id).where(Asm.id.in_(enviados))).all()
        if (p := leer_plan(session, i, hoy, cal)) is not None and p.estado is EstadoPlan.ENVIADO
    ]
    return sorted(planes, key=lambda p: (p.desde, p.version_id))


def _autorizar(session: Session, persona: Persona, plan: Plan, accion: AccionPlan) -> None:
    """Raises PlanRechazado (and writes the refusal in the audit log) when it may not be done."""
    problemas = validar_accion(accion, plan.estado, persona.rol, plan.clasificacion)
    ajeno = persona.rol is Rol.ENLACE and not asm_de_su_dependencia(session, persona, plan.asm_id)
    if ajeno:
        problemas = [NO_ES_SUYO]
    if not problemas:
        return
    if ajeno or persona.rol is not quien_puede(accion):  # state refusals are not audited
        negar(session, persona, "asm", plan.asm_id, f"plan_{accion.value}")
    raise PlanRechazado(" ".join(problemas))


def _plan_o_error(session: Session, asm_id: int, hoy: date, cal: CalendarioHabil) -> Plan:
    plan = leer_plan(session, asm_id, hoy, cal)
    if plan is None:
        raise PlanRechazado("Ese ASM ya no está en el registro.")
    return plan


def revisar_permiso(
    session: Session, persona: Persona, asm_id: int, accion: AccionPlan, hoy: date,
    cal: CalendarioHabil,
) -> Plan:  # fmt: skip
    """The plan, when the person may do `accion` on it now; PlanRechazado otherwise."""
    plan = _plan_o_error(session, asm_id, hoy, cal)
    _autorizar(session, persona, plan, accion)
    return plan


def cambiar_campo(
    session: Session, persona: Persona, asm_id: int, campo: str, texto: str, hoy: date,
    cal: CalendarioHabil,
) -> Plan:  # fmt: skip
    """Saves one field of the plan typed by the enlace, as a new version."""
    plan = revisar_permiso(session, persona, asm_id, AccionPlan.EDITAR, hoy, cal)
    valor, problemas = validar_valor(campo, limpiar(texto), plan.fecha_maxima, hoy)
    if problemas:
        raise PlanRechazado(" ".join(problemas))
    _nueva_version(session, persona, asm_id, hoy, **{campo: valor})
    return _plan_o_error(session, asm_id, hoy, cal)


def enviar_plan(
    session: Session, persona: Persona, asm_id: int, hoy: date, cal: CalendarioHabil
) -> tuple[Plan, int]:
    """Sends the plan to IMPLAN's review; returns it with the id of the version that did."""
    plan = revisar_permiso(session, persona, asm_id, AccionPlan.ENVIAR, hoy, cal)
    faltan = faltantes_para_enviar(plan.valores(), plan.fecha_maxima)
    if faltan:
        raise PlanRechazado(" ".join(faltan))
    siguiente = estado_siguiente(AccionPlan.ENVIAR, plan.estado)
    version = _nueva_version(session, persona, asm_id, hoy, estado_plan=siguiente.value)
    return _plan_o_error(session, asm_id, hoy, cal), version.id


def resolver_plan(
    session: Session, persona: Persona, asm_id: int, aprobar: bool, observaciones: str,
    hoy: date, cal: CalendarioHabil,
) -> tuple[Plan, int]:  # fmt: skip
    """IMPLAN approves the plan, or sends it back with observations (Art. 12)."""
    accion = AccionPlan.APROBAR if aprobar else AccionPlan.OBSERVAR
    plan = revisar_permiso(session, persona, asm_id, accion, hoy, cal)
    observaciones = limpiar(observaciones).strip()
    if not aprobar and not observaciones:
        raise PlanRechazado("Escriba las observaciones para la dependencia.")
    siguiente = estado_siguiente(accion, plan.estado)
    version = _nueva_version(session, persona, asm_id, hoy, estado_plan=siguiente.value)
    session.add(
        RevisionPlan(
            asm_id=asm_id,
            version_id=version.id,
            resultado=siguiente.value,
            observaciones=observaciones,
            usuario_id=persona.id,
        )
    )
    session.flush()
    return _plan_o_error(session, asm_id, hoy, cal), version.id


def _nueva_version(
    session: Session, persona: Persona, asm_id: int, hoy: date, **cambios: object
) -> AsmVersion:
    asm = session.get(Asm, asm_id)
    assert asm is not None
    version = registro.nueva_version(
        session, asm, hoy, f"usuario:{persona.id}", origen="bot", usuario_id=persona.id, **cambios
    )
    if version is None:  # nothing changed: the current one stands
        actual = registro.version_vigente(session, asm_id, hoy)
        assert actual is not None
        return actual
    return version


def enlaces_de(session: Session, asm_id: int) -> list[tuple[int, int]]:
    """(usuario id, Telegram id) of the active enlaces of the dependencias answering for it."""
    filas = session.execute(
        select(Usuario.id, Usuario.telegram_id)
        .join(AsmResponsable, AsmResponsable.dependencia_id == Usuario.dependencia_id)
        .where(AsmResponsable.asm_id == asm_id, Usuario.activo, Usuario.rol == Rol.ENLACE.value)
        .order_by(Usuario.id)
        .distinct()
    ).all()
    return [(uid, tid) for uid, tid in filas]


def coordinadores(session: Session) -> list[tuple[int, int]]:
    """(usuario id, Telegram id) of the active coordinadores: they review the plans."""
    filas = session.execute(
        select(Usuario.id, Usuario.telegram_id)
        .where(Usuario.activo, Usuario.rol == Rol.COORDINADOR.value)
        .order_by(Usuario.id)
    ).all()
    return [(uid, tid) for uid, tid in filas]
