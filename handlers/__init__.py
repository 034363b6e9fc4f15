"""Telegram side: commands, buttons, files. Thin: read, authorize, call bot/, reply."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers import anexo, avance, consultas, inicio, recordatorios


def registrar_handlers(app: Application) -> None:  # type: ignore[type-arg]
    inicio.registrar(app)
    consultas.registrar(app)
    anexo.registrar(app)
    recordatorios.registrar(app)
    avance.registrar(app)  # last: it holds the catch-all text and file handlers
    # Unknown commands and buttons that are not ours get a short pointer.
    app.add_handler(MessageHandler(filters.COMMAND, inicio.desconocido))
    app.add_handler(CallbackQueryHandler(inicio.boton_desconocido))
