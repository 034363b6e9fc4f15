"""/valorar <núm>: IMPLAN records the valoración of an ASM (Art. 14); the enlaces are told.

«No atendido» asks for the causes (typed, kept in Observaciones); every step re-checks the role
and the rules in bot.servicios.valoracion, whatever the button said.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.vocabulario import Clasificacion, Rol, Valoracion
from bot.mensajes import callbacks, textos
from bot.mensajes import plan as t
from bot.servicios import borradores, salida
from bot.servicios.borradores import Paso
from bot.servicios.historial import Historial, historial
from bot.servicios.plan_accion import enlaces_de
from bot.servicios.usuarios import Persona
from bot.servicios.valoracion import (
    ValoracionHecha,
    ValoracionRechazada,
    comprobar,
    opciones,
    puede_valorar,
    valorar,
)
from handlers import avance
from handlers.base import (
    Contexto,
    alerta,
    en_bd,
    entorno,
    persona_o_aviso,
    quitar_botones,
    repartidor,
    responder,
    teclado,
)
from handlers.historial import numero_de, resolver_numero

VALORACION = "valoracion"  # the draft's flujo while the causes are typed
_VALORES = list(Valoracion)  # a valoración travels in a button as its index


def _rechazo(persona: Persona) -> str:
    return t.CONTRALORIA_SOLO_CONSULTA if persona.rol is Rol.CONTRALORIA else t.SOLO_COORDINACION


async def cmd_valorar(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if persona.rol is not Rol.COORDINADOR:
        await responder(update, _rechazo(persona))
        return
    numero = numero_de(context)
    if numero is None:
        await responder(update, t.USO_VALORAR)
        return
    asm_id = await resolver_numero(update, context, persona, numero, callbacks.VALORACION)
    if asm_id is not None:
        await _mostrar(update, context, persona, asm_id)


async def _mostrar(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    hoy = entorno(context).hoy()

    def trabajo(s: Session) -> Historial | None:
        return historial(s, asm_id, hoy) if puede_valorar(s, persona, asm_id) else None

    h = await en_bd(context, trabajo)
    if h is None:
        await responder(update, _rechazo(persona))
        return
    validas = opciones(Clasificacion(h.actual["clasificacion"]))
    filas = [
        [(v.etiqueta, callbacks.dato(callbacks.VALORACION, "v", asm_id, _VALORES.index(v)))]
        for v in validas
    ]
    filas.append([(t.BOTON_CANCELAR, callbacks.dato(callbacks.VALORACION, "no"))])
    await responder(update, t.pida_valoracion(h, validas), teclado(filas))


async def _elegir(
    update: Update, context: Contexto, persona: Persona, asm_id: int, valoracion: Valoracion
) -> None:
    q = update.callback_query
    assert q is not None
    if valoracion is not Valoracion.NO_ATENDIDO:
        await _registrar(update, context, persona, asm_id, valoracion, "")
        return
    ent = entorno(context)

    def trabajo(s: Session) -> str | None:
        if not puede_valorar(s, persona, asm_id):
            return _rechazo(persona)
        try:  # the state is checked now, the causes once typed
            comprobar(s, asm_id, valoracion, "-", ent.hoy(), ent.calendario)
        except ValoracionRechazada as ex:
            return str(ex)
        borradores.guardar(s, persona.telegram_id, Paso(VALORACION, "causas", {"asm_id": asm_id}))
        return None

    motivo = await en_bd(context, trabajo)
    if motivo is not None:
        await q.answer(alerta(motivo), show_alert=True)
        return
    await q.answer()
    await quitar_botones(update, valoracion.etiqueta)
    filas = [[(t.BOTON_CANCELAR, callbacks.dato(callbacks.VALORACION, "no"))]]
    await responder(update, t.PIDA_CAUSAS, teclado(filas))


async def _registrar(
    update: Update,
    context: Contexto,
    persona: Persona,
    asm_id: int,
    valoracion: Valoracion,
    causas: str,
) -> None:
    ent = entorno(context)

    def trabajo(s: Session) -> ValoracionHecha | str:
        try:
            hecha = valorar(s, persona, asm_id, valoracion, causas, ent.hoy(), ent.calendario)
        except ValoracionRechazada as ex:
            return str(ex)
        borradores.borrar(s, persona.telegram_id)
        aviso = t.aviso_valoracion(hecha)
        salida.avisar(
            s, enlaces_de(s, asm_id), "valoracion", f"asm{asm_id}:v{hecha.version_id}", aviso,
            ent.ahora(),
        )  # fmt: skip
        return hecha

    resultado = await en_bd(context, trabajo)
    q = update.callback_query
    if isinstance(resultado, str):
        if q is not None:
            await q.answer(alerta(resultado), show_alert=True)
        else:
            await responder(update, textos.e(resultado))
        return
    if q is not None:
        await q.answer()
        await quitar_botones(update, valoracion.etiqueta)
    await responder(update, t.valoracion_registrada(resultado))
    await repartidor(context).repartir()


async def texto_causas(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    escrito = (update.message.text or "").strip() if update.message else ""
    if not escrito:
        await responder(update, t.PIDA_CAUSAS)
        return
    asm_id = int(paso.datos["asm_id"])
    await _registrar(update, context, persona, asm_id, Valoracion.NO_ATENDIDO, escrito[:2000])


async def boton(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None:
        return
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    b = callbacks.leer(q.data)
    if b is not None and b.accion == "no":
        await en_bd(context, lambda s: borradores.borrar(s, persona.telegram_id))
        await q.answer()
        await quitar_botones(update, textos.CANCELADO)
        return
    if b is None or b.valor is None:
        await q.answer(t.BOTON_VENCIDO, show_alert=True)
        return
    if b.accion == "a":
        await q.answer()
        await _mostrar(update, context, persona, b.valor)
    elif b.accion == "v" and b.valor2 is not None and 0 <= b.valor2 < len(_VALORES):
        await _elegir(update, context, persona, b.valor, _VALORES[b.valor2])
    else:
        await q.answer(t.BOTON_VENCIDO, show_alert=True)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    avance.TEXTO_DE[VALORACION] = texto_causas
    app.add_handler(CommandHandler("valorar", cmd_valorar))
    app.add_handler(CallbackQueryHandler(boton, pattern=f"^{callbacks.VALORACION}:"))
