"""/avance and /evidencia: the enlace's monthly report, step by step (diagram: avance.md).

Each step is saved in the database (bot.servicios.borradores) before the bot answers, so a restart
loses nothing and a report is stored only when the person presses «Confirmar».
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.dominio.periodos import nombre_mes, primer_dia_del_mes
from bot.dominio.reglas import admite_sin_evidencia, requiere_observaciones
from bot.dominio.texto import interpretar_porcentaje
from bot.mensajes import callbacks, textos
from bot.servicios import borradores, salida
from bot.servicios.borradores import Paso
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.evidencias import (
    AlmacenEvidencias,
    ArchivoEvidencia,
    detectar_tipo,
    motivo_rechazo,
)
from bot.servicios.seguimiento import (
    AvanceRechazado,
    Recibo,
    agregar_evidencias,
    autorizar_asm,
    estado_de,
    guardar_avance,
)
from bot.servicios.usuarios import Persona, destinatarios_copia
from handlers.base import (
    Contexto,
    en_bd,
    entorno,
    persona_o_aviso,
    quitar_botones,
    repartidor,
    responder,
    teclado,
)

log = logging.getLogger(__name__)

POR_PAGINA = 8
AVANCE, EVIDENCIA = "avance", "evidencia"
_PREFIJO = {AVANCE: callbacks.AVANCE, EVIDENCIA: callbacks.EVIDENCIA}

# Other conversations that take typed text or files register here by their draft's `flujo`;
# the catch-all handlers below hand them the message with the person and the step.
Continuacion = Callable[[Update, Contexto, Persona, Paso], Awaitable[None]]
TEXTO_DE: dict[str, Continuacion] = {}
ARCHIVO_DE: dict[str, Continuacion] = {}


# --- Starting: the list of the dependencia's ASM ---------------------------------------


async def cmd_avance(update: Update, context: Contexto) -> None:
    await _iniciar(update, context, AVANCE)


async def cmd_evidencia(update: Update, context: Contexto) -> None:
    await _iniciar(update, context, EVIDENCIA)


async def _iniciar(update: Update, context: Contexto, flujo: str) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    if not persona.es_enlace:
        await responder(update, textos.SOLO_ENLACES)
        return
    ent = entorno(context)
    hoy = ent.hoy()

    def trabajo(s: Session) -> tuple[list[EstadoAsm], Paso | None]:
        previo = borradores.leer(s, persona.telegram_id)
        asms = estado_actual(s, hoy, ent.calendario, dependencia_id=persona.dependencia_id)
        borradores.guardar(s, persona.telegram_id, Paso(flujo, "elegir", {"pagina": 0}))
        return asms, previo

    asms, previo = await en_bd(context, trabajo)
    if previo is not None and previo.datos.get("asm_id") is not None:
        await responder(
            update, textos.reporte_descartado(previo.datos["numero"], previo.datos["clave"])
        )
    if not asms:
        await en_bd(context, lambda s: borradores.borrar(s, persona.telegram_id))
        await responder(update, textos.SIN_ASM)
        return
    texto, botones = _lista(flujo, asms, 0, hoy)
    await responder(update, texto, botones)


def _lista(
    flujo: str, asms: list[EstadoAsm], pagina: int, hoy: Any
) -> tuple[str, InlineKeyboardMarkup]:
    mes = primer_dia_del_mes(hoy)
    prefijo = _PREFIJO[flujo]
    paginas = max(1, -(-len(asms) // POR_PAGINA))
    pagina = min(max(pagina, 0), paginas - 1)
    visibles = asms[pagina * POR_PAGINA : (pagina + 1) * POR_PAGINA]
    filas = [[(textos.boton_asm(a, mes), callbacks.dato(prefijo, "a", a.asm_id))] for a in visibles]
    navegacion = []
    if pagina > 0:
        navegacion.append((textos.BOTON_ANTERIOR, callbacks.dato(prefijo, "pg", pagina - 1)))
    if pagina < paginas - 1:
        navegacion.append((textos.BOTON_SIGUIENTE, callbacks.dato(prefijo, "pg", pagina + 1)))
    if navegacion:
        filas.append(navegacion)
    filas.append([(textos.BOTON_CANCELAR, callbacks.dato(prefijo, "no"))])
    if flujo == AVANCE:
        titulo = textos.ELIJA_ASM_AVANCE.format(mes=nombre_mes(mes))
    else:
        titulo = textos.ELIJA_ASM_EVIDENCIA
    if paginas > 1:
        titulo += f"\nPágina {pagina + 1} de {paginas}."
    return titulo, teclado(filas)


# --- Buttons ----------------------------------------------------------------------------


async def boton(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None:
        return
    persona = await persona_o_aviso(update, context)
    if persona is None:
        return
    b = callbacks.leer(q.data)
    if b is None:
        await q.answer(textos.BOTON_VENCIDO, show_alert=True)
        return
    if not persona.es_enlace:
        await q.answer(textos.SOLO_ENLACES, show_alert=True)
        return
    flujo = AVANCE if b.flujo == callbacks.AVANCE else EVIDENCIA
    if b.accion == "ini":  # the button of a reminder
        await q.answer()
        await _iniciar(update, context, flujo)
        return
    if b.accion == "a" and b.valor is not None:
        await _elegir_asm(update, context, persona, flujo, b.valor)
        return
    if b.accion == "no":
        await en_bd(context, lambda s: borradores.borrar(s, persona.telegram_id))
        await q.answer()
        await quitar_botones(update, textos.CANCELADO)
        return

    paso = await en_bd(context, lambda s: borradores.leer(s, persona.telegram_id))
    esperado = {"pg": "elegir", "p": "porcentaje", "omit": "observaciones", "listo": "evidencia",
                "sin": "evidencia", "ok": "confirmar", "fix": "confirmar"}.get(b.accion)  # fmt: skip
    if paso is None or paso.flujo != flujo or paso.paso != esperado:
        await q.answer(textos.BOTON_VENCIDO, show_alert=True)
        await quitar_botones(update)
        return
    if b.accion == "pg":
        await _pagina(update, context, persona, flujo, b.valor or 0)
    elif b.accion == "p" and b.valor is not None and 0 <= b.valor <= 100:
        await q.answer()
        await quitar_botones(update, f"{b.valor}%")
        await _fijar_porcentaje(update, context, persona, paso, b.valor)
    elif b.accion == "omit":
        if paso.datos.get("obligatorias"):
            await q.answer(textos.OBSERVACIONES_VACIAS, show_alert=True)
            return
        await q.answer()
        await quitar_botones(update, "Sin observaciones")
        await _fijar_observaciones(update, context, persona, paso, "")
    elif b.accion in ("listo", "sin"):
        await _terminar_evidencia(update, context, persona, paso, sin=b.accion == "sin")
    elif b.accion == "ok":
        await _confirmar(update, context, persona)
    elif b.accion == "fix":
        await q.answer()
        await quitar_botones(update, "Corregir")
        paso.paso = "porcentaje"
        paso.datos.pop("observaciones", None)
        await en_bd(context, lambda s: borradores.guardar(s, persona.telegram_id, paso))
        await _pedir_porcentaje(update, context, persona, paso.datos["asm_id"])
    else:
        await q.answer(textos.BOTON_VENCIDO, show_alert=True)


async def _pagina(
    update: Update, context: Contexto, persona: Persona, flujo: str, pagina: int
) -> None:
    ent = entorno(context)
    hoy = ent.hoy()
    asms = await en_bd(
        context,
        lambda s: estado_actual(s, hoy, ent.calendario, dependencia_id=persona.dependencia_id),
    )
    texto, botones = _lista(flujo, asms, pagina, hoy)
    q = update.callback_query
    assert q is not None
    await q.answer()
    await q.edit_message_text(texto, reply_markup=botones)


async def _elegir_asm(
    update: Update, context: Contexto, persona: Persona, flujo: str, asm_id: int
) -> None:
    q = update.callback_query
    assert q is not None
    ent = entorno(context)
    hoy = ent.hoy()

    def trabajo(s: Session) -> EstadoAsm | None:
        # The id came from a button: check it belongs to the person's dependencia (and log if not).
        if not autorizar_asm(s, persona, asm_id, flujo):
            return None
        estado = estado_de(s, asm_id, hoy, ent.calendario)
        if estado is None:
            return None
        datos = {
            "asm_id": asm_id,
            "numero": estado.numero,
            "clave": estado.programa_clave,
            "evidencias": [],
        }
        siguiente = "porcentaje" if flujo == AVANCE else "evidencia"
        borradores.guardar(s, persona.telegram_id, Paso(flujo, siguiente, datos))
        return estado

    estado = await en_bd(context, trabajo)
    if estado is None:
        await q.answer(textos.NO_AUTORIZADO, show_alert=True)
        return
    await q.answer()
    await quitar_botones(update, f"Eligió el ASM Núm. {estado.numero} · {estado.programa_clave}")
    if flujo == AVANCE:
        await _pedir_porcentaje(update, context, persona, asm_id, estado)
    else:
        await responder(
            update,
            f"{textos.estado_asm(estado, hoy)}\n\n{textos.PIDA_EVIDENCIA_SOLO}",
            _botones_evidencia(EVIDENCIA, con_sin=False),
        )


# --- Steps ------------------------------------------------------------------------------


async def _pedir_porcentaje(
    update: Update,
    context: Contexto,
    persona: Persona,
    asm_id: int,
    estado: EstadoAsm | None = None,
) -> None:
    ent = entorno(context)
    hoy = ent.hoy()
    if estado is None:
        estado = await en_bd(context, lambda s: estado_de(s, asm_id, hoy, ent.calendario))
        if estado is None:
            await responder(update, textos.BOTON_VENCIDO)
            return
    anterior = estado.avance or 0
    rapidos = sorted({anterior, min(100, anterior + 10), min(100, anterior + 25), 100})
    filas = [[(f"{p}%", callbacks.dato(callbacks.AVANCE, "p", p)) for p in rapidos]]
    filas.append([(textos.BOTON_CANCELAR, callbacks.dato(callbacks.AVANCE, "no"))])
    await responder(
        update,
        f"{textos.estado_asm(estado, hoy)}\n\n{textos.pida_porcentaje(estado.avance)}",
        teclado(filas),
    )


async def _fijar_porcentaje(
    update: Update, context: Contexto, persona: Persona, paso: Paso, porcentaje: int
) -> None:
    ent = entorno(context)
    hoy = ent.hoy()
    asm_id = int(paso.datos["asm_id"])

    def trabajo(s: Session) -> tuple[bool, str] | None:
        if not autorizar_asm(s, persona, asm_id, AVANCE):
            return None
        estado = estado_de(s, asm_id, hoy, ent.calendario)
        if estado is None:
            return None
        obligatorias = requiere_observaciones(porcentaje, estado.avance, estado.fecha_termino, hoy)
        baja = estado.avance is not None and porcentaje < estado.avance
        motivo = textos.MOTIVO_BAJA if baja else textos.MOTIVO_VENCIDA
        paso.datos.update(porcentaje=porcentaje, obligatorias=obligatorias)
        paso.paso = "observaciones"
        borradores.guardar(s, persona.telegram_id, paso)
        return obligatorias, motivo

    resultado = await en_bd(context, trabajo)
    if resultado is None:
        await responder(update, textos.NO_AUTORIZADO)
        return
    obligatorias, motivo = resultado
    filas = (
        [] if obligatorias else [[(textos.BOTON_OMITIR, callbacks.dato(callbacks.AVANCE, "omit"))]]
    )
    filas.append([(textos.BOTON_CANCELAR, callbacks.dato(callbacks.AVANCE, "no"))])
    await responder(update, textos.pida_observaciones(obligatorias, motivo), teclado(filas))


async def _fijar_observaciones(
    update: Update, context: Contexto, persona: Persona, paso: Paso, texto: str
) -> None:
    paso.datos["observaciones"] = texto
    paso.paso = "evidencia"
    await en_bd(context, lambda s: borradores.guardar(s, persona.telegram_id, paso))
    porcentaje = int(paso.datos["porcentaje"])
    ya = len(paso.datos.get("evidencias", []))
    nota = f"\nYa lleva {ya} archivo(s)." if ya else ""
    await responder(
        update,
        textos.pida_evidencia(porcentaje) + nota,
        _botones_evidencia(AVANCE, con_sin=admite_sin_evidencia(porcentaje) and not ya),
    )


def _botones_evidencia(flujo: str, *, con_sin: bool) -> InlineKeyboardMarkup:
    prefijo = _PREFIJO[flujo]
    fila = [(textos.BOTON_LISTO, callbacks.dato(prefijo, "listo"))]
    if con_sin:
        fila.append((textos.BOTON_SIN_EVIDENCIA, callbacks.dato(prefijo, "sin")))
    return teclado([fila, [(textos.BOTON_CANCELAR, callbacks.dato(prefijo, "no"))]])


async def _terminar_evidencia(
    update: Update, context: Contexto, persona: Persona, paso: Paso, *, sin: bool
) -> None:
    q = update.callback_query
    assert q is not None
    evidencias = paso.datos.get("evidencias", [])
    if paso.flujo == AVANCE and sin and not evidencias:
        if not admite_sin_evidencia(int(paso.datos["porcentaje"])):
            await q.answer(textos.CIEN_SIN_EVIDENCIA, show_alert=True)
            return
    elif not evidencias:
        await q.answer(textos.FALTA_EVIDENCIA, show_alert=True)
        return
    await q.answer()
    await quitar_botones(update)
    if paso.flujo == EVIDENCIA:
        await _guardar_solo_evidencia(update, context, persona, paso)
        return
    ent = entorno(context)
    hoy = ent.hoy()
    paso.paso = "confirmar"
    asm_id = int(paso.datos["asm_id"])

    def trabajo(s: Session) -> EstadoAsm | None:
        borradores.guardar(s, persona.telegram_id, paso)
        return estado_de(s, asm_id, hoy, ent.calendario)

    estado = await en_bd(context, trabajo)
    if estado is None:
        await responder(update, textos.BOTON_VENCIDO)
        return
    si, corregir, no = textos.BOTONES_CONFIRMAR
    archivos = [ArchivoEvidencia(**d) for d in evidencias]
    await responder(
        update,
        textos.resumen(estado, int(paso.datos["porcentaje"]), paso.datos.get("observaciones", ""), archivos, primer_dia_del_mes(hoy)),
        teclado([[(si, callbacks.dato(callbacks.AVANCE, "ok"))],
                 [(corregir, callbacks.dato(callbacks.AVANCE, "fix")), (no, callbacks.dato(callbacks.AVANCE, "no"))]]),
    )  # fmt: skip


async def _confirmar(update: Update, context: Contexto, persona: Persona) -> None:
    q = update.callback_query
    assert q is not None
    ent = entorno(context)
    hoy = ent.hoy()

    def trabajo(s: Session) -> Recibo | str:
        # Read again inside the transaction that saves: a second press finds nothing to save.
        paso = borradores.leer(s, persona.telegram_id)
        if paso is None or paso.paso != "confirmar":
            return textos.BOTON_VENCIDO
        evidencias = [ArchivoEvidencia(**d) for d in paso.datos.get("evidencias", [])]
        try:
            recibo = guardar_avance(
                s, persona, int(paso.datos["asm_id"]), int(paso.datos["porcentaje"]),
                str(paso.datos.get("observaciones", "")), evidencias, hoy, ent.calendario,
                clave=paso.datos.get("clave"),
            )  # fmt: skip
        except PermissionError:
            autorizar_asm(s, persona, int(paso.datos["asm_id"]), "confirmar")  # writes the refusal
            borradores.borrar(s, persona.telegram_id)
            return textos.NO_AUTORIZADO
        except AvanceRechazado as e:
            return textos.e(str(e))
        borradores.borrar(s, persona.telegram_id)
        # Art. 13: a copy of each delivery to the coordination and the Contraloría, through the
        # outbox in this same transaction, so a copy is never lost even if Telegram is down.
        copia = textos.copia_avance(recibo, persona.dependencia, persona.nombre)
        destinatarios = [d for d in destinatarios_copia(s) if d[1] != persona.telegram_id]
        salida.avisar(s, destinatarios, "copia", recibo.folio, copia, ent.ahora())
        return recibo

    resultado = await en_bd(context, trabajo)
    await q.answer()
    await quitar_botones(update)
    if isinstance(resultado, str):
        await responder(update, resultado)
        return
    await responder(update, textos.recibo(resultado))
    await repartidor(context).repartir()


async def _guardar_solo_evidencia(
    update: Update, context: Contexto, persona: Persona, paso: Paso
) -> None:
    asm_id = int(paso.datos["asm_id"])

    def trabajo(s: Session) -> tuple[int, int] | None:
        if not autorizar_asm(s, persona, asm_id, EVIDENCIA):
            return None
        evidencias = [ArchivoEvidencia(**d) for d in paso.datos.get("evidencias", [])]
        nuevas = agregar_evidencias(s, persona, asm_id, evidencias)
        borradores.borrar(s, persona.telegram_id)
        return nuevas, len(evidencias) - nuevas

    resultado = await en_bd(context, trabajo)
    if resultado is None:
        await responder(update, textos.NO_AUTORIZADO)
        return
    nuevas, repetidas = resultado
    await responder(
        update,
        textos.evidencias_guardadas(paso.datos["numero"], paso.datos["clave"], nuevas, repetidas),
    )


# --- Typed text and files ---------------------------------------------------------------


async def texto(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None or update.message is None:
        return
    paso = await en_bd(context, lambda s: borradores.leer(s, persona.telegram_id))
    if paso is not None and paso.flujo in TEXTO_DE:
        await TEXTO_DE[paso.flujo](update, context, persona, paso)
        return
    if paso is None or paso.flujo not in (AVANCE, EVIDENCIA):
        await responder(update, textos.NO_ENTENDI)
        return
    escrito = update.message.text or ""
    if paso.paso == "porcentaje":
        try:
            porcentaje = interpretar_porcentaje(escrito)
        except ValueError as e:
            await responder(update, textos.porcentaje_invalido(str(e)))
            return
        await _fijar_porcentaje(update, context, persona, paso, porcentaje)
    elif paso.paso == "observaciones":
        if not escrito.strip():
            await responder(update, textos.OBSERVACIONES_VACIAS)
            return
        await _fijar_observaciones(update, context, persona, paso, escrito.strip()[:2000])
    else:
        await responder(
            update,
            textos.donde_esta(
                paso.flujo, paso.paso, paso.datos.get("numero"), paso.datos.get("clave")
            ),
        )


async def archivo(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    mensaje = update.message
    if persona is None or mensaje is None:
        return
    paso = await en_bd(context, lambda s: borradores.leer(s, persona.telegram_id))
    if paso is not None and paso.flujo in ARCHIVO_DE:
        await ARCHIVO_DE[paso.flujo](update, context, persona, paso)
        return
    if paso is None or paso.paso != "evidencia":
        if paso is None or paso.flujo not in (AVANCE, EVIDENCIA):
            await responder(update, "Para enviar evidencia, primero escriba /avance o /evidencia.")
        else:
            await responder(
                update,
                textos.donde_esta(
                    paso.flujo, paso.paso, paso.datos.get("numero"), paso.datos.get("clave")
                ),
            )
        return

    ent = entorno(context)
    maximo = ent.settings.evidencia_max_bytes
    if mensaje.document is not None:
        adjunto: Any = mensaje.document
        nombre = mensaje.document.file_name or "documento"
    else:
        adjunto = max(mensaje.photo, key=lambda p: p.file_size or p.width * p.height)
        nombre = f"foto_{adjunto.file_unique_id}.jpg"
    if adjunto.file_size and adjunto.file_size > maximo:
        await responder(
            update,
            textos.evidencia_rechazada(motivo_rechazo(adjunto.file_size, None, maximo) or ""),
        )
        return
    await context.bot.send_chat_action(mensaje.chat_id, "upload_document")
    try:
        telegram_file = await context.bot.get_file(adjunto.file_id)
        contenido = bytes(await telegram_file.download_as_bytearray())
    except TelegramError as e:
        log.warning("descarga de evidencia fallida: %s", e)
        if "too big" in str(e).lower():
            await responder(
                update, textos.evidencia_rechazada(motivo_rechazo(maximo + 1, None, maximo) or "")
            )
        else:
            await responder(update, textos.EVIDENCIA_DESCARGA_FALLIDA)
        return
    motivo = motivo_rechazo(len(contenido), detectar_tipo(contenido), maximo)
    if motivo is not None:
        await responder(update, textos.evidencia_rechazada(motivo))
        return
    almacen = AlmacenEvidencias(ent.settings.data_dir)
    guardado = await asyncio.to_thread(
        almacen.guardar,
        contenido,
        nombre,
        file_id=adjunto.file_id,
        file_unique_id=adjunto.file_unique_id,
    )

    def anotar(s: Session) -> int | None:
        actual = borradores.leer(s, persona.telegram_id)
        if actual is None or actual.paso != "evidencia":
            return None
        lista = actual.datos.setdefault("evidencias", [])
        if any(d["sha256"] == guardado.sha256 for d in lista):
            return -1
        lista.append(guardado.como_dict())
        borradores.guardar(s, persona.telegram_id, actual)
        return len(lista)

    total = await en_bd(context, anotar)
    if total is None:
        await responder(update, textos.BOTON_VENCIDO)
    elif total < 0:
        await responder(update, textos.evidencia_repetida(nombre))
    else:
        await responder(
            update,
            textos.evidencia_recibida(guardado, total),
            _botones_evidencia(paso.flujo, con_sin=False),
        )


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("avance", cmd_avance))
    app.add_handler(CommandHandler("evidencia", cmd_evidencia))
    app.add_handler(
        CallbackQueryHandler(boton, pattern=f"^({callbacks.AVANCE}|{callbacks.EVIDENCIA}):")
    )
    app.add_handler(MessageHandler(filters.Document.ALL | filters.PHOTO, archivo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, texto))
