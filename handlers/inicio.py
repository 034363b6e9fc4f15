"""Registration with an invitation (aviso de privacidad first), /ayuda, /cancelar, and what
anyone else gets."""

from __future__ import annotations

import math

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.mensajes import callbacks, textos
from bot.servicios import borradores
from bot.servicios.borradores import Paso
from bot.servicios.invitaciones import hash_codigo
from bot.servicios.usuarios import (
    InvitacionInvalida,
    Persona,
    canjear_invitacion_por_hash,
    espera_registro,
    persona_activa,
    registrar_intento_fallido,
    verificar_invitacion,
)
from handlers import menu
from handlers.base import (
    Contexto,
    en_bd,
    entorno,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)


async def start(update: Update, context: Contexto) -> None:
    usuario = update.effective_user
    if usuario is None:
        return
    codigo = context.args[0] if context.args else ""
    ahora = entorno(context).ahora()

    def revisar(s: Session) -> str:
        persona = persona_activa(s, usuario.id)
        if persona is not None:
            return textos.ya_registrado(persona.rol, persona.dependencia)
        if not codigo:
            return textos.NO_REGISTRADO
        espera = espera_registro(s, usuario.id, ahora)
        if espera.total_seconds() > 0:
            return textos.espere_para_intentar(math.ceil(espera.total_seconds() / 60))
        try:
            verificar_invitacion(s, codigo, ahora)
        except InvitacionInvalida as e:
            if e.motivo == "usada":
                return textos.CODIGO_USADO
            if e.motivo == "vencida" and e.vence is not None:
                return textos.codigo_vencido(
                    e.vence.astimezone(entorno(context).settings.zona).date()
                )
            # Only a code that never existed looks like guessing; those are slowed down.
            registrar_intento_fallido(s, usuario.id, ahora)
            return textos.CODIGO_DESCONOCIDO
        # Only the code's hash is kept until the person answers the aviso, never the code.
        datos = {"codigo_hash": hash_codigo(codigo)}
        borradores.guardar(s, usuario.id, Paso("registro", "aviso", datos))
        return ""

    respuesta = await en_bd(context, revisar)
    if respuesta:
        await responder(update, respuesta)
        return
    aviso = entorno(context).settings.aviso_privacidad
    si, no = textos.AVISO_BOTONES
    await responder(
        update,
        textos.aviso_privacidad(aviso),
        teclado(
            [
                [
                    (si, callbacks.dato(callbacks.REGISTRO, "si")),
                    (no, callbacks.dato(callbacks.REGISTRO, "no")),
                ]
            ]
        ),
    )


async def aviso(update: Update, context: Contexto) -> None:
    q = update.callback_query
    usuario = update.effective_user
    if q is None or usuario is None:
        return
    boton = callbacks.leer(q.data)
    nombre = " ".join(filter(None, [usuario.first_name, usuario.last_name])) or "Sin nombre"
    ahora = entorno(context).ahora()

    def contestar(s: Session) -> Persona | str:
        paso = borradores.leer(s, usuario.id)
        if paso is None or paso.flujo != "registro" or boton is None:
            return textos.BOTON_VENCIDO_REGISTRO
        borradores.borrar(s, usuario.id)
        if boton.accion != "si":
            return textos.AVISO_RECHAZADO
        try:
            codigo_hash = paso.datos.get("codigo_hash") or hash_codigo(str(paso.datos["codigo"]))
            return canjear_invitacion_por_hash(s, str(codigo_hash), usuario.id, nombre, ahora)
        except InvitacionInvalida as e:
            return textos.CODIGO_USADO if e.motivo == "usada" else textos.CODIGO_DESCONOCIDO

    resultado = await en_bd(context, contestar)
    await q.answer()
    await quitar_botones(update)
    if isinstance(resultado, str):
        await responder(update, resultado)
        return
    await menu.fijar_comandos(context.bot, resultado.telegram_id, resultado.rol)
    await responder(
        update, textos.bienvenida(resultado.nombre, resultado.rol, resultado.dependencia)
    )


async def ayuda(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is not None:
        await responder(update, textos.AYUDA[persona.rol])


async def cancelar(update: Update, context: Contexto) -> None:
    usuario = update.effective_user
    if usuario is None:
        return
    borrado = await en_bd(context, lambda s: borradores.borrar(s, usuario.id))
    await responder(update, textos.CANCELADO if borrado else textos.NADA_QUE_CANCELAR)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(aviso, pattern=f"^{callbacks.REGISTRO}:"))
    app.add_handler(CommandHandler("ayuda", ayuda))
    app.add_handler(CommandHandler("help", ayuda))
    app.add_handler(CommandHandler("cancelar", cancelar))


async def desconocido(update: Update, context: Contexto) -> None:
    if await persona_o_aviso(update, context) is not None:
        await responder(update, textos.NO_ENTENDI)


async def boton_desconocido(update: Update, context: Contexto) -> None:
    if update.callback_query is not None and await persona_o_aviso(update, context) is not None:
        await update.callback_query.answer(textos.BOTON_VENCIDO, show_alert=True)
