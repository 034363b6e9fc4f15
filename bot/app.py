"""The one place where the Telegram application is built (handlers, defaults, start-up work)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    Defaults,
)

from bot.dominio.calendario import anios_sin_calendario
from bot.dominio.vocabulario import Rol
from bot.entorno import Entorno
from bot.mensajes import textos
from bot.procesador import ProcesadorPorChat
from bot.servicios.anexo_proceso import Generador
from bot.telegram_http import SolicitudConReintentos
from handlers import registrar_handlers
from handlers.menu import fijar_comandos, fijar_menu_general
from scheduler.limitador import Limitador
from scheduler.repartidor import Repartidor
from scheduler.trabajos import ejecutar_ronda, en_horario_de, programar
from storage.models import Usuario

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]


def construir_aplicacion(
    entorno: Entorno,
    *,
    procesador: BaseUpdateProcessor | None = None,
    espera_reintento: float = 0.5,
    limitador: Limitador | None = None,
    con_trabajos: bool = True,
    anexos_en_proceso: bool = True,
) -> App:
    """The bot, pointed at the configured Bot API server (Telegram, self-hosted, or the double)."""
    s = entorno.settings
    constructor = (
        ApplicationBuilder()
        .token(s.bot_token)
        .base_url(s.api_url)
        .base_file_url(s.file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=s.zona))
        .request(SolicitudConReintentos(espera_inicial=espera_reintento, connection_pool_size=16))
        .get_updates_request(SolicitudConReintentos(espera_inicial=espera_reintento))
        # Telegram's flood limits, paced here (see scheduler/limitador.py).
        .rate_limiter(limitador or Limitador())
        .post_init(_al_iniciar)
        .post_shutdown(_al_terminar)
    )
    constructor = constructor.concurrent_updates(procesador or ProcesadorPorChat())
    app: App = constructor.build()
    app.bot_data["entorno"] = entorno
    app.bot_data["repartidor"] = Repartidor(app.bot, entorno, en_horario_de(entorno))
    app.bot_data["generador"] = Generador(en_proceso=anexos_en_proceso)
    # What handlers/ may start in scheduler/ without importing it: the round on demand.
    app.bot_data["ronda"] = lambda: ejecutar_ronda(app)
    registrar_handlers(app)
    if con_trabajos:
        programar(app)
    app.add_error_handler(_error)
    return app


async def _al_iniciar(app: App) -> None:
    entorno: Entorno = app.bot_data["entorno"]
    faltan = anios_sin_calendario(entorno.settings.anios_calendario, entorno.hoy())
    if faltan:
        # Without the year's own days (vacation periods) they count as business days.
        log.warning(
            "el archivo de días inhábiles municipales (%s) no tiene fechas de %s",
            entorno.settings.dias_inhabiles_ruta,
            ", ".join(map(str, faltan)),
        )
    await fijar_menu_general(app.bot)
    if app.job_queue is not None:
        # Menus of each registered chat are set at registration; refreshing them all (in case
        # a role's commands changed) is paced like any message, so it runs in the background.
        app.job_queue.run_once(_fijar_menus, when=10, name="menus")


async def _fijar_menus(context: Any) -> None:
    entorno: Entorno = context.bot_data["entorno"]
    with entorno.sesiones() as s:
        personas = s.execute(select(Usuario.telegram_id, Usuario.rol).where(Usuario.activo)).all()
    for telegram_id, rol in personas:
        await fijar_comandos(context.bot, telegram_id, Rol(rol))


async def _al_terminar(app: App) -> None:
    generador: Generador = app.bot_data["generador"]
    generador.cerrar()


async def _error(update: object, context: Any) -> None:
    log.error("error al atender una actualización", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(textos.ERROR_INESPERADO)
        except Exception:  # the error may be Telegram itself; never loop on it
            log.warning("tampoco se pudo avisar del error")
