"""/plan (the enlace writes the action plan), /revisar (IMPLAN reviews it) and /posicion
(the dependencia's posición institucional). Diagram: plan.md.

Every button re-checks the person, the role and the ASM in the services (bot.servicios.flujo_plan,
plan_accion, permisos): button data may be forged. Notices to other people are queued by the
services in the same transaction as the change (bot.servicios.avisos).
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.planes import CAMPOS_PLAN, motivo_rechazo_documento
from bot.dominio.vocabulario import Rol
from bot.mensajes import callbacks, textos
from bot.mensajes import plan as t
from bot.servicios import flujo_plan as servicio
from bot.servicios.borradores import BorradorPlan, BorradorPosicion, BorradorRevision, PasoPlan
from bot.servicios.plan_accion import Plan, planes_de_dependencia, planes_en_revision
from bot.servicios.posicion import evaluaciones_de
from bot.servicios.rechazos import Rechazado
from bot.servicios.usuarios import Persona
from handlers import avance
from handlers.base import (
    Contexto,
    boton,
    cancelar_con_boton,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    recibir_evidencia,
    responder,
    responder_rechazo,
    teclado,
    texto_de,
)

MAX_BOTONES = 60
_CAMPOS = list(CAMPOS_PLAN)  # a field travels in a button as its index


def _dato(accion: str, valor: int | None = None, valor2: int | None = None) -> str:
    return callbacks.dato(callbacks.PLAN, accion, valor, valor2)


def _rechazo_de_rol(persona: Persona) -> str:
    return t.CONTRALORIA_SOLO_CONSULTA if persona.rol is Rol.CONTRALORIA else t.SOLO_COORDINACION


def _vencido(e: Rechazado) -> str:
    """A refusal as a message, after the press was answered."""
    return texto_de(e, t.BOTON_VENCIDO)


# --- /plan: the enlace ---------------------------------------------------------------------


async def _enlace(update: Update, context: Contexto) -> Persona | None:
    """The enlace (with a dependencia) behind a command; anybody else is told what they may do."""
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return None
    if not persona.es_enlace or persona.dependencia_id is None:
        await responder(
            update,
            t.CONTRALORIA_SOLO_CONSULTA if persona.rol is Rol.CONTRALORIA else textos.SOLO_ENLACES,
        )
        return None
    return persona


async def cmd_plan(update: Update, context: Contexto) -> None:
    persona = await _enlace(update, context)
    if persona is None or persona.dependencia_id is None:
        return
    if await avance.a_medias_primero(update, context, persona):
        return
    ent = context.entorno
    dep = persona.dependencia_id
    planes = await en_bd(
        context, lambda s: planes_de_dependencia(s, dep, ent.hoy(), ent.calendario)
    )
    if not planes:
        await responder(update, t.SIN_ASM)
        return
    filas = [[(t.etiqueta_plan(p), _dato("a", p.asm_id))] for p in planes[:MAX_BOTONES]]
    filas.append([(t.BOTON_CANCELAR, _dato("no"))])
    await responder(update, t.ELIJA_PLAN, teclado(filas))


def _menu(p: Plan) -> list[list[tuple[str, str]]]:
    botones = [(t.BOTON_CAMPO[c], _dato("c", p.asm_id, i)) for i, c in enumerate(_CAMPOS)]
    return [
        botones[:2],
        botones[2:],
        [(t.BOTON_ENVIAR, _dato("env", p.asm_id))],
        [(t.BOTON_CANCELAR, _dato("no"))],
    ]


async def _abrir_plan(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    """Shows the plan; when the enlace may edit it, with the menu of fields."""
    ent = context.entorno
    hoy, cal = ent.hoy(), ent.calendario
    try:
        plan, motivo = await en_bd(
            context, lambda s: servicio.abrir_plan(s, persona, asm_id, hoy, cal)
        )
    except Rechazado as e:
        await responder(update, _vencido(e))
        return
    if motivo is not None:
        await responder(update, t.plan_no_editable(plan, motivo))
    else:
        await responder(update, t.plan_editable(plan), teclado(_menu(plan)))


async def _elegir_campo(
    update: Update, context: Contexto, persona: Persona, asm_id: int, indice: int
) -> None:
    campo = _CAMPOS[indice] if 0 <= indice < len(_CAMPOS) else ""
    ent = context.entorno
    hoy, cal = ent.hoy(), ent.calendario
    try:
        plan = await en_bd(
            context, lambda s: servicio.elegir_campo(s, persona, asm_id, campo, hoy, cal)
        )
    except Rechazado as e:
        await responder(update, _vencido(e))
        return
    await quitar_botones(update, t.BOTON_CAMPO[campo])
    await responder(update, t.pida_campo(campo, plan), teclado([[(t.BOTON_CANCELAR, _dato("no"))]]))


async def texto_plan(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorPlan
) -> None:
    """Typed value of the field chosen in the plan's menu."""
    if borrador.paso is not PasoPlan.VALOR or update.message is None:
        await responder(update, t.donde_esta_plan(borrador.paso.value))
        return
    ent = context.entorno
    hoy, cal = ent.hoy(), ent.calendario
    escrito = update.message.text or ""
    try:
        plan = await en_bd(
            context, lambda s: servicio.escribir_campo(s, persona, borrador, escrito, hoy, cal)
        )
    except Rechazado as e:
        await responder(update, t.campo_rechazado(str(e)))
        return
    assert borrador.campo is not None
    await responder(update, t.campo_guardado(borrador.campo))
    await responder(update, t.plan_editable(plan), teclado(_menu(plan)))


