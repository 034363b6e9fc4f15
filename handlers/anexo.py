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
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import Bot, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.periodos import Trimestre
from bot.mensajes import anexo as tx
from bot.mensajes import callbacks
from bot.servicios import auditoria
from bot.servicios.usuarios import Persona
from handlers.base import (
    Contexto,
    en_bd,
    entorno,
    generador,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)
from storage.models import Asm, AsmResponsable, Programa

log = logging.getLogger(__name__)

POR_PAGINA = 8
TRIMESTRES = 4  # the current quarter and the three before it
ACCION_CADA = 4.0  # seconds; Telegram shows a chat action for about 5
PRIMER_ANIO = 2000  # an older quarter in button data was not offered by us
_EN_CURSO = "anexo_en_curso"  # bot_data key: telegram ids whose file is being made
_NO_VA_EN_NOMBRE = re.compile(r"[^A-Za-z0-9_-]+")
AX = callbacks.ANEXO


@dataclass(frozen=True)
class Pp:
    """A Pp or fondo with ASM that the person may see."""

    id: int
    clave: str
    nombre: str


# --- Starting: the list of Pp and fondos ------------------------------------------------


async def cmd_anexo(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    programas = await en_bd(context, lambda s: _programas(s, persona))
    if not programas:
        await responder(update, tx.SIN_ASM_ENLACE if persona.es_enlace else tx.SIN_ASM)
        return
    texto, botones = _lista(programas, 0, persona.es_enlace)
    await responder(update, texto, botones)


def _programas(s: Session, persona: Persona, programa_id: int | None = None) -> list[Pp]:
    """The Pp and fondos with ASM that this person may see (an enlace: its dependencia's)."""
    con_asm = select(Asm.programa_id)
    if persona.es_enlace:
        # `== None` is IS NULL: an enlace without dependencia sees nothing, never everything.
        con_asm = con_asm.join(AsmResponsable, AsmResponsable.asm_id == Asm.id).where(
            AsmResponsable.dependencia_id == persona.dependencia_id
        )
    consulta = (
        select(Programa.id, Programa.clave, Programa.nombre)
        .where(Programa.id.in_(con_asm))
        .order_by(Programa.clave)
    )
    if programa_id is not None:
        consulta = consulta.where(Programa.id == programa_id)
    return [Pp(id_, clave, nombre) for id_, clave, nombre in s.execute(consulta)]


def _lista(programas: Sequence[Pp], pagina: int, enlace: bool) -> tuple[str, InlineKeyboardMarkup]:
    paginas = max(1, -(-len(programas) // POR_PAGINA))
    pagina = min(max(pagina, 0), paginas - 1)
    visibles = programas[pagina * POR_PAGINA : (pagina + 1) * POR_PAGINA]
    filas = [[(tx.BOTON_CONSOLIDADO, callbacks.dato(AX, "c"))]]
    filas += [
        [(tx.boton_programa(p.clave, p.nombre), callbacks.dato(AX, "p", p.id))] for p in visibles
    ]
    navegacion = []
    if pagina > 0:
        navegacion.append((tx.BOTON_ANTERIOR, callbacks.dato(AX, "pg", pagina - 1)))
    if pagina < paginas - 1:
        navegacion.append((tx.BOTON_SIGUIENTE, callbacks.dato(AX, "pg", pagina + 1)))
    if navegacion:
        filas.append(navegacion)
    texto = tx.ELIJA_PROGRAMA
    if enlace:
        texto += f"\n{tx.SOLO_SU_DEPENDENCIA}"
    if paginas > 1:
        texto += f"\n{tx.pagina(pagina + 1, paginas)}"
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


async def boton(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None:
        return
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    b = callbacks.leer(q.data)
    if b is None:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)
    elif b.accion == "pg" and b.valor is not None:
        await _pagina(update, context, persona, b.valor)
    elif b.accion == "c":
        await q.answer()
        await quitar_botones(update, tx.nota_programa(None, None))
        await responder(
            update, tx.ELIJA_TRIMESTRE, _teclado_trimestres(entorno(context).hoy(), None)
        )
    elif b.accion == "p" and b.valor is not None:
        pp = await _programa_permitido(update, context, persona, b.valor)
        if pp is not None:
            await q.answer()
            await quitar_botones(update, tx.nota_programa(pp.clave, pp.nombre))
            await responder(
                update, tx.ELIJA_TRIMESTRE, _teclado_trimestres(entorno(context).hoy(), pp)
            )
    elif b.accion in ("ct", "cf") and b.valor is not None:
        await _pedir_archivo(update, context, persona, None, b.valor, pdf=b.accion == "cf")
    elif b.accion in ("pt", "pf") and b.valor is not None and b.valor2 is not None:
        pp = await _programa_permitido(update, context, persona, b.valor)
        if pp is not None:
            await _pedir_archivo(update, context, persona, pp, b.valor2, pdf=b.accion == "pf")
    else:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)


async def _pagina(update: Update, context: Contexto, persona: Persona, pagina: int) -> None:
    q = update.callback_query
    assert q is not None
    programas = await en_bd(context, lambda s: _programas(s, persona))
    if not programas:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)
        return
    texto, botones = _lista(programas, pagina, persona.es_enlace)
    await q.answer()
    await q.edit_message_text(texto, reply_markup=botones)


async def _programa_permitido(
    update: Update, context: Contexto, persona: Persona, programa_id: int
) -> Pp | None:
    """The programa of a button, if this person may have its Anexo A; otherwise says why."""

    def revisar(s: Session) -> Pp | str:
        visibles = _programas(s, persona, programa_id)
        if visibles:
            return visibles[0]
        if not persona.es_enlace or s.get(Programa, programa_id) is None:
            return tx.BOTON_VENCIDO
        # Another dependencia's programa: a forged button, logged as /avance does.
        auditoria.registrar(
            s, f"usuario:{persona.id}", "acceso_denegado", "programa", programa_id,
            intento="anexo", rol=persona.rol.value, dependencia_id=persona.dependencia_id,
        )  # fmt: skip
        return tx.AJENO

    resultado = await en_bd(context, revisar)
    if isinstance(resultado, str):
        assert update.callback_query is not None
        await update.callback_query.answer(resultado, show_alert=True)
        return None
    return resultado


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
    hoy = entorno(context).hoy()
    t = _trimestre(codigo, hoy)
    if t is None:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)
        return
    # One file at a time per person: a large one takes a while and impatient presses add up.
    en_curso: set[int] = context.bot_data.setdefault(_EN_CURSO, set())
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
    ent = entorno(context)
    dependencia_id = persona.dependencia_id if persona.es_enlace else None
    await _accion(context.bot, chat_id)
    repetir = asyncio.create_task(_repetir_accion(context.bot, chat_id))
    try:
        generado = None
        if not (persona.es_enlace and dependencia_id is None):  # never widen an enlace's file
            generado = await generador(context).generar(
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
        context.bot_data[_EN_CURSO].discard(persona.telegram_id)


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
    app.add_handler(CallbackQueryHandler(boton, pattern=f"^{AX}:"))
