"""The scheduler's jobs on PTB's JobQueue (APScheduler): the daily round, the digests of
copies (bot.servicios.copias) and the sender.

The round only decides what is due and writes it to the outbox (idempotent by clave); the
sender delivers the outbox. So a round that runs twice, late or after a restart sends nothing
twice, and a round missed while the bot was down runs once when it starts.

With several instances, only the leader (scheduler/lider.py) runs the round, the sender and the
daily backup; the others answer people and take over when the leader stops.
"""

from __future__ import annotations

import asyncio
import logging
import time as reloj
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from telegram.ext import Application, ContextTypes

from bot import metricas
from bot.dominio.recordatorios import en_horario, trimestre_a_enviar
from bot.entorno import Entorno
from bot.mensajes import callbacks, textos
from bot.servicios import copias, salida
from bot.servicios.anexo_proceso import Generador
from bot.servicios.respaldo import crear_respaldo
from bot.servicios.salida import Mensaje
from bot.servicios.usuarios import destinatarios_copia
from scheduler.lider import INTERVALO, Lider
from scheduler.repartidor import Repartidor
from scheduler.rondas import mensajes_anexo_trimestral, planear
from storage import atendidas
from storage.db import unit_of_work
from storage.models import Salida, Usuario

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
    jq.run_repeating(_copias, interval=60, first=5, name="copias", job_kwargs=tarde_ok)
    if "lider" in app.bot_data:
        jq.run_repeating(_elegir, interval=INTERVALO, first=INTERVALO, name="lider")
    if entorno.settings.respaldo_dias:
        jq.run_daily(_respaldar, time=HORA_RESPALDO, name="respaldo", job_kwargs=tarde_ok)


# The daily backup runs at night, local time, when nobody reports.
HORA_RESPALDO = time(2, 0)


def es_lider(app: App) -> bool:
    """Without a leader lock (tests, one process on SQLite) this instance does everything."""
    lider: Lider | None = app.bot_data.get("lider")
    return lider is None or lider.es_lider


async def _elegir(context: ContextTypes.DEFAULT_TYPE) -> None:
    app = context.application
    lider: Lider = app.bot_data["lider"]
    antes = lider.es_lider
    ahora = await asyncio.to_thread(lider.intentar)
    if ahora and not antes and context.job_queue is not None:
        # Took over: catch up what the previous leader left, as its own job, so the next
        # leadership check is not held up by a long send.
        context.job_queue.run_once(_ronda, when=0, name="ronda_al_relevar")
    elif antes and not ahora and app.bot_data.get("modo") == "polling":
        # Another instance may be polling now; two pollers must never run.
        log.error("se perdió el candado de líder; el bot se detiene para volver como reserva")
        app.stop_running()


async def _ronda(context: ContextTypes.DEFAULT_TYPE) -> None:
    if es_lider(context.application):
        await ejecutar_ronda(context.application)


async def _repartir(context: ContextTypes.DEFAULT_TYPE) -> None:
    if not es_lider(context.application):
        return
    repartidor: Repartidor = context.bot_data["repartidor"]
    enviados = await repartidor.repartir()
    if enviados:
        metricas.ENVIADOS.inc(enviados)
        log.info("salida: %d mensajes enviados", enviados)
    await asyncio.to_thread(_medir_salida, context.bot_data["entorno"])


def _medir_salida(entorno: Entorno) -> None:
    with entorno.sesiones() as s:
        for estado, n in s.execute(select(Salida.estado, func.count()).group_by(Salida.estado)):
            metricas.SALIDA.labels(estado).set(n)


async def _copias(context: ContextTypes.DEFAULT_TYPE) -> None:
    if es_lider(context.application):
        await enviar_copias(context.application)


async def enviar_copias(app: App) -> int:
    """Puts the digests of copies that are due in the outbox, marking their copies in the same
    transaction, and sends them. Returns how many messages were new."""
    entorno: Entorno = app.bot_data["entorno"]
    ahora = entorno.ahora()
    espera = timedelta(minutes=entorno.settings.copias_cada_minutos)

    def trabajo() -> int:
        with unit_of_work(entorno.sesiones) as s:
            lotes = copias.debidos(
                s, ahora, entorno.calendario.hoy(ahora), entorno.calendario, espera
            )
            if not lotes:
                return 0
            destinatarios = destinatarios_copia(s)
            mensajes = [m for lote in lotes for m in _mensajes_de_copias(lote, destinatarios)]
            for lote in lotes:
                copias.marcar_enviadas(s, lote.ids, ahora)
            return salida.encolar(s, mensajes, ahora)

    nuevos = await asyncio.to_thread(trabajo)
    if nuevos:
        log.info("copias: %d resúmenes nuevos en la salida", nuevos)
        repartidor: Repartidor = app.bot_data["repartidor"]
        enviados = await repartidor.repartir()
        if enviados:
            metricas.ENVIADOS.inc(enviados)
    return nuevos


