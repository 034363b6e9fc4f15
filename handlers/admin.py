"""The coordination's administration from the chat (diagram: admin.md).

- An Anexo A (.xlsx) sent by a coordinador (routed here by handlers/__init__.py): a preview of
  what it would create or change, and the import on «Confirmar» (im1:ok:<marca>; im1:no:<marca>
  cancels). The pending import is a draft and the file is kept by content, so a restart in
  between loses nothing (bot.servicios.flujo_importar).
- /invitar: the role (us1:ie, us1:ic, us1:ix), for an enlace its dependencia (us1:id:<id>, pages
  us1:ipg:<n>), and the deep link, as text and as a QR to forward. `/invitar <siglas or words>`
  goes straight to the enlace of the dependencia it names, or offers the candidates
  (handlers/elegir.py; pages us1:bpg:<n>).
- /usuarios: who is registered, by dependencia; deactivating someone (us1:des:<id>, then
  us1:dok:<id> or us1:dno; pages us1:upg:<n>).

Only coordinadores may do any of this (bot.servicios.permisos.exigir_coordinador); every press
re-checks the role and the ids it carries.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.dominio.vocabulario import Rol
from bot.mensajes import admin as tx
from bot.mensajes import callbacks
from bot.mensajes.paginas import paginar
from bot.servicios import flujo_importar, usuarios
from bot.servicios.flujo_importar import ArchivoPerdido
from bot.servicios.importacion import ImportacionFallida
from bot.servicios.importacion_vista import MAX_BYTES
from bot.servicios.invitaciones import invitar
from bot.servicios.permisos import AccesoDenegado, exigir_coordinador
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.usuarios import Dep, NoASiMismo, Persona, Registrado
from handlers import elegir
from handlers.base import (
    Contexto,
    boton,
    editar_en_sitio,
    en_bd,
    persona_o_aviso,
    quitar_botones,
    rechazar,
    recibir_archivo,
    responder,
    teclado,
)

IM, US = callbacks.IMPORTAR, callbacks.USUARIOS


# --- Who may ------------------------------------------------------------------------------


async def _coordinador(update: Update, context: Contexto, persona: Persona) -> bool:
    """Whether the person is a coordinador; anybody else is told no (a press is audited)."""
    q = update.callback_query
    dato = (q.data or "") if q is not None else None
    try:
        await en_bd(context, lambda s: exigir_coordinador(s, persona, dato))
    except AccesoDenegado:
        if q is not None:
            await q.answer(tx.SOLO_COORDINACION, show_alert=True)
        else:
            await responder(update, tx.SOLO_COORDINACION)
        return False
    return True


async def _sin_botones(update: Update, nota: str | None = None) -> None:
    """`quitar_botones`, unless the message has none left (a repeated or forged press):
    Telegram refuses an edit that changes nothing."""
    q = update.callback_query
    if q is not None and getattr(q.message, "reply_markup", None) is not None:
        await quitar_botones(update, nota)


# --- An Anexo A sent to the bot ---------------------------------------------------------


async def documento(update: Update, context: Contexto, persona: Persona) -> None:
    """A coordinador's Anexo A (.xlsx, .xlsm, .xls, .ods or .csv): the preview, with «Confirmar» when it may be imported."""
    recibido = await recibir_archivo(
        update, context, maximo=MAX_BYTES, descarga_fallida=tx.DESCARGA_FALLIDA,
        muy_grande=lambda _n: tx.muy_grande(MAX_BYTES // (1024 * 1024)),
        nombre_por_omision="anexo.xlsx", accion=ChatAction.TYPING,
    )  # fmt: skip
    if recibido is None:
        return
    ent, nombre = context.entorno, recibido.nombre
    # Reading and a dry run of a large file take a while: off the event loop.
    sha, vista = await asyncio.to_thread(
        flujo_importar.previsualizar, ent.sesiones, ent.settings.data_dir, persona,
        recibido.contenido, nombre,
    )  # fmt: skip
    if not vista.importable:
        await responder(update, tx.no_importable(nombre, vista.problemas))
        return
    marca = flujo_importar.marca(sha)
    await responder(
        update,
        tx.vista(nombre, vista),
        teclado(
            [
                [(tx.BOTON_CONFIRMAR, callbacks.dato(IM, "ok", marca))],
                [(tx.BOTON_CANCELAR, callbacks.dato(IM, "no", marca))],
            ]
        ),
    )


@boton(tx.BOTON_VENCIDO)
async def boton_importar(
    update: Update, context: Contexto, persona: Persona, b: callbacks.Boton
) -> None:
    q = update.callback_query
    assert q is not None
    if not await _coordinador(update, context, persona):
        return
    if b.accion not in ("ok", "no") or b.valor is None:
        raise BotonVencido()
    marca, data_dir = b.valor, context.entorno.settings.data_dir
    hoy = context.entorno.hoy()
    if b.accion == "no":
        await en_bd(context, lambda s: flujo_importar.reclamar(s, persona, marca))
        await q.answer()
        await _sin_botones(update, tx.IMPORTACION_CANCELADA)
        return
    try:
        resumen = await en_bd(
            context,
            lambda s: flujo_importar.confirmar(
                s, persona, marca, data_dir, hoy, aviso=tx.aviso_importacion
            ),
        )
    except ArchivoPerdido:
        await q.answer(tx.ARCHIVO_PERDIDO, show_alert=True)
        return
    except ImportacionFallida as e:
        # Something changed since the preview (e.g. a later avance): the import is dropped.
        try:
            pendiente = await en_bd(context, lambda s: flujo_importar.reclamar(s, persona, marca))
            nombre = pendiente.nombre
        except Rechazado:
            nombre = "anexo.xlsx"
        await q.answer()
        await _sin_botones(update)
        await responder(update, tx.no_importable(nombre, e.problemas))
        return
    await q.answer()
    await _sin_botones(update, tx.CONFIRMADO)
    await responder(update, tx.importado(resumen))


# --- /invitar -------------------------------------------------------------------------------


async def cmd_invitar(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None or not await _coordinador(update, context, persona):
        return
    consulta = elegir.texto_del_comando(context)
    if consulta:  # `/invitar Bienestar`: an enlace of the dependencia it names
        dep = await elegir.elegir_dependencia(update, context, consulta)
        if dep is not None:
            await enviar_invitacion(update, context, persona, Rol.ENLACE, dep.id)
        return
    await responder(
        update,
        tx.ELIJA_ROL,
        teclado(
            [
                [(tx.BOTON_ENLACE, callbacks.dato(US, "ie"))],
                [(tx.BOTON_COORDINADOR, callbacks.dato(US, "ic"))],
                [(tx.BOTON_CONTRALORIA, callbacks.dato(US, "ix"))],
                [(tx.BOTON_CANCELAR, callbacks.dato(US, "no"))],
            ]
        ),
    )


def _lista_dependencias(deps: Sequence[Dep], pagina: int) -> tuple[str, InlineKeyboardMarkup]:
    pg = paginar(deps, pagina, lambda n: callbacks.dato(US, "ipg", n))
    filas = [
        [(tx.boton_dependencia(d.nombre, d.siglas), callbacks.dato(US, "id", d.id))]
        for d in pg.visibles
    ]
    if pg.navegacion:
        filas.append(pg.navegacion)
    filas.append([(tx.BOTON_CANCELAR, callbacks.dato(US, "no"))])
    texto = tx.ELIJA_DEPENDENCIA
    if pg.nota:
        texto += "\n" + pg.nota
    return texto, teclado(filas)


async def enviar_invitacion(
    update: Update, context: Contexto, persona: Persona, rol: Rol, dependencia_id: int | None,
    *, quitar: bool = True,
) -> None:  # fmt: skip
    """Makes an invitation and gives it as /invitar does: a note for the coordinador, then the
    QR and the link ready to forward. `quitar`: the pressed list loses its buttons."""
    q = update.callback_query
    ent = context.entorno
    usuario, ahora = ent.settings.bot_username, ent.ahora()
    try:
        inv, dependencia = await en_bd(
            context,
            lambda s: invitar(
                s, rol, dependencia_id, usuario, actor=f"usuario:{persona.id}", ahora=ahora
            ),
        )
    except BotonVencido:
        await rechazar(update, tx.BOTON_VENCIDO_USUARIOS)
        return
    if q is not None:
        await q.answer()
        if quitar:
            await _sin_botones(update)
    vence = inv.expira_en.astimezone(ent.settings.zona)
    await responder(update, tx.invitacion(rol, dependencia, vence))
    # Ready to forward: the QR, with what the invited person must do beneath it.
    chat = update.effective_chat
    if chat is not None:
        await chat.send_photo(
            tx.qr_png(inv.enlace),
            caption=tx.invitacion_para_reenviar(rol, dependencia, inv.enlace, vence),
        )


# --- /usuarios ------------------------------------------------------------------------------


def _linea(r: Registrado, zona: ZoneInfo) -> str:
    sin_recibir = r.sin_recibir_desde.astimezone(zona).date() if r.sin_recibir_desde else None
    return tx.persona(r.nombre, r.desde.astimezone(zona).date(), r.activo, sin_recibir)


def _grupos(gente: Sequence[Registrado], zona: ZoneInfo) -> list[tuple[str, list[str]]]:
    """Coordinación, Contraloría, then each dependencia by name."""
    por_grupo: dict[tuple[int, str], list[str]] = {}
    for r in gente:
        if r.rol is Rol.ENLACE:
            clave = (2, r.dependencia or tx.GRUPO_SIN_DEPENDENCIA)
        else:
            clave = (0 if r.rol is Rol.COORDINADOR else 1, tx.GRUPO[r.rol])
        por_grupo.setdefault(clave, []).append(_linea(r, zona))
    return [(titulo, lineas) for (_, titulo), lineas in sorted(por_grupo.items())]


def _teclado_usuarios(
    desactivables: Sequence[Registrado], pagina: int
) -> InlineKeyboardMarkup | None:
    if not desactivables:
        return None
    pg = paginar(desactivables, pagina, lambda n: callbacks.dato(US, "upg", n))
    filas = [
        [
            (
                tx.boton_desactivar(r.nombre, r.siglas or r.dependencia or tx.CORTO[r.rol]),
                callbacks.dato(US, "des", r.id),
            )
        ]
        for r in pg.visibles
    ]
    if pg.navegacion:
        filas.append(pg.navegacion)
    return teclado(filas)


async def cmd_usuarios(update: Update, context: Contexto) -> None:
    persona = await persona_o_aviso(update, context)
    if persona is None or not await _coordinador(update, context, persona):
        return
    zona = context.entorno.settings.zona
    gente = await en_bd(context, usuarios.registrados)
    mensajes = tx.lista_usuarios(_grupos(gente, zona), sum(r.activo for r in gente))
    for texto in mensajes[:-1]:
        await responder(update, texto)
    teclado_final = _teclado_usuarios(usuarios.desactivables(gente, persona), 0)
    await responder(update, mensajes[-1], teclado_final)


async def _pedir_confirmacion(
    update: Update, context: Contexto, persona: Persona, usuario_id: int
) -> None:
    q = update.callback_query
    assert q is not None
    gente = await en_bd(context, usuarios.registrados)
    elegido = next((r for r in usuarios.desactivables(gente, persona) if r.id == usuario_id), None)
    if elegido is None:
        await q.answer(
            tx.NO_A_SI_MISMO if usuario_id == persona.id else tx.NO_ES_ACTIVO, show_alert=True
        )
        return
    await q.answer()
    await responder(
        update,
        tx.confirmar_desactivar(elegido.nombre, elegido.rol, elegido.dependencia),
        teclado(
            [[(tx.BOTON_SI_DESACTIVAR, callbacks.dato(US, "dok", elegido.id)),
              (tx.BOTON_NO_DESACTIVAR, callbacks.dato(US, "dno"))]]
        ),
    )  # fmt: skip


async def _desactivar(update: Update, context: Contexto, persona: Persona, usuario_id: int) -> None:
    q = update.callback_query
    assert q is not None
    try:
        nombre = await en_bd(context, lambda s: usuarios.desactivar(s, persona, usuario_id))
    except Rechazado as e:
        await q.answer(
            tx.NO_A_SI_MISMO if isinstance(e, NoASiMismo) else tx.NO_ES_ACTIVO, show_alert=True
        )
        return
    await q.answer()
    await _sin_botones(update)
    await responder(update, tx.desactivado(nombre))


# --- The us1 buttons ----------------------------------------------------------------------


async def boton_usuarios(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None:
        return
    persona = await persona_o_aviso(update, context)
    if persona is None or not await _coordinador(update, context, persona):
        return
    b = callbacks.leer(q.data)
    accion, valor = (b.accion, b.valor) if b is not None else ("", None)
    if accion == "ie" or (accion == "ipg" and valor is not None):
        deps = await en_bd(context, usuarios.dependencias)
        if not deps:
            await q.answer(tx.SIN_DEPENDENCIAS, show_alert=True)
            return
        texto, botones = _lista_dependencias(deps, valor or 0)
        await q.answer()
        await editar_en_sitio(update, texto, botones)
    elif accion == elegir.PAGINA and valor is not None:
        await elegir.pagina_de_dependencias(update, context, valor)
    elif accion == "id" and valor is not None:
        await enviar_invitacion(update, context, persona, Rol.ENLACE, valor)
    elif accion in ("ic", "ix"):
        rol = Rol.COORDINADOR if accion == "ic" else Rol.CONTRALORIA
        await enviar_invitacion(update, context, persona, rol, None)
    elif accion in ("no", "dno"):
        await q.answer()
        await _sin_botones(update, tx.CANCELADO if accion == "no" else tx.SIN_CAMBIO)
    elif accion == "upg" and valor is not None:
        gente = await en_bd(context, usuarios.registrados)
        await q.answer()
        await editar_en_sitio(
            update, None, _teclado_usuarios(usuarios.desactivables(gente, persona), valor)
        )
    elif accion == "des" and valor is not None:
        await _pedir_confirmacion(update, context, persona, valor)
    elif accion == "dok" and valor is not None:
        await _desactivar(update, context, persona, valor)
    else:
        await q.answer(tx.BOTON_VENCIDO_USUARIOS, show_alert=True)


def registrar(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("invitar", cmd_invitar))
    app.add_handler(CommandHandler("usuarios", cmd_usuarios))
    app.add_handler(CallbackQueryHandler(boton_importar, pattern=f"^{IM}:"))
    app.add_handler(CallbackQueryHandler(boton_usuarios, pattern=f"^{US}:"))
