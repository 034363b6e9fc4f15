"""Registration with an invitation (aviso de privacidad first), /ayuda, /cancelar, and what
anyone else gets."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.mensajes import callbacks, textos
from bot.servicios import borradores
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.usuarios import (
    AvisoRechazado,
    EnEspera,
    InvitacionInvalida,
    SinInvitacion,
    YaRegistrado,
    contestar_aviso,
    iniciar_registro,
)
from handlers import menu
from handlers.base import (
    Contexto,
    cerrar_paso,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
    teclado_vivo,
)


async def start(update: Update, context: Contexto) -> None:
    usuario = update.effective_user
    if usuario is None:
        return
    codigo = context.args[0] if context.args else ""
    ent = context.entorno
    ahora = ent.ahora()
    try:
        rol = await en_bd(context, lambda s: iniciar_registro(s, usuario.id, codigo, ahora))
    except YaRegistrado as e:
        await responder(update, textos.ya_registrado(e.persona.rol, e.persona.dependencia))
        return
    except SinInvitacion:
        await responder(update, textos.NO_REGISTRADO)
        return
    except EnEspera as e:
        await responder(update, textos.espere_para_intentar(e.minutos))
        return
    except InvitacionInvalida as e:
        await responder(update, _invitacion_invalida(e, ent.settings.zona))
        return
    si, no = textos.AVISO_BOTONES
    await responder(
        update,
        textos.aviso_privacidad(ent.settings.aviso_privacidad(rol)),
        teclado(
            [
                [
                    (si, callbacks.dato(callbacks.REGISTRO, "si")),
                    (no, callbacks.dato(callbacks.REGISTRO, "no")),
                ]
            ]
        ),
    )


def _invitacion_invalida(e: InvitacionInvalida, zona: ZoneInfo | None = None) -> str:
    if e.motivo == "usada":
        return textos.CODIGO_USADO
    if e.motivo == "vencida" and e.vence is not None and zona is not None:
        return textos.codigo_vencido(e.vence.astimezone(zona).date())
    return textos.CODIGO_DESCONOCIDO


async def aviso(update: Update, context: Contexto) -> None:
    q = update.callback_query
    usuario = update.effective_user
    if q is None or usuario is None:
        return
    b = callbacks.leer(q.data)
    nombre = " ".join(filter(None, [usuario.first_name, usuario.last_name])) or "Sin nombre"
    ahora = context.entorno.ahora()
    acepta = b is not None and b.accion == "si"

    try:
        if b is None:
            raise BotonVencido()
        # The answer ends the registration either way: a refusal keeps the draft's deletion.
        persona = await en_bd(
            context, lambda s: contestar_aviso(s, usuario.id, acepta, nombre, ahora)
        )
    except Rechazado as e:
        await q.answer()
        await quitar_botones(update)
        await responder(update, _rechazo_de_registro(e))
        return
    await q.answer()
    await quitar_botones(update)
    await menu.fijar_comandos(context.bot, persona.telegram_id, persona.rol)
    await responder(update, textos.bienvenida(persona.nombre, persona.rol, persona.dependencia))


def _rechazo_de_registro(e: Rechazado) -> str:
    if isinstance(e, AvisoRechazado):
        return textos.AVISO_RECHAZADO
    if isinstance(e, InvitacionInvalida):  # used or withdrawn meanwhile
        return _invitacion_invalida(e)
    return textos.BOTON_VENCIDO_REGISTRO


async def ayuda(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is not None:
        await responder(update, textos.AYUDA[persona.rol])


async def cancelar(update: Update, context: Contexto) -> None:
    usuario = update.effective_user
    if usuario is None:
        return
    borrado = await en_bd(context, lambda s: borradores.borrar(s, usuario.id))
    await cerrar_paso(update, teclado_vivo())  # the cancelled step's buttons go with it
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
