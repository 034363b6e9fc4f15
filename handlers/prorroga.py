"""/prorroga <núm>: an enlace asks for a later fecha de término; the coordinación decides.

The enlace types the new date and the justification; the coordinadores get the request with
«Aprobar» and «Rechazar», the Contraloría a copy; the decision asks for a note and reaches the
enlaces and the Contraloría. Rules in bot.servicios.prorrogas. Diagram in valoracion.md.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.planes import interpretar_fecha
from bot.dominio.vocabulario import Rol
from bot.mensajes import callbacks, textos
from bot.mensajes import plan as tp
from bot.mensajes import valoracion as t
from bot.servicios import borradores, salida
from bot.servicios.avisos import a_enlaces_y_contraloria
from bot.servicios.borradores import Flujo, Paso
from bot.servicios.plan_accion import coordinadores
from bot.servicios.prorrogas import (
    DatosProrroga,
    ProrrogaRechazada,
    ProrrogaResuelta,
    ProrrogaSolicitada,
    preparar,
    resolver,
    solicitar,
)
from bot.servicios.usuarios import Persona
from bot.servicios.valoracion import contraloria
from handlers import avance
from handlers.base import (
    Contexto,
    alerta,
    boton,
    cancelar_con_boton,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)
from handlers.historial import numero_de, resolver_numero

PRORROGA = Flujo.PRORROGA.value  # the draft's flujo


class PasoProrroga(StrEnum):
    FECHA = "fecha"  # enlace: the new date
    JUSTIFICACION = "justificacion"  # enlace: why
    NOTA = "nota"  # coordinador: the note of the decision


def _cancelar() -> list[tuple[str, str]]:
    return [(tp.BOTON_CANCELAR, callbacks.dato(callbacks.PRORROGA, "x"))]


async def cmd_prorroga(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if not persona.es_enlace:
        await responder(update, textos.SOLO_ENLACES)
        return
    if await avance.a_medias_primero(update, context, persona):
        return
    numero = numero_de(context)
    if numero is None:
        await responder(update, t.USO_PRORROGA)
        return
    asm_id = await resolver_numero(update, context, persona, numero, callbacks.PRORROGA)
    if asm_id is not None:
        await _iniciar(update, context, persona, asm_id)


async def _iniciar(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    ent = context.entorno

    def trabajo(s: Session) -> DatosProrroga:
        d = preparar(s, persona, asm_id, ent.hoy(), ent.calendario)
        borradores.guardar(
            s, persona.telegram_id, Paso(PRORROGA, PasoProrroga.FECHA.value, {"asm_id": asm_id})
        )
        return d

    try:
        r = await en_bd(context, trabajo)
    except ProrrogaRechazada as e:
        await responder(update, textos.e(str(e)))
        return
    await responder(
        update, t.pida_fecha(r.numero, r.clave, r.vigente, r.limite), teclado([_cancelar()])
    )


async def texto(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    escrito = (update.message.text or "").strip()[:2000] if update.message else ""
    if paso.paso == PasoProrroga.FECHA:
        try:
            fecha = interpretar_fecha(escrito)
        except ValueError as ex:
            await responder(update, textos.e(str(ex)))
            return
        datos = {**paso.datos, "fecha": fecha.isoformat()}
        await en_bd(
            context,
            lambda s: borradores.guardar(
                s, persona.telegram_id, Paso(PRORROGA, PasoProrroga.JUSTIFICACION.value, datos)
            ),
        )
        await responder(update, t.PIDA_JUSTIFICACION, teclado([_cancelar()]))
    elif paso.paso == PasoProrroga.JUSTIFICACION:
        if not escrito:
            await responder(update, t.PIDA_JUSTIFICACION)
            return
        await _solicitar(update, context, persona, paso, escrito)
    elif paso.paso == PasoProrroga.NOTA:
        await _resolver(update, context, persona, paso, escrito)


async def _solicitar(
    update: Update, context: Contexto, persona: Persona, paso: Paso, justificacion: str
) -> None:
    ent = context.entorno
    asm_id = int(paso.datos["asm_id"])
    fecha = date.fromisoformat(str(paso.datos["fecha"]))

    def trabajo(s: Session) -> ProrrogaSolicitada:
        try:
            p = solicitar(s, persona, asm_id, fecha, justificacion, ent.hoy(), ent.calendario)
        except ProrrogaRechazada:  # kept (en_bd commits a refusal): back to the date step
            borradores.guardar(
                s, persona.telegram_id, Paso(PRORROGA, PasoProrroga.FECHA.value, {"asm_id": asm_id})
            )
            raise
        borradores.borrar(s, persona.telegram_id)
        aviso = t.aviso_prorroga_coord(p, persona.dependencia)
        botones = [
            [
                (t.BOTON_APROBAR, callbacks.dato(callbacks.PRORROGA, "ok", p.prorroga_id)),
                (t.BOTON_RECHAZAR, callbacks.dato(callbacks.PRORROGA, "rech", p.prorroga_id)),
            ]
        ]
        asunto = f"prorroga{p.prorroga_id}"
        salida.avisar(s, coordinadores(s), "prorroga", asunto, aviso, ent.ahora(), botones)
        salida.avisar(s, contraloria(s), "copia_prorroga", asunto, aviso, ent.ahora())
        return p

    try:
        r = await en_bd(context, trabajo)
    except ProrrogaRechazada as e:
        await responder(update, textos.e(f"{e} {t.PIDA_FECHA}"))
        return
    await responder(update, t.prorroga_enviada(r))
    await context.salida.repartir()


async def _decidir(
    update: Update, context: Contexto, persona: Persona, prorroga_id: int, aprobar: bool
) -> None:
    q = update.callback_query
    assert q is not None
    if persona.rol is not Rol.COORDINADOR:
        await q.answer(alerta(tp.SOLO_COORDINACION), show_alert=True)
        return
    datos = {"prorroga_id": prorroga_id, "aprobar": aprobar}
    await en_bd(
        context,
        lambda s: borradores.guardar(
            s, persona.telegram_id, Paso(PRORROGA, PasoProrroga.NOTA.value, datos)
        ),
    )
    await q.answer()
    await quitar_botones(update, t.BOTON_APROBAR if aprobar else t.BOTON_RECHAZAR)
    pregunta = t.PIDA_NOTA_APROBAR if aprobar else t.PIDA_NOTA_RECHAZO
    await responder(update, pregunta, teclado([_cancelar()]))


async def _resolver(
    update: Update, context: Contexto, persona: Persona, paso: Paso, nota: str
) -> None:
    ent = context.entorno
    prorroga_id = int(paso.datos["prorroga_id"])
    aprobar = bool(paso.datos["aprobar"])

    def trabajo(s: Session) -> ProrrogaResuelta:
        r = resolver(s, persona, prorroga_id, aprobar, nota, ent.hoy(), ent.calendario, ent.ahora())
        borradores.borrar(s, persona.telegram_id)
        aviso = t.aviso_prorroga_resuelta(r)
        asunto = f"prorroga{r.prorroga_id}:{'ok' if r.aprobada else 'no'}"
        a_enlaces_y_contraloria(s, r.asm_id, "prorroga_resuelta", asunto, aviso, ent.ahora())
        return r

    try:
        r = await en_bd(context, trabajo)
    except ProrrogaRechazada as e:
        await responder(update, textos.e(str(e)))
        return
    await responder(update, t.prorroga_resuelta_coord(r))
    await context.salida.repartir()


@boton(tp.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if b.accion == "x":
        await cancelar_con_boton(update, context, persona)
    elif b.valor is not None and b.accion == "a":
        await q.answer()
        await _iniciar(update, context, persona, b.valor)
    elif b.valor is not None and b.accion in ("ok", "rech"):
        await _decidir(update, context, persona, b.valor, b.accion == "ok")
    else:
        await q.answer(tp.BOTON_VENCIDO, show_alert=True)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("prorroga", cmd_prorroga))
    app.add_handler(CallbackQueryHandler(pulsar, pattern=f"^{callbacks.PRORROGA}:"))
