"""/recordatorios for coordinadores: what is scheduled, what was sent, what failed, and a
button to run the monthly round now."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.texto import plural
from bot.dominio.vocabulario import Rol
from bot.mensajes import callbacks, textos
from bot.servicios import salida
from bot.servicios.envios import resumen_envios
from bot.servicios.usuarios import Persona
from handlers.base import (
    Contexto,
    boton,
    en_bd,
    persona_o_aviso,
    responder,
    teclado,
)

NOMBRES_TRABAJO = {
    "ronda_diaria": "Ronda diaria de recordatorios",
    "ronda_al_iniciar": "Ronda de recuperación al iniciar",
    "repartidor": "Envío de la salida pendiente",
}
ESTADOS = {
    "enviado": "enviados",
    "pendiente": "pendientes",
    "enviando": "enviándose",
    "fallido": "fallidos",
    "inalcanzable": "a personas que bloquearon el bot o sin chat",
    "sin_confirmar": "enviados sin confirmación de Telegram",
}
SOLO_COORDINADORES = "Este comando es para la Coordinación del IMPLAN."


async def recordatorios(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if persona.rol is not Rol.COORDINADOR:
        await responder(update, SOLO_COORDINADORES)
        return
    ent = context.entorno
    desde = ent.ahora() - timedelta(days=30)
    conteo, fallas = await en_bd(context, lambda s: resumen_envios(s, desde))
    lineas = ["<b>Recordatorios</b>", "", "<b>Próximos</b>"]
    jq = context.application.job_queue
    trabajos = sorted(
        (j for j in (jq.jobs() if jq else ()) if j.next_t is not None),
        key=lambda j: j.next_t or datetime.max,
    )
    for j in trabajos:
        assert j.next_t is not None
        cuando = j.next_t.astimezone(ent.settings.zona).strftime("%d/%m/%Y %H:%M")
        lineas.append(f"• {NOMBRES_TRABAJO.get(j.name or '', j.name)}: {cuando}")
    if not trabajos:
        lineas.append("• No hay trabajos programados en este proceso.")
    lineas += ["", "<b>Últimos 30 días</b>"]
    if conteo:
        lineas += [f"• {n} {ESTADOS.get(estado, estado)}" for estado, n in sorted(conteo.items())]
    else:
        lineas.append("• No se ha enviado nada.")
    esperas = await en_bd(context, salida.esperando)
    if esperas:
        lineas += ["", "<b>En espera de reenvío</b>"]
        lineas += [textos.linea_espera(e, ent.settings.zona) for e in esperas]
    if fallas:
        lineas += ["", "<b>Fallas recientes</b>"]
        lineas += [
            f"• {textos.e(tipo)}: {textos.e(error or 'sin detalle')}" for tipo, error in fallas
        ]
    await responder(
        update,
        "\n".join(lineas),
        teclado([[("Ejecutar la ronda ahora", callbacks.dato(callbacks.RECORDATORIOS, "ronda"))]]),
        fijo=True,
    )


@boton(textos.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, _b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if persona.rol is not Rol.COORDINADOR:
        await q.answer(SOLO_COORDINADORES, show_alert=True)
        return
    await q.answer("Ejecutando la ronda…")
    nuevos = await context.ejecutar_ronda()
    if nuevos:
        texto = f"Ronda ejecutada: {plural(nuevos, 'mensaje nuevo', 'mensajes nuevos')}; se envían dentro del horario de oficina."
    else:
        texto = "Ronda ejecutada: no había recordatorios nuevos por enviar."
    await responder(update, texto)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("recordatorios", recordatorios))
    app.add_handler(CallbackQueryHandler(pulsar, pattern=f"^{callbacks.RECORDATORIOS}:"))
