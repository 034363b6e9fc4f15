"""What every handler needs: the typed context (environment, Anexo A maker, outbox sender, the
round), database work (`en_bd` off the event loop; `leer_bd` for a person's reads), the person,
and the shared pieces of a conversation: the button prelude, one live keyboard per chat,
receiving a file, a list in pages, and a refusal turned into the reply."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackContext, ExtBot

from bot.entorno import Entorno
from bot.mensajes import callbacks, textos
from bot.mensajes.avisos import REDACCION
from bot.servicios import borradores
from bot.servicios.anexo_proceso import Generador
from bot.servicios.avisos import Avisos
from bot.servicios.evidencias import (
    AlmacenEvidencias,
    ArchivoEvidencia,
    detectar_tipo,
    motivo_nombre,
    motivo_rechazo,
    nombre_de_foto,
)
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.usuarios import Persona, buscar_usuario, quien_escribe, volvio_a_escribir

log = logging.getLogger(__name__)

T = TypeVar("T")


class Salida(Protocol):
    """The outbox sender that bot.app puts in bot_data (scheduler.repartidor.Repartidor).
    Handlers only ask it to send now what their transaction just queued."""

    async def repartir(self) -> int: ...


class Contexto(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context with what handlers need, typed (bot.app builds the Application with it
    and fills bot_data: «entorno», «generador», «repartidor», «ronda»)."""

    @property
    def entorno(self) -> Entorno:
        ent: Entorno = self.bot_data["entorno"]
        return ent

    @property
    def generador(self) -> Generador:
        """Where Anexo A files are made (bot.servicios.anexo_proceso)."""
        g: Generador = self.bot_data["generador"]
        return g

    @property
    def salida(self) -> Salida:
        r: Salida = self.bot_data["repartidor"]
        return r

    @property
    def anexos_en_curso(self) -> set[int]:
        """Telegram ids whose Anexo A is being made (handlers/anexo.py: one at a time)."""
        en_curso: set[int] = self.bot_data.setdefault("anexo_en_curso", set())
        return en_curso

    async def ejecutar_ronda(self) -> int:
        """The reminder round now (scheduler.trabajos.ejecutar_ronda, wired by bot.app)."""
        ronda: Callable[[], Awaitable[int]] = self.bot_data["ronda"]
        return await ronda()

    def avisos(self) -> Avisos:
        """For services that tell other people what just happened (bot.servicios.avisos)."""
        return Avisos(REDACCION, self.entorno.ahora())


App = Application[Any, Contexto, Any, Any, Any, Any]


def entorno(context: Contexto) -> Entorno:
    return context.entorno


async def en_bd(context: Contexto, trabajo: Callable[[Session], T]) -> T:
    """Runs `trabajo` in one transaction, in a worker thread: the event loop keeps answering.

    A refusal (bot.servicios.rechazos.Rechazado) is raised again here after committing: services
    refuse before changing anything, so what it keeps is the audit row that records it. Any other
    error rolls everything back.
    """
    sesiones = context.entorno.sesiones

    def correr() -> T:
        rechazo: Rechazado | None = None
        with sesiones() as s:
            with s.begin():
                try:
                    return trabajo(s)
                except Rechazado as e:
                    rechazo = e
            raise rechazo

    return await asyncio.to_thread(correr)


async def leer_bd(context: Contexto, lectura: Callable[[Session], T]) -> T:
    """Runs `lectura`, which only reads what one person sees, in a transaction that is never
    committed (closing rolls back whatever it might have written).

    On SQLite it runs here, on the event loop: in WAL mode a read never waits for a writer, and
    a worker thread costs more than the read (the sqlite3 driver lets go of the interpreter's
    lock at every row, and the loop's thread takes it each time: bench/lecturas.py).
    Reads of thousands of rows go to `en_bd`, which never holds up the loop. On PostgreSQL each
    query is a round trip over the network, so reads go to a worker thread too.
    """
    sesiones = context.entorno.sesiones

    def correr() -> T:
        with sesiones() as s:
            return lectura(s)

    if context.entorno.engine.dialect.name == "sqlite":
        return correr()
    return await asyncio.to_thread(correr)