async def _enviar(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    q = update.callback_query
    assert q is not None
    ent = context.entorno
    hoy, cal, avisos = ent.hoy(), ent.calendario, context.avisos()
    plan = await en_bd(context, lambda s: servicio.enviar(s, persona, asm_id, hoy, cal, avisos))
    await q.answer()
    await quitar_botones(update)
    await responder(update, t.plan_enviado(plan))
    await context.salida.repartir()


# --- /revisar: IMPLAN ----------------------------------------------------------------------


async def cmd_revisar(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if persona.rol is not Rol.COORDINADOR:
        await responder(update, _rechazo_de_rol(persona))
        return
    ent = context.entorno
    planes = await en_bd(context, lambda s: planes_en_revision(s, ent.hoy(), ent.calendario))
    if not planes:
        await responder(update, t.SIN_PLANES_EN_REVISION)
        return
    filas = [[(t.etiqueta_revision(p), _dato("r", p.asm_id))] for p in planes[:MAX_BOTONES]]
    await responder(update, t.ELIJA_REVISION, teclado(filas))


async def _abrir_revision(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    ent = context.entorno
    hoy, cal = ent.hoy(), ent.calendario
    try:
        plan = await en_bd(context, lambda s: servicio.abrir_revision(s, persona, asm_id, hoy, cal))
    except Rechazado as e:
        await responder(update, _vencido(e))
        return
    await responder(
        update,
        t.plan_para_revisar(plan),
        teclado(
            [[(t.BOTON_APROBAR, _dato("ok", asm_id)), (t.BOTON_OBSERVAR, _dato("obs", asm_id))]]
        ),
    )


async def _resolver(
    update: Update, context: Contexto, persona: Persona, asm_id: int, observaciones: str | None
) -> None:
    """Approves (observaciones None) or sends the observations; the services tell the enlaces.
    A refusal is raised to the caller."""
    ent = context.entorno
    hoy, cal, avisos = ent.hoy(), ent.calendario, context.avisos()
    plan = await en_bd(
        context,
        lambda s: servicio.resolver(s, persona, asm_id, observaciones, hoy, cal, avisos),
    )
    if update.callback_query is not None:
        await update.callback_query.answer()
        await quitar_botones(update)
    aprobado = observaciones is None
    texto = t.plan_aprobado_coord(plan) if aprobado else t.plan_observado_coord(plan)
    await responder(update, texto)
    await context.salida.repartir()


async def _pedir_observaciones(
    update: Update, context: Contexto, persona: Persona, asm_id: int
) -> None:
    ent = context.entorno
    hoy, cal = ent.hoy(), ent.calendario
    await en_bd(context, lambda s: servicio.pedir_observaciones(s, persona, asm_id, hoy, cal))
    q = update.callback_query
    assert q is not None
    await q.answer()
    await quitar_botones(update, t.BOTON_OBSERVAR)
    await responder(update, t.PIDA_OBSERVACIONES, teclado([[(t.BOTON_CANCELAR, _dato("no"))]]))


async def texto_revision(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorRevision
) -> None:
    escrito = (update.message.text or "").strip() if update.message else ""
    if not escrito:
        await responder(update, t.PIDA_OBSERVACIONES)
        return
    try:
        await _resolver(update, context, persona, borrador.asm_id, escrito[:3000])
    except Rechazado as e:
        await responder_rechazo(update, e, t.BOTON_VENCIDO)


# --- /posicion: the dependencia's posición institucional (Art. 8) ---------------------------


async def cmd_posicion(update: Update, context: Contexto) -> None:
    persona = await _enlace(update, context)
    if persona is None or persona.dependencia_id is None:
        return
    if await avance.a_medias_primero(update, context, persona):
        return
    ent = context.entorno
    dep = persona.dependencia_id
    evaluaciones = await en_bd(context, lambda s: evaluaciones_de(s, dep, ent.calendario))
    if not evaluaciones:
        await responder(update, t.SIN_EVALUACIONES)
        return
    filas = [
        [(t.etiqueta_evaluacion(ev), _dato("pe", ev.evaluacion_id))]
        for ev in evaluaciones[:MAX_BOTONES]
    ]
    filas.append([(t.BOTON_CANCELAR, _dato("no"))])
    await responder(update, t.ELIJA_EVALUACION, teclado(filas))


async def _elegir_evaluacion(
    update: Update, context: Contexto, persona: Persona, evaluacion_id: int
) -> None:
    cal = context.entorno.calendario
    ev = await en_bd(context, lambda s: servicio.elegir_evaluacion(s, persona, evaluacion_id, cal))
    if ev is None:
        await responder(
            update, t.EVALUACION_AJENA if persona.es_enlace else _rechazo_de_rol(persona)
        )
        return
    await quitar_botones(update, t.etiqueta_evaluacion(ev))
    await responder(update, t.pida_posicion(ev), teclado([[(t.BOTON_CANCELAR, _dato("no"))]]))


async def archivo_posicion(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorPosicion
) -> None:
    mensaje = update.message
    if mensaje is None:
        return
    if mensaje.document is None:
        await responder(update, t.POSICION_SOLO_DOCUMENTO)
        return
    guardado = await recibir_evidencia(
        update, context, descarga_fallida=t.DESCARGA_FALLIDA, nombre_por_omision="posicion.pdf",
        otro_motivo=motivo_rechazo_documento,
    )  # fmt: skip
    if guardado is None:
        return
    ent = context.entorno
    hoy, cal = ent.hoy(), ent.calendario
    try:
        recibo = await en_bd(
            context,
            lambda s: servicio.entregar_posicion(s, persona, borrador, guardado, hoy, cal),
        )
    except Rechazado as e:
        await responder(update, textos.e(str(e)))
        return
    await responder(update, t.recibo_posicion(recibo))


async def texto_posicion(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorPosicion
) -> None:
    await responder(update, t.POSICION_SOLO_DOCUMENTO)


# --- Buttons -------------------------------------------------------------------------------


@boton(t.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if b.accion == "no":
        await cancelar_con_boton(update, context, persona)
        return
    if b.valor is None:
        await q.answer(t.BOTON_VENCIDO, show_alert=True)
        return
    # These answer the press themselves: a refusal is a pop-up (handlers.base.boton).
    if b.accion == "env":
        await _enviar(update, context, persona, b.valor)
        return
    if b.accion == "ok":
        await _resolver(update, context, persona, b.valor, None)
        return
    if b.accion == "obs":
        await _pedir_observaciones(update, context, persona, b.valor)
        return
    await q.answer()
    if b.accion == "a":
        await _abrir_plan(update, context, persona, b.valor)
    elif b.accion == "c" and b.valor2 is not None:
        await _elegir_campo(update, context, persona, b.valor, b.valor2)
    elif b.accion == "r":
        await _abrir_revision(update, context, persona, b.valor)
    elif b.accion == "pe":
        await _elegir_evaluacion(update, context, persona, b.valor)
    else:
        await responder(update, t.BOTON_VENCIDO)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("plan", cmd_plan))
    app.add_handler(CommandHandler("revisar", cmd_revisar))
    app.add_handler(CommandHandler("posicion", cmd_posicion))
    app.add_handler(CallbackQueryHandler(pulsar, pattern=f"^{callbacks.PLAN}:"))
