"""The one place where the Telegram application is built (handlers, defaults, start-up work)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)

from bot.anexo_a import aislado
from bot.config import Settings
from bot.dominio.calendario import anios_sin_calendario
from bot.dominio.vocabulario import Rol
from bot.entorno import Entorno
from bot.mensajes import textos
from bot.procesador import (
    CONCURRENCIA,
    Atendidas,
    CandadosDeChat,
    ColaConAcuse,
    ProcesadorPorChat,
)
from bot.salud import ServidorSalud
from bot.servicios.anexo_proceso import Generador
from bot.telegram_http import SolicitudConReintentos
from handlers import registrar_handlers
from handlers.base import Contexto
from handlers.menu import fijar_comandos, fijar_menu_general
from scheduler.lider import Lider
from scheduler.limitador import Limitador, inofensivo_en_cualquiera
from scheduler.repartidor import Repartidor
from scheduler.trabajos import ejecutar_ronda, en_horario_de, es_lider, programar
from storage.db import make_engine
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
    lider: Lider | None = None,
) -> App:
    """The bot, pointed at the configured Bot API server (Telegram, self-hosted, or the double).

    In webhook mode the answer to each webhook request waits for its update to be handled, and
    on PostgreSQL a chat's updates also take a lock in the database (several replicas)."""
    s = entorno.settings
    cola = ColaConAcuse() if s.webhook_url else None
    if procesador is None and s.webhook_url:
        candados = None
        if entorno.engine.dialect.name == "postgresql":
            candados = CandadosDeChat(
                make_engine(s.database_url, pool_size=CONCURRENCIA, max_overflow=0)
            )
        # Telegram sends an update again until it is answered: never handle one twice.
        numero = s.bot_token.split(":", 1)[0]  # a token starts with the bot's id
        atendidas = Atendidas(entorno.sesiones, bot_id=int(numero) if numero.isdigit() else 0)
        procesador = ProcesadorPorChat(candados_bd=candados, cola=cola, atendidas=atendidas)
    constructor = (
        ApplicationBuilder()
        .token(s.bot_token)
        .base_url(s.api_url)
        .base_file_url(s.file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=s.zona))
        # Handlers read what they need as typed properties (handlers.base.Contexto).
        .context_types(ContextTypes(context=Contexto))
        .request(SolicitudConReintentos(16, espera_inicial=espera_reintento))
        .get_updates_request(SolicitudConReintentos(1, espera_inicial=espera_reintento))
        # Telegram's flood limits, paced here (see scheduler/limitador.py).
        .rate_limiter(limitador or Limitador())
        .post_init(_al_iniciar)
        .post_shutdown(_al_terminar)
    )
    if cola is not None:
        constructor = constructor.update_queue(cola)
    constructor = constructor.concurrent_updates(procesador or ProcesadorPorChat())
    app: App = constructor.build()
    app.bot_data["entorno"] = entorno
    app.bot_data["modo"] = "webhook" if s.webhook_url else "polling"
    if lider is not None:
        app.bot_data["lider"] = lider
    app.bot_data["repartidor"] = Repartidor(app.bot, entorno, en_horario_de(entorno))
    app.bot_data["generador"] = Generador(en_proceso=anexos_en_proceso)
    # What handlers/ may start in scheduler/ without importing it: the round on demand.
    app.bot_data["ronda"] = lambda: ejecutar_ronda(app)
    registrar_handlers(app)
    if con_trabajos:
        programar(app)
    app.add_error_handler(_error)
    return app


ACTUALIZACIONES = ["message", "callback_query"]


def comprobar_token(s: Settings) -> None:
    """Asks the Bot API who the bot is, before anything starts: a rejected token raises
    InvalidToken here, instead of a traceback from PTB's start-up loop that shows the token."""

    async def preguntar() -> None:
        async with Bot(s.bot_token, base_url=s.api_url, base_file_url=s.file_url) as bot:
            await bot.get_me()

    asyncio.run(preguntar())


def ejecutar(entorno: Entorno) -> None:
    """`asmbot run`: polling (one instance polls, another may wait as standby) or webhook (any
    number of replicas answer; one leads the rounds and the outbox). Until stopped."""
    s = entorno.settings
    lider = Lider(entorno.engine)
    salud = ServidorSalud(entorno, s.salud_escucha, lider) if s.salud_escucha else None
    if salud is not None:
        salud.iniciar()
    try:
        if s.webhook_url:
            lider.intentar()
            app = construir_aplicacion(entorno, lider=lider)
            ruta = urlparse(s.webhook_url).path.lstrip("/")
            log.info(
                "bot en marcha (webhook en %s:%d/%s; líder: %s)",
                *s.webhook_escucha,
                ruta,
                "sí" if lider.es_lider else "no",
            )
            app.run_webhook(
                listen=s.webhook_escucha[0],
                port=s.webhook_escucha[1],
                url_path=ruta,
                webhook_url=s.webhook_url,
                secret_token=s.webhook_secret,
                allowed_updates=ACTUALIZACIONES,
                drop_pending_updates=False,
            )
            return
        # Telegram allows one poller per token: a second instance waits here as a standby.
        lider.esperar(
            lambda: log.warning("en espera: otra instancia atiende el bot; la relevo si se detiene")
        )
        app = construir_aplicacion(entorno, lider=lider)
        log.info("bot en marcha (polling)")
        app.run_polling(allowed_updates=ACTUALIZACIONES, drop_pending_updates=False)
    finally:
        lider.soltar()
        if salud is not None:
            salud.detener()


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
    if not es_lider(context.application):  # one replica is enough to refresh them
        return
    entorno: Entorno = context.bot_data["entorno"]
    with entorno.sesiones() as s:
        personas = s.execute(select(Usuario.telegram_id, Usuario.rol).where(Usuario.activo)).all()
    for telegram_id, rol in personas:
        await fijar_comandos(context.bot, telegram_id, Rol(rol))


async def _al_terminar(app: App) -> None:
    generador: Generador = app.bot_data["generador"]
    generador.cerrar()
    aislado.cerrar()  # the worker that reads files from people


async def _error(update: object, context: Any) -> None:
    # A press answered too late, an edit that changes nothing: the work was done.
    if isinstance(context.error, BadRequest) and inofensivo_en_cualquiera(context.error):
        log.info("Telegram rechazó algo inofensivo: %s", context.error)
        return
    log.error("error al atender una actualización", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await update.effective_chat.send_message(textos.ERROR_INESPERADO)
        except Exception:  # the error may be Telegram itself; never loop on it
            log.warning("tampoco se pudo avisar del error")