# --- One live keyboard per chat ------------------------------------------------------------
#
# A conversation asks one thing at a time, so only its latest keyboard may be pressed: when the
# bot sends a new one, the previous one goes (its buttons would only answer «ya no está vigente»).
# When typed text or a file moves the conversation on without a new keyboard, the router calls
# `cerrar_paso`. The message id is kept in PTB's chat_data, in memory (per process): after a
# restart, or on another replica, an old keyboard may stay, and its buttons are still checked
# against the draft as before.

_VIVO = "teclado_vivo"  # chat_data key: the message with the step's keyboard
_LISTA = "recibidos"  # chat_data key: the message listing the files of the step
_MEMORIA: ContextVar[dict[Any, Any] | None] = ContextVar("memoria_del_chat", default=None)


async def recordar_chat(update: object, context: Contexto) -> None:
    """Runs before every other handler (handlers/__init__.py, a group of its own): the chat's
    memory for the replies of this update. PTB processes each update in a task of its own, so
    the value set here is seen by this update's handlers only."""
    _MEMORIA.set(context.chat_data)


def teclado_vivo() -> int | None:
    memoria = _MEMORIA.get()
    vivo: int | None = memoria.get(_VIVO) if memoria is not None else None
    return vivo


async def _sin_teclado(update: Update, message_id: int) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    # A courtesy: a message the person deleted, or one already without buttons, is no failure.
    with contextlib.suppress(TelegramError):
        await update.get_bot().edit_message_reply_markup(chat.id, message_id, reply_markup=None)


async def _nuevo_vivo(update: Update, message_id: int) -> None:
    memoria = _MEMORIA.get()
    if memoria is None:
        return
    anterior = memoria.get(_VIVO)
    memoria[_VIVO] = message_id
    if anterior is not None and anterior != message_id:
        await _sin_teclado(update, anterior)


async def cerrar_paso(update: Update, vivo_antes: int | None) -> None:
    """The step whose keyboard was live before this update is over: its keyboard goes, unless
    the update already put a new one."""
    memoria = _MEMORIA.get()
    if memoria is None or vivo_antes is None or memoria.get(_VIVO) != vivo_antes:
        return
    del memoria[_VIVO]
    await _sin_teclado(update, vivo_antes)


async def responder(
    update: Update, texto: str, teclado: InlineKeyboardMarkup | None = None, *,
    fijo: bool = False,
) -> Message | None:  # fmt: skip
    """A reply in the chat of the update (a message or a button press). A keyboard becomes the
    chat's live one and the previous goes; `fijo` keeps one that is no step of a conversation
    (downloads of a history, say) and leaves the live one alone."""
    chat = update.effective_chat
    if chat is None:
        return None
    enviado = await chat.send_message(texto, reply_markup=teclado)
    if teclado is not None and not fijo:
        await _nuevo_vivo(update, enviado.message_id)
    return enviado


async def mostrar_recibidos(update: Update, texto: str, teclado: InlineKeyboardMarkup) -> None:
    """The files of one step in one message that updates: the list is edited while it is still
    the chat's live keyboard, and sent anew once the conversation asked something else."""
    memoria = _MEMORIA.get()
    chat = update.effective_chat
    if memoria is None or chat is None:
        await responder(update, texto, teclado)
        return
    lista = memoria.get(_LISTA)
    if lista is not None and lista == memoria.get(_VIVO):
        # An edit to what the list already shows is no error (scheduler.limitador.inofensivo).
        try:
            await update.get_bot().edit_message_text(
                texto, chat_id=chat.id, message_id=lista, reply_markup=teclado
            )
            return
        except BadRequest as e:  # the person deleted it, say
            log.info("la lista de archivos no se pudo editar; se envía de nuevo: %s", e)
    enviado = await responder(update, texto, teclado)
    if enviado is not None:
        memoria[_LISTA] = enviado.message_id


def alerta(texto: str) -> str:
    """Text for a button's pop-up answer: Telegram refuses more than 200 characters."""
    return texto if len(texto) <= 200 else texto[:199] + "…"


