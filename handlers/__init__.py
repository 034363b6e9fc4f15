"""Telegram side: commands, buttons, files. Thin: read, authorize, call one service, reply.

Commands and buttons are routed by their name and their callback prefix (bot.mensajes.callbacks),
so the order of the `registrar` calls does not matter. Typed text and files are routed here, in
one table, by the conversation the person's draft is in (bot.servicios.borradores.Flujo).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, TypeHandler, filters

from bot.dominio.vocabulario import Rol
from bot.mensajes import textos
from bot.mensajes.admin import SOLO_COORDINACION
from bot.servicios import borradores
from bot.servicios.borradores import Flujo
from bot.servicios.importacion_vista import EXTENSIONES
from bot.servicios.usuarios import Persona
from handlers import (
    admin,
    anexo,
    avance,
    consultas,
    evaluaciones,
    historial,
    inicio,
    oficio,
    plan,
    prorroga,
    recordatorios,
    resumen,
    valoracion,
)
from handlers.base import (
    Contexto,
    cerrar_paso,
    leer_bd,
    persona_o_aviso,
    recordar_chat,
    responder,
    teclado_vivo,
)

Continuacion = Callable[[Update, Contexto, Persona, Any], Awaitable[None]]

# Which handler takes typed text, by the flow of the person's draft (it gets the typed draft).
TEXTO: dict[Flujo, Continuacion] = {
    Flujo.AVANCE: avance.texto,
    Flujo.EVIDENCIA: avance.texto,
    Flujo.PLAN: plan.texto_plan,
    Flujo.REVISION: plan.texto_revision,
    Flujo.POSICION: plan.texto_posicion,
    Flujo.VALORACION: valoracion.texto,
    Flujo.PRORROGA: prorroga.texto,
    Flujo.EVALUACIONES: evaluaciones.texto,
    Flujo.VERIFICAR: oficio.texto_en_verificar,
}
# Which handler takes a document or photo. A coordinador's .xlsx is an Anexo A to import,
# whatever the draft (admin.documento); nobody else's is.
ARCHIVO: dict[Flujo, Continuacion] = {
    Flujo.AVANCE: avance.archivo,
    Flujo.EVIDENCIA: avance.archivo,
    Flujo.POSICION: plan.archivo_posicion,
    Flujo.VERIFICAR: oficio.archivo_en_verificar,
}
SIN_REPORTE_ABIERTO = "Para enviar evidencia, primero escriba /avance o /evidencia."


async def texto(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None or update.message is None:
        return
    borrador = await leer_bd(context, lambda s: borradores.leer_borrador(s, persona.telegram_id))
    siguiente = TEXTO.get(_flujo(borrador))  # type: ignore[call-overload]
    if borrador is None or siguiente is None:
        await responder(update, textos.NO_ENTENDI)
        return
    await _paso(update, context, persona, borrador, siguiente)


async def archivo(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    mensaje = update.message
    if persona is None or mensaje is None:
        return
    doc = mensaje.document
    if doc is not None and not persona.es_enlace and _es_anexo(doc.file_name):
        if persona.rol is Rol.COORDINADOR:
            await admin.documento(update, context, persona)
        else:
            await responder(update, SOLO_COORDINACION)
        return
    borrador = await leer_bd(context, lambda s: borradores.leer_borrador(s, persona.telegram_id))
    siguiente = ARCHIVO.get(_flujo(borrador))  # type: ignore[call-overload]
    if borrador is None or siguiente is None:
        await responder(update, SIN_REPORTE_ABIERTO)
        return
    await _paso(update, context, persona, borrador, siguiente)


async def _paso(
    update: Update, context: Contexto, persona: Persona, borrador: Any, siguiente: Continuacion
) -> None:
    """The step's handler; when it moved the conversation on (another step, or the end) without
    a keyboard of its own, the keyboard of the step that passed goes (handlers/base.py)."""
    vivo = teclado_vivo()
    await siguiente(update, context, persona, borrador)
    if vivo is None or teclado_vivo() != vivo:
        return  # nothing to remove, or a new keyboard already replaced it
    despues = await leer_bd(context, lambda s: borradores.leer(s, persona.telegram_id))
    if _donde(despues) != _donde(borrador):
        await cerrar_paso(update, vivo)


def _donde(borrador: object) -> tuple[str, str] | None:
    """The flow and step a draft is at (None when there is none)."""
    if borrador is None:
        return None
    paso = getattr(borrador, "paso", "")
    return _flujo(borrador), str(getattr(paso, "value", paso))


def _flujo(borrador: object) -> str:
    if isinstance(borrador, borradores.Paso):
        return borrador.flujo
    flujo: Flujo | None = getattr(borrador, "FLUJO", None)
    return "" if flujo is None else flujo.value


def _es_anexo(nombre: str | None) -> bool:
    # By the name's extension; the reader then checks the bytes (a .pdf named .xlsx is refused).
    return bool(nombre) and str(nombre).lower().rsplit(".", 1)[-1] in EXTENSIONES


def registrar_handlers(app: Application) -> None:  # type: ignore[type-arg]
    # First, in a group no other handler uses (one handler per group takes an update; oficio
    # uses -1), for every update: the chat's memory for the replies.
    app.add_handler(TypeHandler(Update, recordar_chat), group=-100)
    for modulo in (inicio, consultas, anexo, recordatorios, resumen, admin, plan, valoracion,
                   historial, oficio, prorroga, evaluaciones, avance):  # fmt: skip
        modulo.registrar(app)  # commands and their own callback prefixes: any order
    # Last, as the fallbacks of everything above: typed text and files by the draft's flow,
    # unknown commands and buttons that are not ours.
    app.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO, archivo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, texto))
    app.add_handler(MessageHandler(filters.COMMAND, inicio.desconocido))
    app.add_handler(CallbackQueryHandler(inicio.boton_desconocido))
