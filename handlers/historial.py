"""/asm <núm, «Pp núm» or text>: one ASM's whole history, with its evidence files to download.

IMPLAN and the Contraloría see any ASM; an enlace, its dependencia's. A download re-checks who
asks and that the stored file still matches its sha256.
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.vocabulario import Rol
from bot.mensajes import busqueda as tb
from bot.mensajes import callbacks, textos
from bot.mensajes import plan as t
from bot.servicios.historial import (
    buscar_por_numero,
    historial_de,
    leer_evidencia,
)
from bot.servicios.permisos import dependencia_visible, sin_nada_que_ver
from bot.servicios.usuarios import Persona
from handlers import elegir
from handlers.base import Contexto, boton, en_bd, persona_o_aviso, responder, teclado


def numero_de(context: Contexto) -> int | None:
    """The Núm. typed after the command (`/reabrir 3`)."""
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit() or len(args[0]) > 6:
        return None
    return int(args[0])


async def resolver_numero(
    update: Update, context: Contexto, persona: Persona, numero: int, prefijo: str
) -> int | None:
    """The ASM with that Núm. the person may see; when several Pp have one, asks which with
    `prefijo:a:<asm id>` buttons and returns None."""
    dep = dependencia_visible(persona)
    if sin_nada_que_ver(persona):
        await responder(update, t.no_hay_asm(numero))
        return None
    encontrados = await en_bd(context, lambda s: buscar_por_numero(s, numero, dep))
    if not encontrados:
        await responder(update, t.no_hay_asm(numero))
        return None
    if len(encontrados) == 1:
        return encontrados[0][0]
    filas = [[(clave, callbacks.dato(prefijo, "a", asm_id))] for asm_id, clave in encontrados]
    await responder(update, t.elija_programa(numero), teclado(filas))
    return None


async def cmd_asm(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    asm_id = await elegir.elegir_asm(
        update, context, persona, callbacks.HISTORIAL, tb.PREGUNTA_ASM, tb.USO_ASM
    )
    if asm_id is not None:
        await mostrar(update, context, persona, asm_id)


async def mostrar(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    hoy = context.entorno.hoy()

    h = await en_bd(context, lambda s: historial_de(s, persona, asm_id, hoy))
    if h is None:
        await responder(update, textos.NO_AUTORIZADO)
        return
    mensajes = t.historial(h, context.entorno.settings.zona)
    recientes = h.evidencias[-t.MAX_BOTONES_EVIDENCIA :]
    filas = [
        [(t.boton_evidencia(ev.nombre), callbacks.dato(callbacks.HISTORIAL, "ev", ev.evidencia_id))]
        for ev in recientes
    ]
    if persona.rol is Rol.COORDINADOR:
        filas.append([(t.BOTON_VALORAR, callbacks.dato(callbacks.VALORACION, "a", asm_id))])
    for i, mensaje in enumerate(mensajes):
        ultimo = i == len(mensajes) - 1
        # Downloads stay pressable while another conversation goes on (a valoración, say).
        await responder(update, mensaje, teclado(filas) if ultimo and filas else None, fijo=True)


async def _descargar(
    update: Update, context: Contexto, persona: Persona, evidencia_id: int
) -> None:
    data_dir = context.entorno.settings.data_dir
    resultado = await en_bd(context, lambda s: leer_evidencia(s, persona, evidencia_id, data_dir))
    chat = update.effective_chat
    if resultado is None or chat is None:
        await responder(update, textos.NO_AUTORIZADO)
        return
    nombre, contenido = resultado
    if contenido is None:
        await responder(update, t.ARCHIVO_ALTERADO)
        return
    await context.bot.send_chat_action(chat.id, "upload_document")
    await chat.send_document(InputFile(contenido, filename=nombre), filename=nombre)


@boton(t.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if b.accion in elegir.ACCIONES:
        await elegir.pulsar(update, context, persona, b, tb.PREGUNTA_ASM)
        return
    if b.valor is None or b.accion not in ("a", "ev"):
        await q.answer(t.BOTON_VENCIDO, show_alert=True)
        return
    await q.answer()
    if b.accion == "a":
        await mostrar(update, context, persona, b.valor)
    else:
        await _descargar(update, context, persona, b.valor)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("asm", cmd_asm))
    app.add_handler(CallbackQueryHandler(pulsar, pattern=f"^{callbacks.HISTORIAL}:"))