async def rechazar(update: Update, texto: str) -> None:
    """A refusal: a pop-up on the pressed button, or a message after typed text or a command."""
    q = update.callback_query
    if q is not None:
        await q.answer(alerta(texto), show_alert=True)
    else:
        await responder(update, texto)


def texto_de(e: Rechazado, vencido: str) -> str:
    """A refusal as a message: the conversation's «stale button» text, or the service's words."""
    return vencido if isinstance(e, BotonVencido) else textos.e(str(e))


async def responder_rechazo(update: Update, e: Rechazado, vencido: str) -> None:
    """A refusal as a pop-up on the pressed button (plain text), or as a message."""
    if isinstance(e, BotonVencido):
        await rechazar(update, vencido)
    elif update.callback_query is not None:
        await rechazar(update, str(e))
    else:
        await responder(update, textos.e(str(e)))


def repartidor(context: Contexto) -> Salida:
    return context.salida


async def persona_o_aviso(update: Update, context: Contexto) -> Persona | None:
    """The registered, active person behind the update; otherwise explains and returns None."""
    usuario = update.effective_user
    if usuario is None:
        return None
    uid = usuario.id

    def buscar(s: Session) -> tuple[Persona | None, bool, bool]:
        persona, inalcanzable = quien_escribe(s, uid)
        return persona, inalcanzable, persona is None and buscar_usuario(s, uid) is not None

    persona, inalcanzable, desactivado = await leer_bd(context, buscar)
    if persona is not None and inalcanzable:  # rare: then the write, in a worker thread
        ident = persona.id
        await en_bd(context, lambda s: volvio_a_escribir(s, ident))
    if persona is None:
        texto = textos.DESACTIVADO if desactivado else textos.NO_REGISTRADO
        if update.callback_query is not None:
            corto = textos.DESACTIVADO if desactivado else textos.NO_REGISTRADO_ALERTA
            await update.callback_query.answer(corto, show_alert=True)
        else:
            await responder(update, texto)
    return persona


# --- Buttons ------------------------------------------------------------------------------

Pulsacion = Callable[[Update, Contexto, Persona, callbacks.Boton], Awaitable[None]]


Manejador = Callable[[Update, Contexto], Coroutine[Any, Any, None]]


def boton(vencido: str) -> Callable[[Pulsacion], Manejador]:
    """The prelude of every button: the person (registered and active), the data read with
    bot.mensajes.callbacks (an old or forged one gets `vencido` as a pop-up), and a refusal
    raised by the service turned into the reply. The handler gets (update, context, person,
    button) and answers the press itself."""

    def decorador(f: Pulsacion) -> Manejador:
        @functools.wraps(f)
        async def envuelta(update: Update, context: Contexto) -> None:
            q = update.callback_query
            if q is None:
                return
            persona = await persona_o_aviso(update, context)
            if persona is None:
                return
            b = callbacks.leer(q.data)
            if b is None:
                await q.answer(vencido, show_alert=True)
                return
            try:
                await f(update, context, persona, b)
            except Rechazado as e:
                await responder_rechazo(update, e, vencido)

        return envuelta

    return decorador


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
    memoria = _MEMORIA.get()
    if memoria is not None and memoria.get(_VIVO) == mensaje.message_id:
        del memoria[_VIVO]
    texto = getattr(mensaje, "text_html", None)
    if nota and texto:
        await q.edit_message_text(f"{texto}\n\n<i>{textos.e(nota)}</i>", reply_markup=None)
    else:
        await q.edit_message_reply_markup(reply_markup=None)


async def editar_en_sitio(
    update: Update, texto: str | None, botones: InlineKeyboardMarkup | None
) -> None:
    """A page of a list in place (only its buttons when `texto` is None). A repeated press on
    the same page changes nothing, an edit the rate limiter takes as done
    (scheduler.limitador.inofensivo)."""
    q = update.callback_query
    assert q is not None
    if texto is None:
        await q.edit_message_reply_markup(botones)
    else:
        await q.edit_message_text(texto, reply_markup=botones)


async def cancelar_con_boton(update: Update, context: Contexto, persona: Persona) -> None:
    """«Cancelar» on any conversation's button: the draft goes, the pressed message says so."""
    await en_bd(context, lambda s: borradores.borrar(s, persona.telegram_id))
    q = update.callback_query
    if q is not None:
        await q.answer()
    await quitar_botones(update, textos.CANCELADO)


