"""The command menu Telegram shows, set per role (per chat for registered people)."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.dominio.vocabulario import Rol
from bot.mensajes import textos

log = logging.getLogger(__name__)


async def fijar_menu_general(bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand(c, d) for c, d in textos.COMANDOS_SIN_REGISTRO], scope=BotCommandScopeDefault()
    )


async def fijar_comandos(bot: Bot, chat_id: int, rol: Rol) -> None:
    try:
        await bot.set_my_commands(
            [BotCommand(c, d) for c, d in textos.COMANDOS[rol]], scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as e:  # a menu is a convenience: never fail a registration for it
        log.warning("no se pudo fijar el menú de un chat: %s", e)