def _mensajes_de_copias(lote: copias.Lote, destinatarios: list[tuple[int, int]]) -> list[Mensaje]:
    texto = textos.resumen_copias(lote.dependencia, lote.textos, lote.completo)
    botones = [
        [(textos.boton_historial(numero, clave), callbacks.dato(callbacks.HISTORIAL, "a", asm_id))]
        for asm_id, numero, clave in lote.asm[: textos.MAX_BOTONES_HISTORIAL]
    ]
    return [
        Mensaje(
            clave=f"copias:u{uid}:{lote.clave}",
            tipo="copias",
            chat_id=tid,
            usuario_id=uid,
            texto=texto,
            botones=botones,
            solo_en_horario=False,  # copies are not reminders: they go at any hour
        )
        for uid, tid in destinatarios
    ]


async def _respaldar(context: ContextTypes.DEFAULT_TYPE) -> None:
    if es_lider(context.application):
        await respaldar(context.application)


async def respaldar(app: App) -> Path | None:
    """Today's backup into the backup folder, removing those older than the retention; when it
    fails, the coordinadores are told."""
    entorno: Entorno = app.bot_data["entorno"]
    s = entorno.settings
    ahora = entorno.ahora()
    carpeta = s.respaldos_dir
    destino = carpeta / f"respaldo_{ahora.astimezone(s.zona):%Y%m%d_%H%M%S}.tar.gz"

    def trabajo() -> int:
        inicio = reloj.monotonic()
        crear_respaldo(entorno.engine, s.data_dir, destino)
        limite = ahora - timedelta(days=s.respaldo_dias)
        borrados = 0
        for viejo in carpeta.glob("respaldo_*.tar.gz"):
            if viejo != destino and viejo.stat().st_mtime < limite.timestamp():
                viejo.unlink()
                borrados += 1
        log.info(
            "respaldo: %s en %.1f s; %d respaldo(s) de más de %d días borrados",
            destino.name,
            reloj.monotonic() - inicio,
            borrados,
            s.respaldo_dias,
        )
        return borrados

    try:
        await asyncio.to_thread(trabajo)
        return destino
    except Exception:
        log.exception("falló el respaldo automático en %s", carpeta)
        await asyncio.to_thread(_avisar_respaldo_fallido, entorno, ahora, carpeta)
        repartidor: Repartidor = app.bot_data["repartidor"]
        await repartidor.repartir()
        return None


def _avisar_respaldo_fallido(entorno: Entorno, ahora: datetime, carpeta: Path) -> None:
    local = ahora.astimezone(entorno.settings.zona)
    anteriores = sorted(carpeta.glob("respaldo_*.tar.gz")) if carpeta.is_dir() else []
    ultimo = (
        textos.RESPALDO_ULTIMO.format(nombre=anteriores[-1].name)
        if anteriores
        else textos.RESPALDO_NINGUNO
    )
    texto = textos.RESPALDO_FALLIDO.format(fecha=f"{local:%d/%m/%Y}", ultimo=ultimo)
    with unit_of_work(entorno.sesiones) as ses:
        coordinadores = ses.execute(
            select(Usuario.id, Usuario.telegram_id).where(
                Usuario.activo, Usuario.rol == "coordinador"
            )
        ).all()
        salida.encolar(
            ses,
            [
                Mensaje(
                    clave=f"respaldo_fallido:u{uid}:{local:%Y-%m-%d}",
                    tipo="respaldo_fallido",
                    chat_id=tid,
                    usuario_id=uid,
                    texto=texto,
                    solo_en_horario=False,
                )
                for uid, tid in coordinadores
            ],
            ahora,
        )


async def ejecutar_ronda(app: App) -> int:
    """Plans what is due now, writes it to the outbox, and sends it. Returns how many were new."""
    entorno: Entorno = app.bot_data["entorno"]
    ahora = entorno.ahora()

    def trabajo() -> int:
        with unit_of_work(entorno.sesiones) as s:
            atendidas.podar(s, ahora)  # daily, so the table of handled updates stays small
            return salida.encolar(s, planear(s, ahora, entorno.calendario, entorno.settings), ahora)

    inicio = reloj.monotonic()
    nuevos = await asyncio.to_thread(trabajo) + await _anexo_trimestral(app, entorno, ahora)
    log.info("ronda: %d mensajes nuevos en la salida (%.1f s)", nuevos, reloj.monotonic() - inicio)
    repartidor: Repartidor = app.bot_data["repartidor"]
    enviados = await repartidor.repartir()
    if enviados:
        metricas.ENVIADOS.inc(enviados)
        log.info("salida: %d mensajes enviados", enviados)
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
        inicio = reloj.monotonic()
        generado = await generador.generar(entorno.peticion_anexo(t, hoy))
        metricas.ANEXO.observe(reloj.monotonic() - inicio)
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
