"""Delivers the outbox: paced, in office hours for reminders, each message once, in order.

A message is claimed (estado «enviando», by the database's clock) before it is sent and marked
«enviado» as soon as Telegram accepts it, so a crash or a second instance never sends it twice
and a message is never dropped: one stuck «enviando» is sent again after a while. What Telegram
cannot take now (an outage, the network) waits, ever longer, and goes as soon as Telegram
answers again; only a refusal for good (the person blocked the bot, the chat does not exist,
Telegram refuses the message itself) ends a message, and the coordination is told.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.dominio.vocabulario import Rol
from bot.entorno import Entorno
from bot.servicios import salida
from bot.servicios.salida import Mensaje
from bot.servicios.usuarios import alcanzable
from bot.telegram_http import quizas_entregado
from scheduler.limitador import POR_CHAT, segundos
from storage.db import unit_of_work
from storage.models import Dependencia, Salida, Usuario

log = logging.getLogger(__name__)


def aviso_inalcanzable(nombre: str, dependencia: str | None) -> str:
    donde = f" (Enlace SEDEM de {escape(dependencia)})" if dependencia else ""
    return (
        f"⚠️ {escape(nombre)}{donde} bloqueó el bot y ya no recibe recordatorios. "
        "Pídale que lo desbloquee en Telegram y escriba /start."
    )


def aviso_sin_chat(nombre: str, dependencia: str | None) -> str:
    donde = f" (Enlace SEDEM de {escape(dependencia)})" if dependencia else ""
    return (
        f"⚠️ Telegram ya no encuentra el chat de {escape(nombre)}{donde}, así que no recibe "
        "recordatorios. Pídale que abra el bot y escriba /start."
    )


def aviso_rechazado(nombre: str, dependencia: str | None, error: str) -> str:
    donde = f" (Enlace SEDEM de {escape(dependencia)})" if dependencia else ""
    return (
        f"⚠️ Telegram rechazó un mensaje para {escape(nombre)}{donde} y no se enviará: "
        f"«{escape(error[:120])}». Avise al equipo técnico del bot."
    )


def _sin_chat(e: BadRequest) -> bool:
    return "chat not found" in e.message.lower()


# How often, at most, Telegram is asked whether it answers again while messages wait.
SONDEO = 30.0


class Repartidor:
    def __init__(
        self,
        bot: ExtBot[Any],
        entorno: Entorno,
        en_horario: Callable[[datetime], bool],
        *,
        concurrencia: int = 32,
    ) -> None:
        self.bot = bot
        self.entorno = entorno
        self.en_horario = en_horario
        self._concurrencia = concurrencia
        self._candado = asyncio.Lock()
        self._otra_vez = False
        self._sondeado = -SONDEO
        # Sent, but the database could not be told (it dropped): marked before the next claim.
        self._por_marcar: dict[int, datetime] = {}
        self.enviados = 0

    async def _bd(self, trabajo: Callable[[Session], Any]) -> Any:
        def correr() -> Any:
            with unit_of_work(self.entorno.sesiones) as s:
                return trabajo(s)

        return await asyncio.to_thread(correr)

    async def repartir(self) -> int:
        """Sends everything due now; returns how many were sent. Safe to call at any time."""
        if self._candado.locked():
            self._otra_vez = True  # the running round will look again before it ends
            return 0
        enviados = 0
        async with self._candado:
            while True:
                self._otra_vez = False
                if not await self._marcar_pendientes():
                    return enviados  # the database is away; the next round tries again
                ahora = self.entorno.ahora()
                await self._sondear(ahora)
                abierto = self.en_horario(ahora.astimezone(self.entorno.settings.zona))
                ids = await self._pendientes(ahora, abierto)
                if not ids:
                    if self._otra_vez:
                        continue
                    return enviados
                # One worker per chat at a time, its messages in order; a failure stops the chat.
                por_chat: dict[int, list[int]] = {}
                for i, chat in ids:
                    por_chat.setdefault(chat, []).append(i)
                cola: asyncio.Queue[list[int]] = asyncio.Queue()
                for lista in por_chat.values():
                    cola.put_nowait(lista)
                resultados = await asyncio.gather(
                    *(self._trabajador(cola) for _ in range(min(self._concurrencia, len(por_chat))))
                )
                enviados += sum(resultados)
                if sum(resultados) == 0 and not self._otra_vez:
                    return enviados  # everything due failed for now; back-off decides when

    async def _pendientes(self, ahora: datetime, abierto: bool) -> list[tuple[int, int]]:
        ids: list[tuple[int, int]] = await self._bd(
            lambda s: salida.por_enviar(s, ahora, en_horario=abierto, limite=500)
        )
        return ids

    async def _sondear(self, ahora: datetime) -> None:
        """Messages wait after a failure: if Telegram answers again, they are all due now."""
        reloj = asyncio.get_running_loop().time()
        if reloj - self._sondeado < SONDEO:
            return
        if not await self._bd(lambda s: salida.en_espera(s, ahora)):
            return
        self._sondeado = reloj
        try:
            await self.bot.get_me()
        except TelegramError:
            return
        n = await self._bd(lambda s: salida.adelantar(s, ahora))
        log.info("Telegram responde de nuevo: %s mensaje(s) en espera se envían ya", n)

    async def _marcar_pendientes(self) -> bool:
        for salida_id, cuando in list(self._por_marcar.items()):
            try:
                await self._bd(
                    lambda s, i=salida_id, c=cuando: salida.marcar(s, i, "enviado", c)  # type: ignore[misc]
                )
            except Exception:
                log.warning("la base de datos sigue sin responder; se marcará después")
                return False
            del self._por_marcar[salida_id]
        return True

    async def _trabajador(self, cola: asyncio.Queue[list[int]]) -> int:
        n = 0
        while not cola.empty():
            for salida_id in cola.get_nowait():
                enviado = await self._enviar(salida_id)
                n += enviado
                if not enviado:
                    break  # the rest of this chat waits, so its order is kept
        return n

    async def _enviar(self, salida_id: int) -> int:
        ahora = self.entorno.ahora()

        def reclamar(s: Session) -> dict[str, Any] | None:
            fila = salida.reclamar(s, salida_id, ahora)
            if fila is None:
                return None
            return {
                "chat_id": fila.chat_id,
                "texto": fila.texto,
                "botones": fila.botones,
                "documento": fila.documento,
                "usuario_id": fila.usuario_id,
            }

        m = await self._bd(reclamar)
        if m is None:
            return 0  # another sender has it
        teclado = None
        if m["botones"]:
            teclado = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(t, callback_data=d) for t, d in fila]
                    for fila in m["botones"]
                ]
            )
        try:
            if m["documento"]:
                ruta = Path(self.entorno.settings.data_dir) / m["documento"]
                await self.bot.send_document(
                    m["chat_id"], ruta.read_bytes(), filename=ruta.name, caption=m["texto"],
                    reply_markup=teclado, rate_limit_args=POR_CHAT,
                )  # fmt: skip
            else:
                await self.bot.send_message(
                    m["chat_id"], m["texto"], reply_markup=teclado, rate_limit_args=POR_CHAT
                )
        except Forbidden as e:
            error = str(e)
            await self._bd(
                lambda s: self._terminar(s, salida_id, m["usuario_id"], "inalcanzable", error)
            )
            return 0
        except RetryAfter as e:
            error, espera = str(e), timedelta(seconds=segundos(e))
            await self._bd(
                lambda s: salida.reintentar_despues(
                    s, salida_id, self.entorno.ahora(), error, espera
                )
            )
            return 0
        except BadRequest as e:
            log.error("mensaje %s rechazado por Telegram: %s", salida_id, e)
            error, estado = str(e), "inalcanzable" if _sin_chat(e) else "fallido"
            await self._bd(lambda s: self._terminar(s, salida_id, m["usuario_id"], estado, error))
            return 0
        except TelegramError as e:  # Telegram down or the network: wait, never give up
            log.warning("mensaje %s en espera: %s", salida_id, e)
            error, incierto = str(e) or type(e).__name__, quizas_entregado(e)
            await self._bd(
                lambda s: salida.reintentar_despues(
                    s, salida_id, self.entorno.ahora(), error, incierto=incierto
                )
            )
            return 0
        enviado_en = self.entorno.ahora()
        self.enviados += 1
        try:
            await self._bd(lambda s: salida.marcar(s, salida_id, "enviado", enviado_en))
        except Exception:
            # Telegram has it: never send it again because the database blinked.
            log.warning(
                "mensaje %s enviado; se marcará cuando la base de datos responda", salida_id
            )
            self._por_marcar[salida_id] = enviado_en
        return 1

    def _terminar(
        self, s: Session, salida_id: int, usuario_id: int | None, estado: str, error: str
    ) -> None:
        """Telegram refused for good: the person blocked the bot (403), the chat does not
        exist, or the message itself. Mark it, and tell the coordination once a day."""
        ahora = self.entorno.ahora()
        salida.marcar(s, salida_id, estado, ahora, error)
        usuario = s.get(Usuario, usuario_id) if usuario_id else None
        if usuario is None:
            usuario = s.scalar(
                select(Usuario)
                .join(Salida, Salida.chat_id == Usuario.telegram_id)
                .where(Salida.id == salida_id)
            )
        if usuario is None:
            return
        dependencia = s.get(Dependencia, usuario.dependencia_id) if usuario.dependencia_id else None
        nombre_dep = dependencia.nombre if dependencia else None
        if estado == "fallido":
            texto, clave = aviso_rechazado(usuario.nombre, nombre_dep, error), "rechazado"
        else:
            if usuario.inalcanzable_desde is not None:
                return
            usuario.inalcanzable_desde = ahora
            clave = "inalcanzable"
            bloqueo = "blocked" in error.lower()
            texto = (aviso_inalcanzable if bloqueo else aviso_sin_chat)(usuario.nombre, nombre_dep)
        coordinadores = s.execute(
            select(Usuario.id, Usuario.telegram_id).where(
                alcanzable(), Usuario.rol == Rol.COORDINADOR.value
            )
        ).all()
        salida.encolar(
            s,
            [
                Mensaje(
                    clave=f"{clave}:u{cid}:u{usuario.id}:{ahora:%Y-%m-%d}",
                    tipo="inalcanzable",
                    chat_id=tid,
                    usuario_id=cid,
                    texto=texto,
                    solo_en_horario=False,
                )
                for cid, tid in coordinadores
            ],
            ahora,
        )
        self._otra_vez = True
