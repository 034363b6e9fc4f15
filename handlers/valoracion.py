"""/valorar, /valorar <núm, «Pp núm» or text> and /reabrir <núm>: IMPLAN closes an ASM (Art. 14) or reopens it.

The coordinador sees which valoraciones fit the ASM today and why the others do not; only valid
ones get a button. «No atendido» asks for the causes; «No aplica» for the institution whose
collaboration failed and the cause. Every step re-checks the role and the rules in
bot.servicios.valoracion, whatever the button said. The diagram is in valoracion.md.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.vocabulario import Rol, Valoracion
from bot.mensajes import busqueda as tb
from bot.mensajes import callbacks, textos
from bot.mensajes import plan as tp
from bot.mensajes import valoracion as t
from bot.servicios import borradores
from bot.servicios.avisos import a_enlaces_y_contraloria
from bot.servicios.borradores import Flujo, Paso
from bot.servicios.usuarios import Persona
from bot.servicios.valoracion import (
    Pendiente,
    Reapertura,
    Situacion,
    ValoracionHecha,
    ValoracionRechazada,
    comprobar,
    pendientes_de_valoracion,
    puede_valorar,
    reabrir,
    situacion,
    valorar,
)
from handlers import elegir
from handlers.base import (
    Contexto,
    alerta,
    boton,
    cancelar_con_boton,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)
from handlers.historial import numero_de, resolver_numero

VALORACION = Flujo.VALORACION.value  # the draft's flujo while text is typed
_VALORES = list(Valoracion)  # a valoración travels in a button as its index
MAX_BOTONES_EVIDENCIA = 5


class PasoValoracion(StrEnum):
    CAUSAS = "causas"  # «no atendido» or «no aplica»: the causes
    INSTITUCION = "institucion"  # «no aplica»: who failed
    MOTIVO = "motivo"  # /reabrir: the reason


def _rechazo(persona: Persona) -> str:
    return tp.CONTRALORIA_SOLO_CONSULTA if persona.rol is Rol.CONTRALORIA else tp.SOLO_COORDINACION


def _cancelar() -> list[tuple[str, str]]:
    return [(tp.BOTON_CANCELAR, callbacks.dato(callbacks.VALORACION, "no"))]


async def cmd_valorar(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if persona.rol is not Rol.COORDINADOR:
        await responder(update, _rechazo(persona))
        return
    if not context.args:
        await _cola(update, context)
        return
    asm_id = await elegir.elegir_asm(
        update, context, persona, callbacks.VALORACION, tb.PREGUNTA_VALORAR, tb.USO_VALORAR
    )
    if asm_id is not None:
        await _mostrar(update, context, persona, asm_id)


async def _cola(update: Update, context: Contexto) -> None:
    ent = context.entorno
    cola: list[Pendiente] = await en_bd(
        context, lambda s: pendientes_de_valoracion(s, ent.hoy(), ent.calendario)
    )
    if not cola:
        await responder(update, t.COLA_VACIA)
        return
    filas = [
        [(t.etiqueta_pendiente(p), callbacks.dato(callbacks.VALORACION, "a", p.asm.asm_id))]
        for p in cola[: t.MAX_COLA]
    ]
    await responder(update, t.cola(cola), teclado(filas))


async def _mostrar(update: Update, context: Contexto, persona: Persona, asm_id: int) -> None:
    ent = context.entorno

    def trabajo(s: Session) -> Situacion | None:
        if not puede_valorar(s, persona, asm_id):
            return None
        return situacion(s, asm_id, ent.hoy(), ent.calendario)

    try:
        r = await en_bd(context, trabajo)
    except ValoracionRechazada as e:
        await responder(update, textos.e(str(e)))
        return
    if r is None:
        await responder(update, _rechazo(persona))
        return
    if r.asm.valoracion is not None:
        await responder(update, t.ya_valorado(r))
        return
    filas: list[list[tuple[str, str]]] = []
    for o in r.opciones:
        if not o.valida:
            continue
        accion = "d" if o.por_declaracion else "v"
        etiqueta = t.BOTON_DECLARADA if o.por_declaracion else o.valoracion.etiqueta
        filas.append(
            [
                (
                    etiqueta,
                    callbacks.dato(
                        callbacks.VALORACION, accion, asm_id, _VALORES.index(o.valoracion)
                    ),
                )
            ]
        )
    # The evidence, one tap away: /asm's download buttons.
    for ev_id, nombre in r.evidencias[-MAX_BOTONES_EVIDENCIA:]:
        filas.append(
            [(tp.boton_evidencia(nombre), callbacks.dato(callbacks.HISTORIAL, "ev", ev_id))]
        )
    filas.append(_cancelar())
    await responder(update, t.pida_valoracion(r, r.opciones, len(r.evidencias)), teclado(filas))


async def _elegir(
    update: Update, context: Contexto, persona: Persona, asm_id: int, valoracion: Valoracion,
    declarada: bool,
) -> None:  # fmt: skip
    q = update.callback_query
    assert q is not None
    if valoracion is Valoracion.ATENDIDO:
        await _registrar(update, context, persona, asm_id, valoracion, {})
        return
    ent = context.entorno
    paso = (
        PasoValoracion.INSTITUCION if valoracion is Valoracion.NO_APLICA else PasoValoracion.CAUSAS
    )

    def trabajo(s: Session) -> str | None:
        if not puede_valorar(s, persona, asm_id):
            return _rechazo(persona)
        try:  # the state is checked now, the texts once typed
            comprobar(
                s, asm_id, valoracion, ent.hoy(), ent.calendario,
                causas="-", institucion="-", declarada=declarada,
            )  # fmt: skip
        except ValoracionRechazada as ex:
            return str(ex)
        datos = {"asm_id": asm_id, "valoracion": valoracion.value, "declarada": declarada}
        borradores.guardar(s, persona.telegram_id, Paso(VALORACION, paso.value, datos))
        return None

    motivo = await en_bd(context, trabajo)
    if motivo is not None:
        await q.answer(alerta(motivo), show_alert=True)
        return
    await q.answer()
    await quitar_botones(update, valoracion.etiqueta)
    pregunta = t.PIDA_INSTITUCION if paso is PasoValoracion.INSTITUCION else t.PIDA_CAUSAS
    await responder(update, pregunta, teclado([_cancelar()]))


async def _registrar(
    update: Update, context: Contexto, persona: Persona, asm_id: int, valoracion: Valoracion,
    datos: dict[str, object],
) -> None:  # fmt: skip
    ent = context.entorno

    def trabajo(s: Session) -> ValoracionHecha:
        hecha = valorar(
            s, persona, asm_id, valoracion, ent.hoy(), ent.calendario,
            causas=str(datos.get("causas", "")), institucion=str(datos.get("institucion", "")),
            declarada=bool(datos.get("declarada", False)),
        )  # fmt: skip
        borradores.borrar(s, persona.telegram_id)
        aviso = t.aviso_valoracion(hecha)
        asunto = f"asm{asm_id}:v{hecha.version_id}"
        a_enlaces_y_contraloria(s, asm_id, "valoracion", asunto, aviso, ent.ahora())
        return hecha

    q = update.callback_query
    try:
        resultado = await en_bd(context, trabajo)
    except ValoracionRechazada as e:
        if q is not None:
            await q.answer(alerta(str(e)), show_alert=True)
        else:
            await responder(update, textos.e(str(e)))
        return
    if q is not None:
        await q.answer()
        await quitar_botones(update, valoracion.etiqueta)
    await responder(update, t.valoracion_registrada(resultado))
    await context.salida.repartir()


async def cmd_reabrir(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if persona.rol is not Rol.COORDINADOR:
        await responder(update, _rechazo(persona))
        return
    numero = numero_de(context)
    if numero is None:
        await responder(update, t.USO_REABRIR)
        return
    asm_id = await resolver_numero(update, context, persona, numero, callbacks.VALORACION)
    if asm_id is None:
        return
    ent = context.entorno

    def trabajo(s: Session) -> str | None:
        try:
            s_ = situacion(s, asm_id, ent.hoy(), ent.calendario)
        except ValoracionRechazada as ex:
            return textos.e(str(ex))
        if s_.asm.valoracion is None:
            return "Ese ASM no tiene valoración; no hay nada que reabrir."
        borradores.guardar(
            s,
            persona.telegram_id,
            Paso(VALORACION, PasoValoracion.MOTIVO.value, {"asm_id": asm_id}),
        )
        return None

    motivo = await en_bd(context, trabajo)
    await responder(update, motivo or t.PIDA_MOTIVO, None if motivo else teclado([_cancelar()]))


async def _reabrir(
    update: Update, context: Contexto, persona: Persona, asm_id: int, motivo: str
) -> None:
    ent = context.entorno

    def trabajo(s: Session) -> Reapertura:
        r = reabrir(s, persona, asm_id, motivo, ent.hoy(), ent.calendario)
        borradores.borrar(s, persona.telegram_id)
        aviso = t.aviso_reapertura(r)
        asunto = f"asm{asm_id}:r{r.version_id}"
        a_enlaces_y_contraloria(s, asm_id, "reapertura", asunto, aviso, ent.ahora())
        return r

    try:
        resultado = await en_bd(context, trabajo)
    except ValoracionRechazada as e:
        await responder(update, textos.e(str(e)))
        return
    await responder(update, t.reabierto(resultado))
    await context.salida.repartir()


async def texto(update: Update, context: Contexto, persona: Persona, paso: Paso) -> None:
    escrito = (update.message.text or "").strip()[:2000] if update.message else ""
    asm_id = int(paso.datos["asm_id"])
    if paso.paso == PasoValoracion.MOTIVO:
        if not escrito:
            await responder(update, t.PIDA_MOTIVO)
            return
        await _reabrir(update, context, persona, asm_id, escrito)
        return
    valoracion = Valoracion(paso.datos["valoracion"])
    if paso.paso == PasoValoracion.INSTITUCION:
        if not escrito:
            await responder(update, t.PIDA_INSTITUCION)
            return
        datos = {**paso.datos, "institucion": escrito}
        await en_bd(
            context,
            lambda s: borradores.guardar(
                s, persona.telegram_id, Paso(VALORACION, PasoValoracion.CAUSAS.value, datos)
            ),
        )
        await responder(update, t.PIDA_CAUSA_AJENA, teclado([_cancelar()]))
        return
    if not escrito:
        pregunta = t.PIDA_CAUSA_AJENA if valoracion is Valoracion.NO_APLICA else t.PIDA_CAUSAS
        await responder(update, pregunta)
        return
    await _registrar(
        update, context, persona, asm_id, valoracion, {**paso.datos, "causas": escrito}
    )


@boton(tp.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if b.accion in elegir.ACCIONES:
        await elegir.pulsar(update, context, persona, b, tb.PREGUNTA_VALORAR)
    elif b.accion == "no":
        await cancelar_con_boton(update, context, persona)
    elif b.valor is not None and b.accion == "a":
        await q.answer()
        await _mostrar(update, context, persona, b.valor)
    elif (
        b.valor is not None and b.accion in ("v", "d")
        and b.valor2 is not None and 0 <= b.valor2 < len(_VALORES)
    ):  # fmt: skip
        await _elegir(update, context, persona, b.valor, _VALORES[b.valor2], b.accion == "d")
    else:
        await q.answer(tp.BOTON_VENCIDO, show_alert=True)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("valorar", cmd_valorar))
    app.add_handler(CommandHandler("reabrir", cmd_reabrir))
    app.add_handler(CallbackQueryHandler(pulsar, pattern=f"^{callbacks.VALORACION}:"))
