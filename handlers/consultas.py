"""/mis_asm and /pendientes: what an enlace owes and when, read-only."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.dominio.periodos import primer_dia_del_mes
from bot.mensajes import textos
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.usuarios import Persona
from handlers.base import Contexto, leer_bd, persona_o_aviso, responder

PROXIMOS = 5  # fechas de término shown by /pendientes


async def _asm_del_enlace(
    update: Update, context: Contexto
) -> tuple[Persona, list[EstadoAsm], date] | None:
    """The enlace and its dependencia's ASM as of today; None after explaining why not."""
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return None
    if not persona.es_enlace:
        await responder(update, textos.SOLO_ENLACES)
        return None
    ent = context.entorno
    hoy = ent.hoy()
    asms = await leer_bd(
        context,
        lambda s: estado_actual(s, hoy, ent.calendario, dependencia_id=persona.dependencia_id),
    )
    if not asms:
        await responder(update, textos.SIN_ASM)
        return None
    return persona, asms, hoy


async def mis_asm(update: Update, context: Contexto) -> None:
    datos = await _asm_del_enlace(update, context)
    if datos is None:
        return
    persona, asms, _ = datos
    for mensaje in textos.mis_asm(persona.dependencia, asms):
        await responder(update, mensaje)


async def pendientes(update: Update, context: Contexto) -> None:
    datos = await _asm_del_enlace(update, context)
    if datos is None:
        return
    _, asms, hoy = datos
    mes = primer_dia_del_mes(hoy)
    # Anexo A (i): the % de avance is updated every month; we take the month's last business day.
    limite = context.entorno.calendario.ultimo_habil_del_mes(hoy.year, hoy.month)
    abiertos = [a for a in asms if a.abierto]
    faltan = [a for a in abiertos if not a.reportado_en(mes)]
    proximos = sorted(
        (a for a in abiertos if a.fecha_termino is not None),
        key=lambda a: a.fecha_termino or date.max,
    )[:PROXIMOS]
    for mensaje in textos.pendientes(mes, limite, faltan, proximos):
        await responder(update, mensaje)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("mis_asm", mis_asm))
    app.add_handler(CommandHandler("pendientes", pendientes))
