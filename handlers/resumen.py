"""/resumen: for the coordination and the Contraloría, the chart of average avance and
semáforo by dependencia (bot.mensajes.graficas), with the figures of the month in its caption.

An enlace is refused: its own ASM are in /mis_asm and /pendientes, and the comparison
between dependencias is the coordination's tool.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler

from bot.dominio.periodos import formato_fecha, nombre_mes
from bot.dominio.texto import plural
from bot.mensajes.graficas import graficas_resumen
from bot.mensajes.textos import e, partir
from bot.servicios.resumen import Resumen, resumen
from handlers.base import Contexto, en_bd, persona_o_aviso, responder

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
    for i, png in enumerate(paginas, start=1):
        # The caption under the last page: the figures read after the whole chart.
        await context.bot.send_photo(chat.id, png, caption=leyenda if i == len(paginas) else None)
    for mensaje in despues:
        await responder(update, mensaje)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("resumen", cmd_resumen))
