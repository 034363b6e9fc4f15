"""/resumen: for the coordination and the Contraloría, the chart of each dependencia's month
(informó, falta, vencido abierto, cerrado) and average avance (bot.mensajes.graficas), with the
figures of the month in its caption, and the buttons that act on it:

- rs1:qf — «Quién falta»: the dependencias missing reports, their ASM and enlaces;
- rs1:rec:<dependencia> — «Recordar a …»: a reminder to its enlaces, through the outbox;
- rs1:inv:<dependencia> — «Invitar enlace de …»: an invitation for it (also on the month-end
  warning, scheduler/rondas.py, for a dependencia without enlace).

Reminding and inviting are the coordinadores' (bot.servicios.permisos); the Contraloría reads.
An enlace is refused: its own ASM are in /mis_asm and /pendientes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.periodos import formato_fecha, nombre_mes, primer_dia_del_mes
from bot.dominio.texto import plural
from bot.dominio.vocabulario import Rol
from bot.mensajes import callbacks
from bot.mensajes import resumen as tx
from bot.mensajes.graficas import graficas_resumen
from bot.mensajes.textos import e, partir
from bot.servicios.permisos import exigir_coordinador
from bot.servicios.resumen import Resumen, quien_falta, recordar, resumen
from bot.servicios.usuarios import Persona
from handlers.admin import enviar_invitacion
from handlers.base import Contexto, boton, en_bd, persona_o_aviso, responder, teclado

log = logging.getLogger(__name__)

LEYENDA_MAX = 1024  # Telegram's limit for a photo caption

# --- Texts --------------------------------------------------------------------------------

SOLO_COORDINACION = (
    "Este comando es para la Coordinación del IMPLAN y la Contraloría Municipal. "
    "Para ver sus ASM use /mis_asm o /pendientes."
)
SIN_ASM = "Aún no hay ASM registrados, así que no hay nada que resumir."
ERROR = "No se pudo preparar el resumen. Intente de nuevo en unos minutos."


def textos_resumen(r: Resumen) -> tuple[str, list[str]]:
    """The photo caption and, when the list of dependencias without any avance does not fit
    in it, that list as messages of their own."""
    cabeza = "\n".join(
        [
            f"<b>Resumen de los ASM al {formato_fecha(r.hoy)}</b>",
            f"ASM registrados: {r.asm} en {plural(len(r.dependencias), 'dependencia')}",
            f"Informaron el avance de {nombre_mes(r.mes)}: {r.reportados_mes} de {r.asm}",
            f"🔴 Vencidos: {r.vencidos} · 🟡 En riesgo: {r.en_riesgo}",
            f"Dependencias con avance pendiente este mes: {r.faltan}",
        ]
    )
    nombres = r.sin_reporte
    if not nombres:
        return f"{cabeza}\n✅ Todas las dependencias han informado algún avance.", []
    titulo = f"<b>Nunca han informado avance ({len(nombres)}):</b>"
    completa = f"{cabeza}\n{titulo} " + "; ".join(e(n) for n in nombres) + "."
    if len(completa) <= LEYENDA_MAX:
        return completa, []
    lista = [titulo, *(f"• {e(n)}" for n in nombres)]
    return f"{cabeza}\n{titulo} vea la lista abajo.", partir(["\n".join(lista)])


# --- The command --------------------------------------------------------------------------


async def cmd_resumen(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    chat = update.effective_chat
    if persona is None or chat is None:
        return
    if persona.es_enlace:
        await responder(update, SOLO_COORDINACION)
        return
    ent = context.entorno
    hoy = ent.hoy()
    datos = await en_bd(context, lambda s: resumen(s, hoy, ent.calendario))
    if not datos.dependencias:
        await responder(update, SIN_ASM)
        return
    with contextlib.suppress(TelegramError):  # a courtesy: never fail the chart for it
        await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
    try:
        # Half a second of drawing for thirty dependencias: a thread keeps the loop free.
        paginas = await asyncio.to_thread(graficas_resumen, datos)
    except Exception:
        log.exception("no se pudo dibujar el resumen")
        await responder(update, ERROR)
        return
    leyenda, despues = textos_resumen(datos)
    botones = (
        teclado([[(tx.boton_quien_falta(datos.faltan), callbacks.dato(tx.RS, "qf"))]])
        if datos.faltan
        else None
    )
    for i, png in enumerate(paginas, start=1):
        # The caption and the buttons under the last page: read after the whole chart.
        ultima = i == len(paginas)
        await context.bot.send_photo(
            chat.id,
            png,
            caption=leyenda if ultima else None,
            reply_markup=botones if ultima and not despues else None,
        )
    for i, mensaje in enumerate(despues, start=1):
        await responder(update, mensaje, botones if i == len(despues) else None)


# --- The buttons --------------------------------------------------------------------------


@boton(tx.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if persona.es_enlace:
        await q.answer(SOLO_COORDINACION, show_alert=True)
        return
    if b.accion == "qf":
        await _quien_falta(update, context, persona)
    elif b.accion == "rec" and b.valor is not None:
        await _recordar(update, context, persona, b.valor, q.data)
    elif b.accion == "inv" and b.valor is not None:
        await _invitar(update, context, persona, b.valor, q.data)
    else:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)


async def _quien_falta(update: Update, context: Contexto, persona: Persona) -> None:
    q = update.callback_query
    assert q is not None
    ent = context.entorno
    hoy = ent.hoy()
    faltantes = await en_bd(context, lambda s: quien_falta(s, hoy, ent.calendario))
    await q.answer()
    filas = tx.botones_quien_falta(faltantes, persona.rol is Rol.COORDINADOR)
    mensajes = tx.quien_falta(primer_dia_del_mes(hoy), faltantes)
    for i, mensaje in enumerate(mensajes, start=1):
        ultimo = i == len(mensajes)
        await responder(update, mensaje, teclado(filas) if filas and ultimo else None)


async def _recordar(
    update: Update, context: Contexto, persona: Persona, dependencia_id: int, dato: str | None
) -> None:
    q = update.callback_query
    assert q is not None
    ent = context.entorno
    hoy, ahora = ent.hoy(), ent.ahora()
    hecho = await en_bd(
        context,
        lambda s: recordar(
            s,
            persona,
            dependencia_id,
            hoy,
            ent.calendario,
            ahora,
            tx.recordatorio,
            tx.BOTONES_RECORDATORIO,
            dato=dato,
        ),
    )
    await q.answer()
    await responder(update, tx.recordado(hecho))
    await context.salida.repartir()


async def _invitar(
    update: Update, context: Contexto, persona: Persona, dependencia_id: int, dato: str | None
) -> None:
    await en_bd(context, lambda s: exigir_coordinador(s, persona, dato))
    await enviar_invitacion(update, context, persona, Rol.ENLACE, dependencia_id, quitar=False)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("resumen", cmd_resumen))
    app.add_handler(CallbackQueryHandler(pulsar, pattern=f"^{callbacks.RESUMEN}:"))
