"""Telegram side: commands, buttons, files. Thin: read, authorize, call bot/, reply."""

from __future__ import annotations

from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers import (
    admin,
    anexo,
    avance,
    consultas,
    evaluaciones,
    historial,
    inicio,
    plan,
    recordatorios,
    resumen,
    valoracion,
)


def registrar_handlers(app: Application) -> None:  # type: ignore[type-arg]
    inicio.registrar(app)
    consultas.registrar(app)
    anexo.registrar(app)
    recordatorios.registrar(app)
    resumen.registrar(app)
    admin.registrar(app)  # its .xlsx handler is in group -1, ahead of avance's file handler
    plan.registrar(app)
    valoracion.registrar(app)
    historial.registrar(app)
    evaluaciones.registrar(app)
    avance.registrar(app)  # last: it holds the catch-all text and file handlers
    # Unknown commands and buttons that are not ours get a short pointer.
    app.add_handler(MessageHandler(filters.COMMAND, inicio.desconocido))
    app.add_handler(CallbackQueryHandler(inicio.boton_desconocido))