# --- Receiving a file -----------------------------------------------------------------------


@dataclass(frozen=True)
class Recibido:
    contenido: bytes
    nombre: str
    tipo: str | None  # detected from the bytes (bot.servicios.evidencias.detectar_tipo)
    file_id: str
    file_unique_id: str
    foto: bool = False  # a camera photo: the name is ours, not the sender's


async def recibir_archivo(
    update: Update,
    context: Contexto,
    *,
    maximo: int,
    muy_grande: Callable[[int], str],
    descarga_fallida: str,
    nombre_por_omision: str,
    accion: str = ChatAction.UPLOAD_DOCUMENT,
) -> Recibido | None:
    """The document (or the largest size of a photo) of the message, downloaded; None after
    telling the person why not (too large, or Telegram failed). The caller checks the type."""
    mensaje = update.message
    if mensaje is None:
        return None
    adjunto: Any
    if mensaje.document is not None:
        adjunto = mensaje.document
        nombre = mensaje.document.file_name or nombre_por_omision
    elif mensaje.photo:
        # The largest picture: by its sides (sizes need not come in order, nor with file_size).
        adjunto = max(mensaje.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        nombre = ""  # named below, once its type is known
    else:
        return None
    if adjunto.file_size and adjunto.file_size > maximo:
        await responder(update, muy_grande(adjunto.file_size))
        return None
    with contextlib.suppress(TelegramError):  # a courtesy: never fail the file for it
        await context.bot.send_chat_action(mensaje.chat_id, accion)
    try:
        contenido = bytes(
            await (await context.bot.get_file(adjunto.file_id)).download_as_bytearray()
        )
    except TelegramError as e:
        log.warning("descarga de un archivo fallida: %s", e)
        # Telegram's cloud Bot API serves files of up to 20 MB only.
        too_big = "too big" in str(e).lower()
        await responder(update, muy_grande(maximo + 1) if too_big else descarga_fallida)
        return None
    if len(contenido) > maximo:
        await responder(update, muy_grande(len(contenido)))
        return None
    tipo = detectar_tipo(contenido)
    if not nombre:
        ent = context.entorno
        nombre = nombre_de_foto(ent.ahora().astimezone(ent.settings.zona), tipo)
    return Recibido(
        contenido, nombre, tipo, adjunto.file_id, adjunto.file_unique_id, foto=not mensaje.document
    )


async def recibir_evidencia(
    update: Update,
    context: Contexto,
    *,
    descarga_fallida: str,
    nombre_por_omision: str,
    otro_motivo: Callable[[str | None], str | None] | None = None,
) -> ArchivoEvidencia | None:
    """A file kept as evidence (or a posición institucional): received within the size limit,
    its content what its name says, of an accepted type (bot.servicios.evidencias, plus
    `otro_motivo` of the detected type), and stored by content. None after telling the person
    why not."""
    maximo = context.entorno.settings.evidencia_max_bytes

    def motivo(r: Recibido) -> str | None:
        tamano, tipo = len(r.contenido), r.tipo
        return (
            (motivo_rechazo(tamano, None, maximo) if tamano == 0 or tamano > maximo else None)
            or (None if r.foto else motivo_nombre(r.nombre, tipo))
            or motivo_rechazo(tamano, tipo, maximo)
            or (otro_motivo(tipo) if otro_motivo else None)
        )

    recibido = await recibir_archivo(
        update, context, maximo=maximo, descarga_fallida=descarga_fallida,
        muy_grande=lambda n: textos.e(motivo_rechazo(n, None, maximo) or ""),
        nombre_por_omision=nombre_por_omision,
    )  # fmt: skip
    if recibido is None:
        return None
    rechazo = motivo(recibido)
    if rechazo is not None:
        await responder(update, textos.e(rechazo))
        return None
    almacen = AlmacenEvidencias(context.entorno.settings.data_dir)
    return await asyncio.to_thread(
        almacen.guardar,
        recibido.contenido,
        recibido.nombre,
        file_id=recibido.file_id,
        file_unique_id=recibido.file_unique_id,
    )
