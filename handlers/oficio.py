"""/oficio and /verificar: the oficio of Art. 13 and its verification (diagram: oficio.md).

    /oficio → a month with confirmed deliveries (of1:m:<AAAAMM>) → the PDF
    a confirmed report that leaves nothing pending in the month → the oficio is issued, sent to
        the coordination and the Contraloría through the outbox, and offered to the enlace
    /verificar CÓDIGO, or /verificar then a code or the PDF, or a PDF with the caption /verificar

The oficio is made by the worker process that makes the Anexo A (bot.servicios.anexo_proceso).
Verification is open to anyone with the code or the file: it says only which oficio it is.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date

from sqlalchemy.orm import Session
from telegram import Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.dominio.periodos import primer_dia_del_mes
from bot.mensajes import callbacks
from bot.mensajes import oficio as tx
from bot.servicios import borradores, consultas, oficios
from bot.servicios.anexo_proceso import PeticionVerificacion
from bot.servicios.borradores import Flujo, Paso
from bot.servicios.oficios import SinEntregas, Verificacion
from bot.servicios.seguimiento import Recibo
from bot.servicios.usuarios import Persona, persona_activa
from handlers.base import (
    Contexto,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)

log = logging.getLogger(__name__)

OF = callbacks.OFICIO
VERIFICAR = Flujo.VERIFICAR.value  # the draft's flujo while waiting for a code or a PDF
MAX_PDF = 20 * 1024 * 1024  # what the Bot API lets a bot download


def _codigo_mes(mes: date) -> int:
    return mes.year * 100 + mes.month


def _mes(codigo: int, hoy: date) -> date | None:
    """The month of a button (AAAAMM), if it is one we could have offered."""
    anio, mes = divmod(codigo, 100)
    if not 2000 <= anio <= hoy.year or not 1 <= mes <= 12:
        return None
    d = date(anio, mes, 1)
    return d if d <= hoy else None


# --- /oficio ----------------------------------------------------------------------------


async def cmd_oficio(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if not persona.es_enlace or persona.dependencia_id is None:
        await responder(update, tx.SOLO_ENLACE)
        return
    dep = persona.dependencia_id
    meses = await en_bd(context, lambda s: oficios.meses_con_entregas(s, dep))
    if not meses:
        await responder(update, tx.SIN_ENTREGAS)
        return
    actual = primer_dia_del_mes(context.entorno.hoy())
    await responder(
        update,
        tx.ELIJA_MES,
        teclado(
            [
                [(tx.boton_mes(m, m == actual), callbacks.dato(OF, "m", _codigo_mes(m)))]
                for m in meses
            ]
        ),
    )


async def boton(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None or update.effective_chat is None:
        return
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    b = callbacks.leer(q.data)
    mes = None if b is None or b.valor is None else _mes(b.valor, context.entorno.hoy())
    if b is None or b.accion != "m" or mes is None:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)
        return
    if not persona.es_enlace or persona.dependencia_id is None:
        await q.answer(tx.SOLO_ENLACE[:200], show_alert=True)
        return
    await q.answer(tx.PREPARANDO)
    await quitar_botones(update)
    await _enviar(context, update.effective_chat.id, persona, mes)


async def _enviar(context: Contexto, chat_id: int, persona: Persona, mes: date) -> None:
    """The oficio of the month, issued (or found) in the worker process, to this chat."""
    assert persona.dependencia_id is not None
    ent = context.entorno
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    try:
        emitido = await context.generador.oficio(
            ent.peticion_oficio(persona.dependencia_id, mes, f"usuario:{persona.id}", persona.id)
        )
    except SinEntregas:
        await context.bot.send_message(chat_id, tx.SIN_ENTREGAS_MES)
        return
    except Exception:
        log.exception("no se pudo generar un oficio")
        await context.bot.send_message(chat_id, tx.ERROR)
        return
    await context.bot.send_document(
        chat_id, emitido.contenido, filename=emitido.nombre_archivo, caption=tx.leyenda(emitido)
    )


async def tras_confirmar(
    update: Update, context: Contexto, persona: Persona, recibo: Recibo
) -> None:
    """After a report: when it was the month's last pending ASM of the dependencia, issue the
    oficio, send it to the coordination and the Contraloría, and offer it to the enlace."""
    dep = persona.dependencia_id
    if dep is None:
        return
    ent = context.entorno
    hoy = ent.hoy()
    completo = await en_bd(
        context, lambda s: consultas.mes_completo(s, dep, recibo.periodo, hoy, ent.calendario)
    )
    if not completo:
        return
    try:
        emitido = await context.generador.oficio(
            ent.peticion_oficio(dep, recibo.periodo, f"usuario:{persona.id}", persona.id)
        )
        await en_bd(
            context,
            lambda s: oficios.encolar_copias(s, emitido, tx.copia(emitido), ent.ahora()),
        )
    except Exception:  # the report is saved; the enlace can still ask with /oficio
        log.exception("no se pudo emitir el oficio del mes")
        return
    await responder(
        update,
        tx.oferta(recibo.periodo),
        teclado([[(tx.BOTON_DESCARGAR, callbacks.dato(OF, "m", _codigo_mes(recibo.periodo)))]]),
        fijo=True,  # the oficio is there to download whenever, not a step
    )
    await context.salida.repartir()


# --- /verificar ---------------------------------------------------------------------------


async def cmd_verificar(update: Update, context: Contexto) -> None:
    mensaje = update.message
    usuario = update.effective_user
    if mensaje is None or usuario is None:
        return
    escrito = " ".join(context.args or [])
    if escrito:
        await _verificar_codigo(update, context, escrito)
        return

    def pedir(s: Session) -> bool:
        if persona_activa(s, usuario.id) is None:
            return False
        borradores.guardar(s, usuario.id, Paso(VERIFICAR, "esperando"))
        return True

    registrado = await en_bd(context, pedir)
    await responder(update, tx.PIDA_VERIFICAR if registrado else tx.PIDA_VERIFICAR_SIN_REGISTRO)


async def texto_en_verificar(
    update: Update, context: Contexto, persona: Persona, _paso: Paso
) -> None:
    assert update.message is not None
    await en_bd(context, lambda s: borradores.borrar(s, persona.telegram_id))
    await _verificar_codigo(update, context, update.message.text or "")


async def archivo_en_verificar(
    update: Update, context: Contexto, persona: Persona, _paso: Paso
) -> None:
    await en_bd(context, lambda s: borradores.borrar(s, persona.telegram_id))
    await verificar_pdf(update, context)


async def _verificar_codigo(update: Update, context: Contexto, escrito: str) -> None:
    if oficios.normalizar_codigo(escrito) is None:
        await responder(update, tx.CODIGO_INVALIDO)
        return
    v = await en_bd(context, lambda s: oficios.verificar_codigo(s, escrito))
    await _responder_verificacion(update, context, v)


async def verificar_pdf(update: Update, context: Contexto) -> None:
    """A PDF to check (after /verificar, or sent with the caption /verificar)."""
    mensaje = update.message
    if mensaje is None:
        return
    doc = mensaje.document
    if doc is None:
        await responder(update, tx.NO_ES_PDF)
        return
    if doc.file_size and doc.file_size > MAX_PDF:
        await responder(update, tx.MUY_GRANDE)
        return
    try:
        archivo = await context.bot.get_file(doc.file_id)
        contenido = bytes(await archivo.download_as_bytearray())
    except TelegramError as e:
        log.warning("descarga de un oficio a verificar fallida: %s", e)
        await responder(update, tx.MUY_GRANDE if "too big" in str(e).lower() else tx.NO_ES_PDF)
        return
    if not contenido.startswith(b"%PDF"):
        await responder(update, tx.NO_ES_PDF)
        return
    v = await context.generador.verificar(
        PeticionVerificacion(context.entorno.settings.database_url, contenido)
    )
    await _responder_verificacion(update, context, v)


async def _pdf_con_leyenda(update: Update, context: Contexto) -> None:
    await verificar_pdf(update, context)
    raise ApplicationHandlerStop  # not evidence: the file handler of /avance must not see it


async def _responder_verificacion(update: Update, context: Contexto, v: Verificacion) -> None:
    await responder(update, tx.verificacion(v, context.entorno.settings.zona))


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("oficio", cmd_oficio))
    app.add_handler(CommandHandler("verificar", cmd_verificar))
    app.add_handler(CallbackQueryHandler(boton, pattern=f"^{OF}:"))
    # Anyone may send a PDF with the caption /verificar, registered or not: ahead of the
    # catch-all file handler of /avance, which answers only registered people.
    app.add_handler(
        MessageHandler(
            filters.Document.ALL & filters.CaptionRegex(r"(?i)^\s*/verificar"), _pdf_con_leyenda
        ),
        group=-1,
    )
