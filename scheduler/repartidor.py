"""Delivers the outbox: paced, in office hours for reminders, each message once.

A message is claimed (estado «enviando») before it is sent and marked «enviado» right after,
each in its own short transaction, so a crash or a second instance never sends it twice and a
message is never dropped: one stuck «enviando» is sent again after a while.
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

from bot.entorno import Entorno
from bot.servicios import salida
from bot.servicios.salida import Mensaje
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
                ahora = self.entorno.ahora()
                abierto = self.en_horario(ahora.astimezone(self.entorno.settings.zona))
                ids = await self._pendientes(ahora, abierto)
                if not ids:
                    if self._otra_vez:
                        continue
                    return enviados
                cola: asyncio.Queue[int] = asyncio.Queue()
                for i in ids:
                    cola.put_nowait(i)
                resultados = await asyncio.gather(
                    *(self._trabajador(cola) for _ in range(min(self._concurrencia, len(ids))))
                )
                enviados += sum(resultados)

    async def _pendientes(self, ahora: datetime, abierto: bool) -> list[int]:
        ids: list[int] = await self._bd(
            lambda s: salida.por_enviar(s, ahora, en_horario=abierto, limite=500)
        )
        return ids

    async def _trabajador(self, cola: asyncio.Queue[int]) -> int:
        n = 0
        while not cola.empty():
            n += await self._enviar(cola.get_nowait())
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
            await self._bd(lambda s: self._inalcanzable(s, salida_id, m["usuario_id"], error))
            return 0
        except RetryAfter as e:
            error, cuando = str(e), self.entorno.ahora() + timedelta(seconds=segundos(e))
            await self._bd(lambda s: salida.reintentar_despues(s, salida_id, cuando, error))
            return 0
        except BadRequest as e:
            log.error("mensaje %s rechazado por Telegram: %s", salida_id, e)
            error = str(e)
            await self._bd(lambda s: salida.marcar(s, salida_id, "fallido", ahora, error))
            return 0
        except TelegramError as e:  # network trouble that outlived the retries
            error, cuando = str(e), self.entorno.ahora() + timedelta(minutes=1)
            await self._bd(lambda s: salida.reintentar_despues(s, salida_id, cuando, error))
            return 0
        await self._bd(lambda s: salida.marcar(s, salida_id, "enviado", self.entorno.ahora()))
        self.enviados += 1
        return 1

    def _inalcanzable(self, s: Session, salida_id: int, usuario_id: int | None, error: str) -> None:
        """403: the person blocked the bot. Mark them, and tell the coordination once."""
        ahora = self.entorno.ahora()
        salida.marcar(s, salida_id, "inalcanzable", ahora, error)
        usuario = s.get(Usuario, usuario_id) if usuario_id else None
        if usuario is None:
            usuario = s.scalar(
                select(Usuario)
                .join(Salida, Salida.chat_id == Usuario.telegram_id)
                .where(Salida.id == salida_id)
            )
        if usuario is None or usuario.inalcanzable_desde is not None:
            return
        usuario.inalcanzable_desde = ahora
        dependencia = s.get(Dependencia, usuario.dependencia_id) if usuario.dependencia_id else None
        texto = aviso_inalcanzable(usuario.nombre, dependencia.nombre if dependencia else None)
        coordinadores = s.execute(
            select(Usuario.id, Usuario.telegram_id).where(
                Usuario.activo, Usuario.rol == "coordinador", Usuario.inalcanzable_desde.is_(None)
            )
        ).all()
        salida.encolar(
            s,
            [
                Mensaje(
                    clave=f"inalcanzable:u{cid}:u{usuario.id}:{ahora:%Y-%m-%d}",
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
