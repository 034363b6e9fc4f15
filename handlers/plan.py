"""/plan (the enlace writes the action plan), /revisar (IMPLAN reviews it) and /posicion
(the dependencia's posición institucional). Diagram: plan.md.

Every button re-checks the person, the role and the ASM in bot.servicios.plan_accion: button data may be
forged. Notices to other people go through the outbox in the same transaction as the change.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.orm import Session
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.planes import CAMPOS_PLAN, AccionPlan
from bot.dominio.vocabulario import Rol
from bot.mensajes import callbacks, textos
from bot.mensajes import plan as t
from bot.servicios import borradores, salida
from bot.servicios.borradores import Paso
from bot.servicios.evidencias import (
    AlmacenEvidencias,
    ArchivoEvidencia,
    detectar_tipo,
    motivo_rechazo,
)
from bot.servicios.plan_accion import (
    NO_ES_SUYO,
    Plan,
    PlanRechazado,
    cambiar_campo,
    coordinadores,
    enlaces_de,
    enviar_plan,
    leer_plan,
    planes_de_dependencia,
    planes_en_revision,
    resolver_plan,
    revisar_permiso,
)
from bot.servicios.posicion import (
    EvaluacionPosicion,
    PosicionRechazada,
    ReciboPosicion,
    evaluacion_de,
    evaluaciones_de,
    motivo_rechazo_documento,
    registrar_posicion,
)
from bot.servicios.usuarios import Persona
from handlers import avance
from handlers.base import (
    Contexto,
    alerta,
    en_bd,
    entorno,
    persona_o_aviso,
    quitar_botones,
    repartidor,
    responder,
    teclado,
)

log = logging.getLogger(__name__)

PLAN, REVISION, POSICION = "plan", "revision", "posicion"  # the drafts' flujo
MAX_BOTONES = 60
_CAMPOS = list(CAMPOS_PLAN)  # a field travels in a button as its index


def _dato(accion: str, valor: int | None = None, valor2: int | None = None) -> str:
    return callbacks.dato(callbacks.PLAN, accion, valor, valor2)


def _rechazo_de_rol(persona: Persona) -> str:
    return t.CONTRALORIA_SOLO_CONSULTA if persona.rol is Rol.CONTRALORIA else t.SOLO_COORDINACION


# --- /plan: the enlace ---------------------------------------------------------------------


async def cmd_plan(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if not persona.es_enlace or persona.dependencia_id is None:
        await responder(
            update,
            t.CONTRALORIA_SOLO_CONSULTA if persona.rol is Rol.CONTRALORIA else textos.SOLO_ENLACES,
        )
        return
    ent = entorno(context)
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
    ent = entorno(context)
    hoy, cal = ent.hoy(), ent.calendario

    def trabajo(s: Session) -> tuple[Plan | None, str | None]:
        try:
            plan = revisar_permiso(s, persona, asm_id, AccionPlan.EDITAR, hoy, cal)
        except PlanRechazado as ex:
            motivo = str(ex)
            if motivo == NO_ES_SUYO or not persona.es_enlace:
                return None, motivo
            return leer_plan(s, asm_id, hoy, cal), motivo  # the plan is shown, not editable
        borradores.guardar(s, persona.telegram_id, Paso(PLAN, "menu", {"asm_id": asm_id}))
        return plan, None

    plan, motivo = await en_bd(context, trabajo)
    if plan is None:
        await responder(update, textos.e(motivo or t.BOTON_VENCIDO))
    elif motivo is not None:
        await responder(update, t.plan_no_editable(plan, motivo))
    else:
        await responder(update, t.plan_editable(plan), teclado(_menu(plan)))


async def _elegir_campo(
    update: Update, context: Contexto, persona: Persona, asm_id: int, indice: int
) -> None:
    if not 0 <= indice < len(_CAMPOS):
        await responder(update, t.BOTON_VENCIDO)
        return
    campo = _CAMPOS[indice]
    ent = entorno(context)
    hoy, cal = ent.hoy(), ent.calendario

    def trabajo(s: Session) -> Plan | str:
        try:
            plan = revisar_permiso(s, persona, asm_id, AccionPlan.EDITAR, hoy, cal)
        except PlanRechazado as ex:
            return str(ex)
        datos = {"asm_id": asm_id, "campo": campo}
        borradores.guardar(s, persona.telegram_id, Paso(PLAN, "valor", datos))
        return plan

    resultado = await en_bd(context, trabajo)
    if isinstance(resultado, str):
        await responder(update, textos.e(resultado))
        return
    await quitar_botones(update, t.BOTON_CAMPO[campo])
    await responder(
        update, t.pida_campo(campo, resultado), teclado([[(t.BOTON_CANCELAR, _dato("no"))]])
    )


async def texto_plan(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    """Typed value of the field chosen in the plan's menu."""
    if paso.paso != "valor" or update.message is None:
        await responder(update, t.donde_esta_plan(paso.paso))
        return
    ent = entorno(context)
    hoy, cal = ent.hoy(), ent.calendario
    asm_id, campo = int(paso.datos["asm_id"]), str(paso.datos["campo"])
    escrito = update.message.text or ""

    def trabajo(s: Session) -> Plan | str:
        try:
            plan = cambiar_campo(s, persona, asm_id, campo, escrito, hoy, cal)
        except PlanRechazado as ex:
            return str(ex)
        borradores.guardar(s, persona.telegram_id, Paso(PLAN, "menu", {"asm_id": asm_id}))
        return plan

    resultado = await en_bd(context, trabajo)
    if isinstance(resultado, str):
        await responder(update, t.campo_rechazado(resultado))
        return
    await responder(update, t.campo_guardado(campo))
    await responder(update, t.plan_editable(resultado), teclado(_menu(resultado)))


