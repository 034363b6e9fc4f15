"""What every handler needs: the environment, database work off the event loop, the person."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.entorno import Entorno
from bot.mensajes import textos
from bot.servicios.anexo_proceso import Generador
from bot.servicios.usuarios import Persona, buscar_usuario, persona_activa
from storage.db import unit_of_work

T = TypeVar("T")
Contexto = ContextTypes.DEFAULT_TYPE


def generador(context: Contexto) -> Generador:
    """Where Anexo A files are made (bot.servicios.anexo_proceso)."""
    g = context.bot_data["generador"]
    assert isinstance(g, Generador)
    return g


class Salida(Protocol):
    """The outbox sender that bot.app puts in bot_data (scheduler.repartidor.Repartidor).
    Handlers only ask it to send now what their transaction just queued."""

    async def repartir(self) -> int: ...


def repartidor(context: Contexto) -> Salida:
    r: Salida = context.bot_data["repartidor"]
    return r


async def ejecutar_ronda(context: Contexto) -> int:
    """The reminder round now (scheduler.trabajos.ejecutar_ronda, wired by bot.app)."""
    ronda: Callable[[], Awaitable[int]] = context.bot_data["ronda"]
    return await ronda()


def entorno(context: Contexto) -> Entorno:
    ent = context.bot_data["entorno"]
    assert isinstance(ent, Entorno)
    return ent


async def en_bd(context: Contexto, trabajo: Callable[[Session], T]) -> T:
    """Runs `trabajo` in one transaction, in a worker thread: the event loop keeps answering."""
    ent = entorno(context)

    def correr() -> T:
        with unit_of_work(ent.sesiones) as s:
            return trabajo(s)

    return await asyncio.to_thread(correr)


async def responder(
    update: Update, texto: str, teclado: InlineKeyboardMarkup | None = None
) -> None:
    """A reply in the chat of the update (a message or a button press)."""
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(texto, reply_markup=teclado)


async def persona_o_aviso(update: Update, context: Contexto) -> Persona | None:
    """The registered, active person behind the update; otherwise explains and returns None."""
    usuario = update.effective_user
    if usuario is None:
        return None
    uid = usuario.id

    def buscar(s: Session) -> tuple[Persona | None, bool]:
        persona = persona_activa(s, uid)
        return persona, persona is None and buscar_usuario(s, uid) is not None

    persona, desactivado = await en_bd(context, buscar)
    if persona is None:
        texto = textos.DESACTIVADO if desactivado else textos.NO_REGISTRADO
        if update.callback_query is not None:
            corto = textos.DESACTIVADO if desactivado else textos.NO_REGISTRADO_ALERTA
            await update.callback_query.answer(corto, show_alert=True)
        else:
            await responder(update, texto)
    return persona


def alerta(texto: str) -> str:
    """Text for a button's pop-up answer: Telegram refuses more than 200 characters."""
    return texto if len(texto) <= 200 else texto[:199] + "…"


def teclado(filas: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texto, callback_data=data) for texto, data in fila]
            for fila in filas
        ]
    )


async def quitar_botones(update: Update, nota: str | None = None) -> None:
    """After a press, the pressed message keeps its text (plus a note) and loses its buttons,
    so old buttons cannot be pressed again by mistake."""
    q = update.callback_query
    if q is None or q.message is None:
        return
    mensaje = q.message
    texto = getattr(mensaje, "text_html", None)
    if nota and texto:
        await q.edit_message_text(f"{texto}\n\n<i>{textos.e(nota)}</i>", reply_markup=None)
    else:
        await q.edit_message_reply_markup(reply_markup=None)
