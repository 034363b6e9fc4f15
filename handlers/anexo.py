"""/anexo: the Anexo A of one Pp or fondo, or consolidated, for a quarter, as .xlsx or PDF.

    /anexo → a Pp or fondo (ax1:p:<programa>) or «Consolidado» (ax1:c); pages: ax1:pg:<n>
           → a quarter (ax1:pt:<programa>:<t> or ax1:ct:<t>, with t = year * 10 + quarter;
             pf and cf for the PDF)
           → the file

The choice travels in the button data, so no draft is kept; every press re-checks the person,
their dependencia and the programa. An enlace only ever sees its own dependencia's ASM.

The file is made in a background task, by a worker process (bot.servicios.anexo_proceso): a consolidated
Anexo A of thousands of ASM takes seconds of CPU, and nobody else should wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Sequence
from datetime import date

from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.periodos import Trimestre
from bot.mensajes import anexo as tx
from bot.mensajes import callbacks
from bot.mensajes.paginas import paginar
from bot.servicios.permisos import (
    AccesoDenegado,
    Pp,
    dependencia_visible,
    programa_permitido,
    programas_visibles,
    sin_nada_que_ver,
)
from bot.servicios.usuarios import Persona
from handlers.base import (
    Contexto,
    boton,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)

log = logging.getLogger(__name__)

TRIMESTRES = 4  # the current quarter and the three before it
ACCION_CADA = 4.0  # seconds; Telegram shows a chat action for about 5
PRIMER_ANIO = 2000  # an older quarter in button data was not offered by us
_NO_VA_EN_NOMBRE = re.compile(r"[^A-Za-z0-9_-]+")
AX = callbacks.ANEXO


# --- Starting: the list of Pp and fondos ------------------------------------------------


async def cmd_anexo(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    programas = await en_bd(context, lambda s: programas_visibles(s, persona))
    if not programas:
        await responder(update, tx.SIN_ASM_ENLACE if persona.es_enlace else tx.SIN_ASM)
        return
    texto, botones = _lista(programas, 0, persona.es_enlace)
    await responder(update, texto, botones)


def _lista(programas: Sequence[Pp], pagina: int, enlace: bool) -> tuple[str, InlineKeyboardMarkup]:
    pg = paginar(programas, pagina, lambda n: callbacks.dato(AX, "pg", n))
    filas = [[(tx.BOTON_CONSOLIDADO, callbacks.dato(AX, "c"))]]
    filas += [
        [(tx.boton_programa(p.clave, p.nombre), callbacks.dato(AX, "p", p.id))] for p in pg.visibles
    ]
    if pg.navegacion:
        filas.append(pg.navegacion)
    texto = tx.ELIJA_PROGRAMA
    if enlace:
        texto += f"\n{tx.SOLO_SU_DEPENDENCIA}"
    if pg.nota:
        texto += f"\n{pg.nota}"
    return texto, teclado(filas)


def _teclado_trimestres(hoy: date, pp: Pp | None) -> InlineKeyboardMarkup:
    actual = t = Trimestre.de_fecha(hoy)
    filas = []
    for _ in range(TRIMESTRES):
        codigo = t.anio * 10 + t.numero
        dato = (
            callbacks.dato(AX, "ct", codigo)
            if pp is None
            else callbacks.dato(AX, "pt", pp.id, codigo)
        )
        pdf = (  # the same Anexo A as a PDF, for printing
            callbacks.dato(AX, "cf", codigo)
            if pp is None
            else callbacks.dato(AX, "pf", pp.id, codigo)
        )
        filas.append([(tx.boton_trimestre(t, t == actual), dato), (tx.boton_pdf(t), pdf)])
        t = t.anterior()
    return teclado(filas)


# --- Buttons ----------------------------------------------------------------------------


@boton(tx.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if b.accion == "pg" and b.valor is not None:
        await _pagina(update, context, persona, b.valor)
    elif b.accion == "c":
        await q.answer()
        await quitar_botones(update, tx.nota_programa(None, None))
        await responder(
            update, tx.ELIJA_TRIMESTRE, _teclado_trimestres(context.entorno.hoy(), None)
        )
    elif b.accion == "p" and b.valor is not None:
        pp = await _programa_permitido(context, persona, b.valor)
        await q.answer()
        await quitar_botones(update, tx.nota_programa(pp.clave, pp.nombre))
        await responder(update, tx.ELIJA_TRIMESTRE, _teclado_trimestres(context.entorno.hoy(), pp))
    elif b.accion in ("ct", "cf") and b.valor is not None:
        await _pedir_archivo(update, context, persona, None, b.valor, pdf=b.accion == "cf")
    elif b.accion in ("pt", "pf") and b.valor is not None and b.valor2 is not None:
        pp = await _programa_permitido(context, persona, b.valor)
        await _pedir_archivo(update, context, persona, pp, b.valor2, pdf=b.accion == "pf")
    else:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)


async def _pagina(update: Update, context: Contexto, persona: Persona, pagina: int) -> None:
    q = update.callback_query
    assert q is not None
    programas = await en_bd(context, lambda s: programas_visibles(s, persona))
    if not programas:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)
        return
    texto, botones = _lista(programas, pagina, persona.es_enlace)
    await q.answer()
    await q.edit_message_text(texto, reply_markup=botones)


async def _programa_permitido(context: Contexto, persona: Persona, programa_id: int) -> Pp:
    """The programa of a button, if this person may have its Anexo A (bot.servicios.permisos)."""
    try:
        return await en_bd(context, lambda s: programa_permitido(s, persona, programa_id))
    except AccesoDenegado:
        raise AccesoDenegado(tx.AJENO) from None


def _trimestre(codigo: int, hoy: date) -> Trimestre | None:
    """The quarter of a button (year * 10 + quarter), if it is one we could have offered."""
    anio, numero = divmod(codigo, 10)
    if anio < PRIMER_ANIO or not 1 <= numero <= 4:
        return None
    t = Trimestre(anio, numero)
    return t if t <= Trimestre.de_fecha(hoy) else None


async def _pedir_archivo(
    update: Update,
    context: Contexto,
    persona: Persona,
    pp: Pp | None,
    codigo: int,
    *,
    pdf: bool = False,
) -> None:
    q = update.callback_query
    chat = update.effective_chat
    assert q is not None and chat is not None
    hoy = context.entorno.hoy()
    t = _trimestre(codigo, hoy)
    if t is None:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)
        return
    # One file at a time per person: a large one takes a while and impatient presses add up.
    en_curso = context.anexos_en_curso
    if persona.telegram_id in en_curso:
        await q.answer(tx.EN_CURSO, show_alert=True)
        return
    en_curso.add(persona.telegram_id)  # released by _enviar, whatever happens
    context.application.create_task(
        _enviar(context, chat.id, persona, pp, t, hoy, pdf), update=update, name="anexo"
    )
    await q.answer(tx.PREPARANDO)
    await quitar_botones(update, t.etiqueta)


# --- Making and sending the file --------------------------------------------------------


async def _enviar(
    context: Contexto,
    chat_id: int,
    persona: Persona,
    pp: Pp | None,
    t: Trimestre,
    hoy: date,
    pdf: bool = False,
) -> None:
    ent = context.entorno
    dependencia_id = dependencia_visible(persona)
    await _accion(context.bot, chat_id)
    repetir = asyncio.create_task(_repetir_accion(context.bot, chat_id))
    try:
        generado = None
        if not sin_nada_que_ver(persona):  # never widen an enlace's file
            generado = await context.generador.generar(
                ent.peticion_anexo(
                    t,
                    hoy,
                    None if pp is None else pp.clave,
                    dependencia_id,
                    "pdf" if pdf else "xlsx",
                )
            )
        if generado is None:
            await context.bot.send_message(chat_id, tx.SIN_ASM_TRIMESTRE)
            return
        leyenda = tx.leyenda(
            None if pp is None else f"{pp.clave} {pp.nombre}",
            persona.dependencia if persona.es_enlace else None,
            t,
            min(t.fin, hoy),
            generado.asm,
            generado.planes,
        )
        await context.bot.send_document(
            chat_id, generado.contenido, filename=_nombre_archivo(pp, t, pdf), caption=leyenda
        )
    except Exception:
        log.exception("no se pudo generar un Anexo A (%s)", t)
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(chat_id, tx.ERROR)
    finally:
        repetir.cancel()
        context.anexos_en_curso.discard(persona.telegram_id)


def _nombre_archivo(pp: Pp | None, t: Trimestre, pdf: bool = False) -> str:
    que = "consolidado" if pp is None else _NO_VA_EN_NOMBRE.sub("-", pp.clave)
    return f"AnexoA_{que}_{t}.{'pdf' if pdf else 'xlsx'}"


async def _accion(bot: Bot, chat_id: int) -> None:
    with contextlib.suppress(TelegramError):  # a courtesy: never fail the file for it
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)


async def _repetir_accion(bot: Bot, chat_id: int) -> None:
    """Telegram shows a chat action for about 5 s; repeat it until the file is sent."""
    while True:
        await asyncio.sleep(ACCION_CADA)
        await _accion(bot, chat_id)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("anexo", cmd_anexo))
    app.add_handler(CallbackQueryHandler(pulsar, pattern=f"^{AX}:"))