async def _enviar(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    q = update.callback_query
    assert q is not None
    ent = entorno(context)
    hoy, cal = ent.hoy(), ent.calendario

    def trabajo(s: Session) -> Plan | str:
        try:
            plan, version_id = enviar_plan(s, persona, asm_id, hoy, cal)
        except PlanRechazado as ex:
            return str(ex)
        borradores.borrar(s, persona.telegram_id)
        aviso = t.aviso_plan_enviado(plan, persona.dependencia)
        boton = [[("Revisar", _dato("r", asm_id))]]
        salida.avisar(
            s, coordinadores(s), "plan_enviado", f"asm{asm_id}:v{version_id}", aviso,
            ent.ahora(), boton,
        )  # fmt: skip
        return plan

    resultado = await en_bd(context, trabajo)
    if isinstance(resultado, str):
        await q.answer(alerta(resultado), show_alert=True)
        return
    await q.answer()
    await quitar_botones(update)
    await responder(update, t.plan_enviado(resultado))
    await repartidor(context).repartir()


# --- /revisar: IMPLAN ----------------------------------------------------------------------


async def cmd_revisar(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if persona.rol is not Rol.COORDINADOR:
        await responder(update, _rechazo_de_rol(persona))
        return
    ent = entorno(context)
    planes = await en_bd(context, lambda s: planes_en_revision(s, ent.hoy(), ent.calendario))
    if not planes:
        await responder(update, t.SIN_PLANES_EN_REVISION)
        return
    filas = [[(t.etiqueta_revision(p), _dato("r", p.asm_id))] for p in planes[:MAX_BOTONES]]
    await responder(update, t.ELIJA_REVISION, teclado(filas))


async def _abrir_revision(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    ent = entorno(context)
    hoy, cal = ent.hoy(), ent.calendario

    def trabajo(s: Session) -> Plan | str:
        try:
            return revisar_permiso(s, persona, asm_id, AccionPlan.APROBAR, hoy, cal)
        except PlanRechazado as ex:
            return str(ex)

    resultado = await en_bd(context, trabajo)
    if isinstance(resultado, str):
        await responder(update, textos.e(resultado))
        return
    await responder(
        update,
        t.plan_para_revisar(resultado),
        teclado(
            [[(t.BOTON_APROBAR, _dato("ok", asm_id)), (t.BOTON_OBSERVAR, _dato("obs", asm_id))]]
        ),
    )


async def _resolver(
    update: Update, context: Contexto, persona: Persona, asm_id: int, observaciones: str | None
) -> None:
    """Approves (observaciones None) or sends the observations; tells the enlaces."""
    ent = entorno(context)
    hoy, cal = ent.hoy(), ent.calendario
    aprobar = observaciones is None

    def trabajo(s: Session) -> Plan | str:
        try:
            plan, version_id = resolver_plan(
                s, persona, asm_id, aprobar, observaciones or "", hoy, cal
            )
        except PlanRechazado as ex:
            return str(ex)
        borradores.borrar(s, persona.telegram_id)
        if aprobar:
            texto, tipo, botones = t.aviso_plan_aprobado(plan), "plan_aprobado", None
        else:
            texto, tipo = t.aviso_plan_observado(plan, observaciones or ""), "plan_observado"
            botones = [[(t.BOTON_CORREGIR_PLAN, _dato("a", asm_id))]]
        salida.avisar(
            s, enlaces_de(s, asm_id), tipo, f"asm{asm_id}:v{version_id}", texto, ent.ahora(),
            botones,
        )  # fmt: skip
        return plan

    resultado = await en_bd(context, trabajo)
    q = update.callback_query
    if isinstance(resultado, str):
        if q is not None:
            await q.answer(alerta(resultado), show_alert=True)
        else:
            await responder(update, textos.e(resultado))
        return
    if q is not None:
        await q.answer()
        await quitar_botones(update)
    texto = t.plan_aprobado_coord(resultado) if aprobar else t.plan_observado_coord(resultado)
    await responder(update, texto)
    await repartidor(context).repartir()


async def _pedir_observaciones(
    update: Update, context: Contexto, persona: Persona, asm_id: int
) -> None:
    ent = entorno(context)
    hoy, cal = ent.hoy(), ent.calendario

    def trabajo(s: Session) -> str | None:
        try:
            revisar_permiso(s, persona, asm_id, AccionPlan.OBSERVAR, hoy, cal)
        except PlanRechazado as ex:
            return str(ex)
        datos = {"asm_id": asm_id}
        borradores.guardar(s, persona.telegram_id, Paso(REVISION, "observaciones", datos))
        return None

    motivo = await en_bd(context, trabajo)
    q = update.callback_query
    assert q is not None
    if motivo is not None:
        await q.answer(alerta(motivo), show_alert=True)
        return
    await q.answer()
    await quitar_botones(update, t.BOTON_OBSERVAR)
    await responder(update, t.PIDA_OBSERVACIONES, teclado([[(t.BOTON_CANCELAR, _dato("no"))]]))


async def texto_revision(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    escrito = (update.message.text or "").strip() if update.message else ""
    if not escrito:
        await responder(update, t.PIDA_OBSERVACIONES)
        return
    await _resolver(update, context, persona, int(paso.datos["asm_id"]), escrito[:3000])


# --- /posicion: the dependencia's posición institucional (Art. 8) ---------------------------


async def cmd_posicion(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if not persona.es_enlace or persona.dependencia_id is None:
        await responder(
            update,
            t.CONTRALORIA_SOLO_CONSULTA if persona.rol is Rol.CONTRALORIA else textos.SOLO_ENLACES,
        )
        return
    ent = entorno(context)
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
    ent = entorno(context)

    def trabajo(s: Session) -> EvaluacionPosicion | None:
        ev = evaluacion_de(s, persona, evaluacion_id, ent.calendario)
        if ev is not None:
            datos = {"evaluacion_id": evaluacion_id}
            borradores.guardar(s, persona.telegram_id, Paso(POSICION, "archivo", datos))
        return ev

    ev = await en_bd(context, trabajo)
    if ev is None:
        await responder(
            update, t.EVALUACION_AJENA if persona.es_enlace else _rechazo_de_rol(persona)
        )
        return
    await quitar_botones(update, t.etiqueta_evaluacion(ev))
    await responder(update, t.pida_posicion(ev), teclado([[(t.BOTON_CANCELAR, _dato("no"))]]))


async def archivo_posicion(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    mensaje = update.message
    if mensaje is None:
        return
    if mensaje.document is None:
        await responder(update, t.POSICION_SOLO_DOCUMENTO)
        return
    ent = entorno(context)
    maximo = ent.settings.evidencia_max_bytes
    doc = mensaje.document
    if doc.file_size and doc.file_size > maximo:
        await responder(update, textos.e(motivo_rechazo(doc.file_size, None, maximo) or ""))
        return
    try:
        contenido = bytes(await (await context.bot.get_file(doc.file_id)).download_as_bytearray())
    except TelegramError as ex:
        log.warning("descarga de posición institucional fallida: %s", ex)
        await responder(update, t.DESCARGA_FALLIDA)
        return
    tipo = detectar_tipo(contenido)
    motivo = motivo_rechazo(len(contenido), tipo, maximo) or motivo_rechazo_documento(tipo)
    if motivo is not None:
        await responder(update, textos.e(motivo))
        return
    guardado: ArchivoEvidencia = await asyncio.to_thread(
        AlmacenEvidencias(ent.settings.data_dir).guardar,
        contenido,
        doc.file_name or "posicion.pdf",
        file_id=doc.file_id,
        file_unique_id=doc.file_unique_id,
    )
    evaluacion_id = int(paso.datos["evaluacion_id"])

    def trabajo(s: Session) -> ReciboPosicion | str:
        try:
            recibo = registrar_posicion(
                s, persona, evaluacion_id, guardado, ent.hoy(), ent.calendario
            )
        except PosicionRechazada as ex:
            return str(ex)
        borradores.borrar(s, persona.telegram_id)
        return recibo

    resultado = await en_bd(context, trabajo)
    if isinstance(resultado, str):
        await responder(update, textos.e(resultado))
        return
    await responder(update, t.recibo_posicion(resultado))


async def texto_posicion(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    await responder(update, t.POSICION_SOLO_DOCUMENTO)


# --- Buttons -------------------------------------------------------------------------------


async def boton(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None:
        return
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    b = callbacks.leer(q.data)
    if b is None:
        await q.answer(t.BOTON_VENCIDO, show_alert=True)
        return
    if b.accion == "no":
        await en_bd(context, lambda s: borradores.borrar(s, persona.telegram_id))
        await q.answer()
        await quitar_botones(update, textos.CANCELADO)
        return
    if b.valor is None:
        await q.answer(t.BOTON_VENCIDO, show_alert=True)
        return
    if b.accion in ("env", "ok"):  # they answer the press themselves
        if b.accion == "env":
            await _enviar(update, context, persona, b.valor)
        else:
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
    avance.TEXTO_DE.update({PLAN: texto_plan, REVISION: texto_revision, POSICION: texto_posicion})
    avance.ARCHIVO_DE[POSICION] = archivo_posicion
    app.add_handler(CommandHandler("plan", cmd_plan))
    app.add_handler(CommandHandler("revisar", cmd_revisar))
    app.add_handler(CommandHandler("posicion", cmd_posicion))
    app.add_handler(CallbackQueryHandler(boton, pattern=f"^{callbacks.PLAN}:"))
