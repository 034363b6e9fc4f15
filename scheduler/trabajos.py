"""The scheduler's jobs on PTB's JobQueue (APScheduler): the daily round and the sender.

The round only decides what is due and writes it to the outbox (idempotent by clave); the
sender delivers the outbox. So a round that runs twice, late or after a restart sends nothing
twice, and a round missed while the bot was down runs once when it starts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram.ext import Application, ContextTypes

from bot.dominio.recordatorios import en_horario, trimestre_a_enviar
from bot.entorno import Entorno
from bot.servicios import salida
from bot.servicios.anexo_proceso import Generador
from bot.servicios.salida import Mensaje
from scheduler.repartidor import Repartidor
from scheduler.rondas import mensajes_anexo_trimestral, planear
from storage.db import unit_of_work
from storage.models import Salida

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]


def en_horario_de(entorno: Entorno) -> Callable[[datetime], bool]:
    """Office hours on business days, in local time (reminders wait for them)."""
    return lambda local: en_horario(local, entorno.calendario, entorno.settings.horario)


def programar(app: App) -> None:
    entorno: Entorno = app.bot_data["entorno"]
    jq = app.job_queue
    assert jq is not None, "falta el extra job-queue de python-telegram-bot"
    # APScheduler drops a run more than a second late unless told otherwise: never drop it.
    tarde_ok = {"misfire_grace_time": None, "coalesce": True}
    jq.run_daily(_ronda, time=entorno.settings.horario[0], name="ronda_diaria", job_kwargs=tarde_ok)
    jq.run_once(_ronda, when=2, name="ronda_al_iniciar")  # catch up what was missed while down
    jq.run_repeating(_repartir, interval=30, first=1, name="repartidor", job_kwargs=tarde_ok)


async def _ronda(context: ContextTypes.DEFAULT_TYPE) -> None:
    await ejecutar_ronda(context.application)


async def _repartir(context: ContextTypes.DEFAULT_TYPE) -> None:
    repartidor: Repartidor = context.bot_data["repartidor"]
    await repartidor.repartir()


async def ejecutar_ronda(app: App) -> int:
    """Plans what is due now, writes it to the outbox, and sends it. Returns how many were new."""
    entorno: Entorno = app.bot_data["entorno"]
    ahora = entorno.ahora()

    def trabajo() -> int:
        with unit_of_work(entorno.sesiones) as s:
            return salida.encolar(s, planear(s, ahora, entorno.calendario, entorno.settings), ahora)

    nuevos = await asyncio.to_thread(trabajo) + await _anexo_trimestral(app, entorno, ahora)
    log.info("ronda: %d mensajes nuevos en la salida", nuevos)
    repartidor: Repartidor = app.bot_data["repartidor"]
    await repartidor.repartir()
    return nuevos


async def _anexo_trimestral(app: App, entorno: Entorno, ahora: datetime) -> int:
    """From the first business day after a quarter ends, its consolidated Anexo A goes to the
    coordinadores, once each (the file is made only if someone still has to get it)."""
    hoy = entorno.calendario.hoy(ahora)
    t = trimestre_a_enviar(hoy, entorno.calendario)
    if t is None or not entorno.calendario.es_habil(hoy):
        return 0
    relativa = f"anexos/AnexoA_consolidado_{t}.xlsx"

    def faltan() -> list[Mensaje]:
        with unit_of_work(entorno.sesiones) as s:
            mensajes = mensajes_anexo_trimestral(s, t, relativa)
            ya = set(
                s.scalars(select(Salida.clave).where(Salida.clave.in_([m.clave for m in mensajes])))
            )
            return [m for m in mensajes if m.clave not in ya]

    pendientes = await asyncio.to_thread(faltan)
    if not pendientes:
        return 0
    ruta = Path(entorno.settings.data_dir) / relativa
    if not ruta.exists():
        generador: Generador = app.bot_data["generador"]
        generado = await generador.generar(entorno.peticion_anexo(t, hoy))
        if generado is None:
            return 0  # no ASM in that quarter: nothing to send
        ruta.parent.mkdir(parents=True, exist_ok=True)
        temporal = ruta.with_suffix(".tmp")
        temporal.write_bytes(generado.contenido)
        temporal.replace(ruta)  # never a half-written file under the final name

    def encolar() -> int:
        with unit_of_work(entorno.sesiones) as s:
            return salida.encolar(s, pendientes, ahora)

    return await asyncio.to_thread(encolar)
