"""/avance and /evidencia: the enlace's monthly report, step by step (diagram: avance.md).

Each step is saved in the database (bot.servicios.flujo_avance on the person's draft) before the
bot answers, so a restart loses nothing and a report is stored only on «Confirmar». Which
handler takes typed text or a file at each step: ESCRITO and the table in handlers/__init__.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.periodos import nombre_mes, primer_dia_del_mes
from bot.dominio.reglas import admite_sin_evidencia
from bot.dominio.texto import interpretar_porcentaje, plural, por_ciento
from bot.mensajes import avance as mensajes
from bot.mensajes import callbacks, textos
from bot.mensajes.paginas import paginar
from bot.servicios import flujo_avance as servicio
from bot.servicios.borradores import BorradorAvance, Flujo, PasoAvance
from bot.servicios.consultas import EstadoAsm
from bot.servicios.evidencias import ArchivoEvidencia, nombre_libre
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
    leer_bd,
    mostrar_recibidos,
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
            "fix": PasoAvance.CONFIRMAR, "fxp": PasoAvance.CONFIRMAR, "fxo": PasoAvance.CONFIRMAR,
            "fxa": PasoAvance.CONFIRMAR, "fxq": PasoAvance.CONFIRMAR, "fxr": PasoAvance.CONFIRMAR,
            "sig": PasoAvance.ELEGIR, "fin": PasoAvance.ELEGIR, "todos": PasoAvance.PORCENTAJE,
            "rep": PasoAvance.ELEGIR}  # fmt: skip
# «Continuar» and «Descartar» (a report half done) are valid at any step.
_CORREGIR = ("fix", "fxp", "fxo", "fxa", "fxq", "fxr")


# --- Starting: the list of the dependencia's ASM ---------------------------------------


async def cmd_avance(update: Update, context: Contexto) -> None:
    await _iniciar(update, context, Flujo.AVANCE)


async def cmd_evidencia(update: Update, context: Contexto) -> None:
    await _iniciar(update, context, Flujo.EVIDENCIA)


async def _iniciar(
    update: Update, context: Contexto, flujo: Flujo, *, descartar: bool = False,
    todos: bool = False, hechos: int = 0,
) -> None:  # fmt: skip
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if not persona.es_enlace:
        await responder(update, textos.SOLO_ENLACES)
        return
    ent = context.entorno
    hoy = ent.hoy()
    inicio = await en_bd(
        context,
        lambda s: servicio.iniciar(
            s, persona, flujo, hoy, ent.calendario, descartar=descartar, todos=todos,
            hechos=hechos,
        ),
    )  # fmt: skip
    if inicio.a_medias is not None:
        await _preguntar_a_medias(update, inicio.a_medias, flujo)
        return
    if inicio.siguiente is not None:
        await _pedir_porcentaje(
            update, context, inicio.siguiente.asm_id, inicio.siguiente,
            corrida=(inicio.posicion, inicio.total),
        )  # fmt: skip
        return
    if not inicio.asms:
        await responder(update, textos.SIN_ASM)
        return
    texto, botones = _lista(flujo, inicio.asms, 0, hoy)
    await responder(update, texto, botones)


async def a_medias_primero(update: Update, context: Contexto, persona: Persona) -> bool:
    """Another conversation would replace a report half done: it is asked about first (True),
    and the other command is typed again after «Descartar»."""
    b = await leer_bd(context, lambda s: servicio.borrador_de(s, persona))
    if b is None or not b.a_medias:
        return False
    await _preguntar_a_medias(update, b, None)
    return True


async def _preguntar_a_medias(update: Update, b: BorradorAvance, flujo: Flujo | None) -> None:
    """`flujo`: the /avance or /evidencia a «Descartar» starts; None for another command."""
    if flujo is None:
        descartar = callbacks.dato(_PREFIJO[b.FLUJO], "desc", 1)
    else:
        descartar = callbacks.dato(_PREFIJO[flujo], "desc")
    await responder(
        update,
        mensajes.a_medias(b.numero, b.clave, b.porcentaje, len(b.evidencias)),
        teclado([[(mensajes.BOTON_CONTINUAR, callbacks.dato(_PREFIJO[b.FLUJO], "cont")),
                  (mensajes.BOTON_DESCARTAR, descartar)]]),
    )  # fmt: skip


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
        previo = await leer_bd(context, lambda s: servicio.borrador_de(s, persona))
        if previo is not None and previo.a_medias:  # an old list's button: ask, never replace
            await q.answer()
            await _preguntar_a_medias(update, previo, flujo)
            return
        await _elegir_asm(update, context, persona, flujo, b.valor)
        return
    if b.accion == "no":
        await cancelar_con_boton(update, context, persona)
        return
    if b.accion == "desc":
        await q.answer()
        await quitar_botones(update, mensajes.DESCARTADO)
        if b.valor == 1:  # asked by another command: it is typed again
            await en_bd(context, lambda s: servicio.terminar(s, persona))
            await responder(update, mensajes.DESCARTADO_OTRO)
        else:
            await _iniciar(update, context, flujo, descartar=True)
        return

    borrador = await leer_bd(context, lambda s: servicio.borrador_de(s, persona))
    if b.accion == "cont" and borrador is not None and borrador.FLUJO is flujo:
        await q.answer()
        await quitar_botones(update, mensajes.BOTON_CONTINUAR)
        await _reanudar(update, context, persona, borrador)
        return
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
    elif b.accion == "sig":
        await q.answer()
        await quitar_botones(update)
        await _iniciar(update, context, flujo, hechos=borrador.hechos)
    elif b.accion == "fin":
        await q.answer()
        await quitar_botones(update)
        await en_bd(context, lambda s: servicio.terminar(s, persona))
        await responder(update, mensajes.TERMINADO)
    elif b.accion == "todos":
        await q.answer()
        await quitar_botones(update, mensajes.BOTON_VER_TODOS)
        await _iniciar(update, context, flujo, todos=True, hechos=borrador.hechos)
    elif b.accion == "rep" and b.valor is not None:
        await _elegir_asm(update, context, persona, flujo, b.valor, corregir=True)
    elif b.accion in _CORREGIR:
        await q.answer()
        await _corregir(update, context, persona, borrador, b)
    else:
        await q.answer(textos.BOTON_VENCIDO, show_alert=True)


async def _pagina(
    update: Update, context: Contexto, persona: Persona, flujo: Flujo, pagina: int
) -> None:
    ent = context.entorno
    hoy = ent.hoy()
    asms = await leer_bd(
        context, lambda s: servicio.asm_del_enlace(s, persona, hoy, ent.calendario)
    )
    texto, botones = _lista(flujo, asms, pagina, hoy)
    q = update.callback_query
    assert q is not None
    await q.answer()
    await q.edit_message_text(texto, reply_markup=botones)


async def _elegir_asm(
    update: Update, context: Contexto, persona: Persona, flujo: Flujo, asm_id: int, *,
    corregir: bool = False,
) -> None:  # fmt: skip
    q = update.callback_query
    assert q is not None
    ent = context.entorno
    hoy = ent.hoy()
    mes = primer_dia_del_mes(hoy)
    estado = await en_bd(
        context, lambda s: servicio.elegir_asm(s, persona, flujo, asm_id, hoy, ent.calendario)
    )
    await q.answer()
    if flujo is Flujo.AVANCE and estado.reportado_en(mes) and not corregir:
        # One report a month (Anexo A, i): a second one corrects the first, under its folio.
        await en_bd(context, lambda s: servicio.volver_a_lista(s, persona))
        await quitar_botones(update, textos.asm_elegido(estado.numero, estado.programa_clave))
        await responder(
            update,
            mensajes.ya_informado(estado.numero, estado.programa_clave, estado.avance, mes),
            teclado([[(mensajes.BOTON_CORREGIR_REPORTE, callbacks.dato(callbacks.AVANCE, "rep", asm_id)),
                      (textos.BOTON_CANCELAR, callbacks.dato(callbacks.AVANCE, "no"))]]),
        )  # fmt: skip
        return
    await quitar_botones(update, textos.asm_elegido(estado.numero, estado.programa_clave))
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
    update: Update, context: Contexto, asm_id: int, estado: EstadoAsm | None = None, *,
    corrida: tuple[int, int] | None = None, corrigiendo: bool = False,
) -> None:  # fmt: skip
    ent = context.entorno
    hoy = ent.hoy()
    if estado is None:
        estado = await leer_bd(context, lambda s: estado_de(s, asm_id, hoy, ent.calendario))
        if estado is None:
            await responder(update, textos.BOTON_VENCIDO)
            return
    anterior = estado.avance or 0
    rapidos = sorted({anterior, min(100, anterior + 10), min(100, anterior + 25), 100})
    filas = [[(por_ciento(p), callbacks.dato(callbacks.AVANCE, "p", p)) for p in rapidos]]
    ultima = [(textos.BOTON_CANCELAR, callbacks.dato(callbacks.AVANCE, "no"))]
    if not corrigiendo:
        ultima.insert(0, (mensajes.BOTON_VER_TODOS, callbacks.dato(callbacks.AVANCE, "todos")))
    filas.append(ultima)
    cabeza = "" if corrida is None else mensajes.pendiente(*corrida, primer_dia_del_mes(hoy)) + "\n"
    await responder(
        update,
        f"{cabeza}{textos.estado_asm(estado, hoy)}\n\n{textos.pida_porcentaje(estado.avance)}",
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
    if borrador.corrigiendo and not (obligatorias and not borrador.observaciones):
        await _mostrar_resumen(update, context, persona, borrador)
        return
    motivo = textos.MOTIVO_BAJA if baja else textos.MOTIVO_VENCIDA
    await _pedir_observaciones(update, borrador, textos.pida_observaciones(obligatorias, motivo))


async def _pedir_observaciones(update: Update, borrador: BorradorAvance, texto: str) -> None:
    filas = (
        []
        if borrador.obligatorias
        else [[(textos.BOTON_OMITIR, callbacks.dato(callbacks.AVANCE, "omit"))]]
    )
    filas.append([(textos.BOTON_CANCELAR, callbacks.dato(callbacks.AVANCE, "no"))])
    await responder(update, texto, teclado(filas))


async def _fijar_observaciones(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance, texto: str
) -> None:
    borrador.observaciones, borrador.paso = texto, PasoAvance.EVIDENCIA
    if borrador.corrigiendo:
        await _mostrar_resumen(update, context, persona, borrador)
        return
    await en_bd(context, lambda s: servicio.guardar_paso(s, persona, borrador))
    await _pedir_evidencia(update, borrador)


async def _pedir_evidencia(update: Update, borrador: BorradorAvance) -> None:
    ya = len(borrador.evidencias)
    nota = f"\nYa lleva {plural(ya, 'archivo')}." if ya else ""
    if borrador.FLUJO is Flujo.EVIDENCIA:
        await responder(
            update,
            textos.PIDA_EVIDENCIA_SOLO + nota,
            _botones_evidencia(Flujo.EVIDENCIA, con_sin=False),
        )
        return
    porcentaje = int(borrador.porcentaje or 0)
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
    await _mostrar_resumen(update, context, persona, borrador)


async def _mostrar_resumen(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance
) -> None:
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


async def _corregir(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance,
    b: callbacks.Boton,
) -> None:  # fmt: skip
    """«Corregir» at the summary: the person picks what to change; the rest is kept."""

    def dato(accion: str, valor: int | None = None) -> str:
        return callbacks.dato(callbacks.AVANCE, accion, valor)

    if b.accion == "fix":
        await quitar_botones(update, textos.BOTONES_CONFIRMAR[1])
        filas = [
            [(mensajes.BOTON_CORREGIR_PORCENTAJE, dato("fxp")),
             (mensajes.BOTON_CORREGIR_OBSERVACIONES, dato("fxo"))],
            [(mensajes.BOTON_AGREGAR_ARCHIVO, dato("fxa"))],
            *([(mensajes.boton_quitar(d["nombre"]), dato("fxq", i))]
              for i, d in enumerate(borrador.evidencias)),
            [(mensajes.BOTON_VOLVER_RESUMEN, dato("fxr"))],
        ]  # fmt: skip
        await responder(update, mensajes.QUE_CORREGIR, teclado(filas))
        return
    await quitar_botones(update)
    assert borrador.asm_id is not None
    borrador.corrigiendo = True
    if b.accion == "fxp":
        borrador.paso = PasoAvance.PORCENTAJE
        await en_bd(context, lambda s: servicio.guardar_paso(s, persona, borrador))
        await _pedir_porcentaje(update, context, borrador.asm_id, corrigiendo=True)
    elif b.accion == "fxo":
        borrador.paso = PasoAvance.OBSERVACIONES
        await en_bd(context, lambda s: servicio.guardar_paso(s, persona, borrador))
        texto = mensajes.pida_observaciones(borrador.obligatorias, borrador.observaciones)
        await _pedir_observaciones(update, borrador, texto)
    elif b.accion == "fxa":
        borrador.paso = PasoAvance.EVIDENCIA
        await en_bd(context, lambda s: servicio.guardar_paso(s, persona, borrador))
        await _pedir_evidencia(update, borrador)
    else:  # fxq (quitar un archivo) or fxr (volver)
        if b.accion == "fxq" and b.valor is not None and b.valor < len(borrador.evidencias):
            del borrador.evidencias[b.valor]
        await _mostrar_resumen(update, context, persona, borrador)


async def _reanudar(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance
) -> None:
    """«Continuar»: the step the person was at, hours later or after a restart, as it was."""
    assert borrador.asm_id is not None
    if borrador.paso is PasoAvance.PORCENTAJE:
        await _pedir_porcentaje(update, context, borrador.asm_id, corrigiendo=borrador.corrigiendo)
    elif borrador.paso is PasoAvance.OBSERVACIONES:
        await _pedir_observaciones(
            update, borrador, mensajes.pida_observaciones(borrador.obligatorias, None)
        )
    elif borrador.paso is PasoAvance.EVIDENCIA:
        await _pedir_evidencia(update, borrador)
    else:
        await _mostrar_resumen(update, context, persona, borrador)


async def _confirmar(update: Update, context: Contexto, persona: Persona) -> None:
    q = update.callback_query
    assert q is not None
    ent = context.entorno
    hoy, avisos = ent.hoy(), context.avisos()
    try:
        hecho = await en_bd(
            context, lambda s: servicio.confirmar(s, persona, hoy, ent.calendario, avisos)
        )
    except Rechazado as e:
        await q.answer()
        await quitar_botones(update)
        await responder(update, texto_de(e, textos.BOTON_VENCIDO))
        return
    await q.answer()
    await quitar_botones(update)
    recibo = hecho.recibo
    siguiente = None
    if hecho.siguiente:
        siguiente = teclado([
            [(mensajes.boton_siguiente(hecho.siguiente, hecho.total), callbacks.dato(callbacks.AVANCE, "sig"))],
            [(mensajes.BOTON_TERMINAR, callbacks.dato(callbacks.AVANCE, "fin"))],
        ])  # fmt: skip
    await responder(update, textos.recibo(recibo), siguiente)
    await context.salida.repartir()
    await oficio.tras_confirmar(update, context, persona, recibo)  # the month's oficio, if complete


async def _guardar_solo_evidencia(
    update: Update, context: Contexto, persona: Persona, borrador: BorradorAvance
) -> None:
    try:
        ahora = context.entorno.ahora()
        nuevas, repetidas = await en_bd(
            context, lambda s: servicio.guardar_evidencias(s, persona, borrador, ahora)
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
    recibido = guardado.nombre  # two photos of one minute get «(2)» in the list
    guardado = replace(
        guardado, nombre=nombre_libre(recibido, {d["nombre"] for d in borrador.evidencias})
    )
    try:
        await en_bd(context, lambda s: servicio.anotar_evidencia(s, persona, guardado))
    except EvidenciaRepetida:
        await responder(update, textos.evidencia_repetida(recibido))
        return
    except BotonVencido:
        await responder(update, textos.BOTON_VENCIDO)
        return
    lista = [ArchivoEvidencia(**d) for d in borrador.evidencias] + [guardado]
    await mostrar_recibidos(
        update,
        textos.evidencias_recibidas(lista),
        _botones_evidencia(borrador.FLUJO, con_sin=False),
    )


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("avance", cmd_avance))
    app.add_handler(CommandHandler("evidencia", cmd_evidencia))
    app.add_handler(
        CallbackQueryHandler(pulsar, pattern=f"^({callbacks.AVANCE}|{callbacks.EVIDENCIA}):")
    )
