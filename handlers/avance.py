"""/avance and /evidencia: the enlace's monthly report, step by step (diagram: avance.md).

Each step is saved in the database (bot.servicios.flujo_avance on the person's draft) before the
bot answers, so a restart loses nothing and a report is stored only on «Confirmar». Which
handler takes typed text or a file at each step: ESCRITO and the table in handlers/__init__.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.periodos import nombre_mes, primer_dia_del_mes
from bot.dominio.reglas import admite_sin_evidencia
from bot.dominio.texto import interpretar_porcentaje, plural, por_ciento
from bot.mensajes import callbacks, textos
from bot.mensajes.paginas import paginar
from bot.servicios import flujo_avance as servicio
from bot.servicios.borradores import BorradorAvance, Flujo, PasoAvance
from bot.servicios.consultas import EstadoAsm
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.flujo_avance import EvidenciaRepetida
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.seguimiento import estado_de
from bot.servicios.usuarios import Persona
from handlers import oficio
from handlers.base import (
    Contexto,
    boton,
    cancelar_con_boton,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    recibir_evidencia,
    responder,
    teclado,
    texto_de,
)

_PREFIJO = {Flujo.AVANCE: callbacks.AVANCE, Flujo.EVIDENCIA: callbacks.EVIDENCIA}
# The step a button belongs to: a press from another step is stale.
_PASO_DE = {"pg": PasoAvance.ELEGIR, "p": PasoAvance.PORCENTAJE, "omit": PasoAvance.OBSERVACIONES,
            "listo": PasoAvance.EVIDENCIA, "sin": PasoAvance.EVIDENCIA, "ok": PasoAvance.CONFIRMAR,
            "fix": PasoAvance.CONFIRMAR}  # fmt: skip


# --- Starting: the list of the dependencia's ASM ---------------------------------------


async def cmd_avance(update: Update, context: Contexto) -> None:
    await _iniciar(update, context, Flujo.AVANCE)


async def cmd_evidencia(update: Update, context: Contexto) -> None:
    await _iniciar(update, context, Flujo.EVIDENCIA)


async def _iniciar(update: Update, context: Contexto, flujo: Flujo) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if not persona.es_enlace:
        await responder(update, textos.SOLO_ENLACES)
        return
    ent = context.entorno
    hoy = ent.hoy()
    asms, previo = await en_bd(
        context, lambda s: servicio.iniciar(s, persona, flujo, hoy, ent.calendario)
    )
    if previo is not None and previo.datos.get("asm_id") is not None:
        await responder(
            update, textos.reporte_descartado(previo.datos["numero"], previo.datos["clave"])
        )
    if not asms:
        await responder(update, textos.SIN_ASM)
        return
    texto, botones = _lista(flujo, asms, 0, hoy)
    await responder(update, texto, botones)


def _lista(
    flujo: Flujo, asms: list[EstadoAsm], pagina: int, hoy: date
) -> tuple[str, InlineKeyboardMarkup]:
    mes = primer_dia_del_mes(hoy)
    prefijo = _PREFIJO[flujo]
    pg = paginar(asms, pagina, lambda n: callbacks.dato(prefijo, "pg", n))
    filas = [
        [(textos.boton_asm(a, mes), callbacks.dato(prefijo, "a", a.asm_id))] for a in pg.visibles
    ]
    if pg.navegacion:
        filas.append(pg.navegacion)
    filas.append([(textos.BOTON_CANCELAR, callbacks.dato(prefijo, "no"))])
    if flujo is Flujo.AVANCE:
        titulo = textos.ELIJA_ASM_AVANCE.format(mes=nombre_mes(mes))
    else:
        titulo = textos.ELIJA_ASM_EVIDENCIA
    if pg.nota:
        titulo += f"\n{pg.nota}"
    return titulo, teclado(filas)


# --- Buttons ----------------------------------------------------------------------------


@boton(textos.BOTON_VENCIDO)
async def pulsar(update: Update, context: Contexto, persona: Persona, b: callbacks.Boton) -> None:
    q = update.callback_query
    assert q is not None
    if not persona.es_enlace:
        await q.answer(textos.SOLO_ENLACES, show_alert=True)
        return
    flujo = Flujo.AVANCE if b.flujo == callbacks.AVANCE else Flujo.EVIDENCIA
    if b.accion == "ini":  # the button of a reminder
        await q.answer()
        await _iniciar(update, context, flujo)
        return
    if b.accion == "a" and b.valor is not None:
        await _elegir_asm(update, context, persona, flujo, b.valor)
        return
    if b.accion == "no":
        await cancelar_con_boton(update, context, persona)
        return

    borrador = await en_bd(context, lambda s: servicio.borrador_de(s, persona))
    if (
        borrador is None
        or borrador.FLUJO is not flujo
        or borrador.paso is not _PASO_DE.get(b.accion)
    ):
        await q.answer(textos.BOTON_VENCIDO, show_alert=True)
        await quitar_botones(update)
        return
    if b.accion == "pg":
        await _pagina(update, context, persona, flujo, b.valor or 0)
    elif b.accion == "p" and b.valor is not None and 0 <= b.valor <= 100:
        await q.answer()
        await quitar_botones(update, por_ciento(b.valor))
        await _fijar_porcentaje(update, context, persona, borrador, b.valor)
    elif b.accion == "omit":
        if borrador.obligatorias:
            await q.answer(textos.OBSERVACIONES_VACIAS, show_alert=True)
            return
        await q.answer()
        await quitar_botones(update, "Sin observaciones")
        await _fijar_observaciones(update, context, persona, borrador, "")
    elif b.accion in ("listo", "sin"):
        await _terminar_evidencia(update, context, persona, borrador, sin=b.accion == "sin")
    elif b.accion == "ok":
        await _confirmar(update, context, persona)
    elif b.accion == "fix":
        await q.answer()
        await quitar_botones(update, "Corregir")
        borrador.paso, borrador.observaciones = PasoAvance.PORCENTAJE, None
        await en_bd(context, lambda s: servicio.guardar_paso(s, persona, borrador))
        assert borrador.asm_id is not None
        await _pedir_porcentaje(update, context, borrador.asm_id)
    else:
        await q.answer(textos.BOTON_VENCIDO, show_alert=True)


async def _pagina(
    update: Update, context: Contexto, persona: Persona, flujo: Flujo, pagina: int
) -> None:
    ent = context.entorno
    hoy = ent.hoy()
    asms = await en_bd(context, lambda s: servicio.asm_del_enlace(s, persona, hoy, ent.calendario))
    texto, botones = _lista(flujo, asms, pagina, hoy)
    q = update.callback_query
    assert q is not None
    await q.answer()
    await q.edit_message_text(texto, reply_markup=botones)


async def _elegir_asm(
    update: Update, context: Contexto, persona: Persona, flujo: Flujo, asm_id: int
) -> None:
    q = update.callback_query
    assert q is not None
    ent = context.entorno
    hoy = ent.hoy()
    estado = await en_bd(
        context, lambda s: servicio.elegir_asm(s, persona, flujo, asm_id, hoy, ent.calendario)
    )
    await q.answer()
    await quitar_botones(update, f"Eligió el ASM Núm. {estado.numero} · {estado.programa_clave}")
    if flujo is Flujo.AVANCE:
        await _pedir_porcentaje(update, context, asm_id, estado)
    else:
        await responder(
            update,
            f"{textos.estado_asm(estado, hoy)}\n\n{textos.PIDA_EVIDENCIA_SOLO}",
            _botones_evidencia(Flujo.EVIDENCIA, con_sin=False),
        )


# --- Steps ------------------------------------------------------------------------------


async def _pedir_porcentaje(
    update: Update, context: Contexto, asm_id: int, estado: EstadoAsm | None = None
) -> None:
    ent = context.entorno
    hoy = ent.hoy()
    if estado is None:
        estado = await en_bd(context, lambda s: estado_de(s, asm_id, hoy, ent.calendario))
        if estado is None:
            await responder(update, textos.BOTON_VENCIDO)
            return
    anterior = estado.avance or 0
    rapidos = sorted({anterior, min(100, anterior + 10), min(100, anterior + 25), 100})
    filas = [[(por_ciento(p), callbacks.dato(callbacks.AVANCE, "p", p)) for p in rapidos]]
    filas.append([(textos.BOTON_CANCELAR, callbacks.dato(callbacks.AVANCE, "no"))])
    await responder(
        update,
        f"{textos.estado_asm(estado, hoy)}\n\n{textos.pida_porcentaje(estado.avance)}",
        teclado(filas),
    )


async def _fijar_porcentaje(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance, porcentaje: int
) -> None:
    ent = context.entorno
    hoy = ent.hoy()
    try:
        obligatorias, baja = await en_bd(
            context,
            lambda s: servicio.fijar_porcentaje(
                s, persona, borrador, porcentaje, hoy, ent.calendario
            ),
        )
    except Rechazado:
        await responder(update, textos.NO_AUTORIZADO)
        return
    motivo = textos.MOTIVO_BAJA if baja else textos.MOTIVO_VENCIDA
    filas = (
        [] if obligatorias else [[(textos.BOTON_OMITIR, callbacks.dato(callbacks.AVANCE, "omit"))]]
    )
    filas.append([(textos.BOTON_CANCELAR, callbacks.dato(callbacks.AVANCE, "no"))])
    await responder(update, textos.pida_observaciones(obligatorias, motivo), teclado(filas))


async def _fijar_observaciones(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance, texto: str
) -> None:
    borrador.observaciones, borrador.paso = texto, PasoAvance.EVIDENCIA
    await en_bd(context, lambda s: servicio.guardar_paso(s, persona, borrador))
    porcentaje = int(borrador.porcentaje or 0)
    ya = len(borrador.evidencias)
    nota = f"\nYa lleva {plural(ya, 'archivo')}." if ya else ""
    await responder(
        update,
        textos.pida_evidencia(porcentaje) + nota,
        _botones_evidencia(Flujo.AVANCE, con_sin=admite_sin_evidencia(porcentaje) and not ya),
    )


def _botones_evidencia(flujo: Flujo, *, con_sin: bool) -> InlineKeyboardMarkup:
    prefijo = _PREFIJO[flujo]
    fila = [(textos.BOTON_LISTO, callbacks.dato(prefijo, "listo"))]
    if con_sin:
        fila.append((textos.BOTON_SIN_EVIDENCIA, callbacks.dato(prefijo, "sin")))
    return teclado([fila, [(textos.BOTON_CANCELAR, callbacks.dato(prefijo, "no"))]])


async def _terminar_evidencia(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance, *, sin: bool
) -> None:
    q = update.callback_query
    assert q is not None
    if borrador.FLUJO is Flujo.AVANCE and sin and not borrador.evidencias:
        if not admite_sin_evidencia(int(borrador.porcentaje or 0)):
            await q.answer(textos.CIEN_SIN_EVIDENCIA, show_alert=True)
            return
    elif not borrador.evidencias:
        await q.answer(textos.FALTA_EVIDENCIA, show_alert=True)
        return
    await q.answer()
    await quitar_botones(update)
    if borrador.FLUJO is Flujo.EVIDENCIA:
        await _guardar_solo_evidencia(update, context, persona, borrador)
        return
    ent = context.entorno
    hoy = ent.hoy()
    try:
        estado = await en_bd(
            context, lambda s: servicio.a_confirmar(s, persona, borrador, hoy, ent.calendario)
        )
    except BotonVencido:
        await responder(update, textos.BOTON_VENCIDO)
        return
    si, corregir, no = textos.BOTONES_CONFIRMAR
    archivos = [ArchivoEvidencia(**d) for d in borrador.evidencias]
    await responder(
        update,
        textos.resumen(estado, int(borrador.porcentaje or 0), borrador.observaciones or "", archivos, primer_dia_del_mes(hoy)),
        teclado([[(si, callbacks.dato(callbacks.AVANCE, "ok"))],
                 [(corregir, callbacks.dato(callbacks.AVANCE, "fix")), (no, callbacks.dato(callbacks.AVANCE, "no"))]]),
    )  # fmt: skip


async def _confirmar(update: Update, context: Contexto, persona: Persona) -> None:
    q = update.callback_query
    assert q is not None
    ent = context.entorno
    hoy, avisos = ent.hoy(), context.avisos()
    try:
        recibo = await en_bd(
            context, lambda s: servicio.confirmar(s, persona, hoy, ent.calendario, avisos)
        )
    except Rechazado as e:
        await q.answer()
        await quitar_botones(update)
        await responder(update, texto_de(e, textos.BOTON_VENCIDO))
        return
    await q.answer()
    await quitar_botones(update)
    await responder(update, textos.recibo(recibo))
    await context.salida.repartir()
    await oficio.tras_confirmar(update, context, persona, recibo)  # the month's oficio, if complete


async def _guardar_solo_evidencia(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance
) -> None:
    try:
        nuevas, repetidas = await en_bd(
            context, lambda s: servicio.guardar_evidencias(s, persona, borrador)
        )
    except Rechazado:
        await responder(update, textos.NO_AUTORIZADO)
        return
    await responder(
        update,
        textos.evidencias_guardadas(borrador.numero or 0, borrador.clave or "", nuevas, repetidas),
    )


# --- Typed text and files (routed here by handlers/__init__.py) ----------------------------


def _donde_esta(borrador: BorradorAvance) -> str:
    return textos.donde_esta(
        borrador.FLUJO.value, borrador.paso.value, borrador.numero, borrador.clave
    )


async def _texto_porcentaje(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance, escrito: str
) -> None:
    try:
        porcentaje = interpretar_porcentaje(escrito)
    except ValueError as e:
        await responder(update, textos.porcentaje_invalido(str(e)))
        return
    await _fijar_porcentaje(update, context, persona, borrador, porcentaje)


async def _texto_observaciones(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance, escrito: str
) -> None:
    if not escrito.strip():
        await responder(update, textos.OBSERVACIONES_VACIAS)
        return
    await _fijar_observaciones(update, context, persona, borrador, escrito.strip()[:2000])


# The steps that take typed text; at any other the person is told where they are.
ESCRITO: dict[PasoAvance, Callable[[Update, Contexto, Persona, BorradorAvance, str], Awaitable[None]]] = {
    PasoAvance.PORCENTAJE: _texto_porcentaje,
    PasoAvance.OBSERVACIONES: _texto_observaciones,
}  # fmt: skip


async def texto(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance
) -> None:
    escrito = update.message.text if update.message is not None else None
    paso = ESCRITO.get(borrador.paso)
    if paso is None:
        await responder(update, _donde_esta(borrador))
        return
    await paso(update, context, persona, borrador, escrito or "")


async def archivo(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance
) -> None:
    """A file at the evidence step (documents and photos)."""
    if borrador.paso is not PasoAvance.EVIDENCIA:
        await responder(update, _donde_esta(borrador))
        return
    guardado = await recibir_evidencia(
        update, context, descarga_fallida=textos.EVIDENCIA_DESCARGA_FALLIDA,
        nombre_por_omision="documento",
    )  # fmt: skip
    if guardado is None:
        return
    try:
        total = await en_bd(context, lambda s: servicio.anotar_evidencia(s, persona, guardado))
    except EvidenciaRepetida:
        await responder(update, textos.evidencia_repetida(guardado.nombre))
        return
    except BotonVencido:
        await responder(update, textos.BOTON_VENCIDO)
        return
    await responder(
        update,
        textos.evidencia_recibida(guardado, total),
        _botones_evidencia(borrador.FLUJO, con_sin=False),
    )


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("avance", cmd_avance))
    app.add_handler(CommandHandler("evidencia", cmd_evidencia))
    app.add_handler(
        CallbackQueryHandler(pulsar, pattern=f"^({callbacks.AVANCE}|{callbacks.EVIDENCIA}):")
    )
