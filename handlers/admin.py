"""The coordination's administration from the chat (diagram: admin.md).

- An Anexo A (.xlsx) sent by a coordinador: a preview of what it would create or change, and the
  import on «Confirmar» (im1:ok:<marca>; im1:no:<marca> cancels). The pending import is a draft
  (bot.servicios.borradores) and the file is kept by content, so a restart in between loses nothing.
- /invitar: the role (us1:ie, us1:ic, us1:ix), for an enlace its dependencia (us1:id:<id>, pages
  us1:ipg:<n>), and the deep link.
- /usuarios: who is registered, by dependencia; deactivating someone (us1:des:<id>, then
  us1:dok:<id> or us1:dno; pages us1:upg:<n>).

Only coordinadores may do any of this; every press re-checks the role and the ids it carries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.dominio.vocabulario import Rol
from bot.mensajes import admin as tx
from bot.mensajes import callbacks
from bot.servicios import auditoria, borradores
from bot.servicios.borradores import Paso
from bot.servicios.importacion import ImportacionFallida, ResumenImportacion
from bot.servicios.importacion_vista import (
    EXTENSIONES,
    MAX_BYTES,
    guardar_archivo,
    importar,
    leer,
    ruta_archivo,
    vista_previa,
)
from bot.servicios.invitaciones import crear_invitacion
from bot.servicios.usuarios import Persona, persona_activa
from handlers.base import (
    Contexto,
    en_bd,
    entorno,
    persona_o_aviso,
    quitar_botones,
    responder,
    teclado,
)
from storage.models import Dependencia, Usuario

log = logging.getLogger(__name__)

POR_PAGINA = 8
IMPORTAR = "importar"  # the draft's flujo
IM, US = callbacks.IMPORTAR, callbacks.USUARIOS


# --- Who may ------------------------------------------------------------------------------


async def _coordinador(update: Update, context: Contexto) -> Persona | None:
    """The coordinador behind the update; anybody else is told no (a press is also audited:
    our buttons only ever reach coordinadores, so one from someone else was forged)."""
    persona = await persona_o_aviso(update, context)
    if persona is None or persona.rol is Rol.COORDINADOR:
        return persona
    q = update.callback_query
    if q is None:
        await responder(update, tx.SOLO_COORDINACION)
        return None
    dato = (q.data or "")[:64]

    def anotar(s: Session) -> None:
        auditoria.registrar(
            s, f"usuario:{persona.id}", "acceso_denegado", "boton", dato=dato, rol=persona.rol.value
        )

    await en_bd(context, anotar)
    await q.answer(tx.SOLO_COORDINACION, show_alert=True)
    return None


async def _sin_botones(update: Update, nota: str | None = None) -> None:
    """`quitar_botones`, unless the message has none left (a repeated or forged press):
    Telegram refuses an edit that changes nothing."""
    q = update.callback_query
    if q is not None and getattr(q.message, "reply_markup", None) is not None:
        await quitar_botones(update, nota)


async def _editar(update: Update, texto: str | None, botones: InlineKeyboardMarkup | None) -> None:
    """A page of a list in place; a repeated press on the same page changes nothing, and
    Telegram refuses such an edit."""
    q = update.callback_query
    assert q is not None
    try:
        if texto is None:
            await q.edit_message_reply_markup(botones)
        else:
            await q.edit_message_text(texto, reply_markup=botones)
    except BadRequest as e:
        if "not modified" not in str(e).lower():
            raise


# --- An Anexo A sent to the bot ---------------------------------------------------------


async def documento(update: Update, context: Contexto) -> None:
    """Runs before avance's file handler (group -1). A coordinador's .xlsx is an import; the
    Contraloría is refused; everybody else's file goes on, untouched, to the evidence flow."""
    usuario, mensaje = update.effective_user, update.message
    if usuario is None or mensaje is None or mensaje.document is None:
        return
    persona = await en_bd(context, lambda s: persona_activa(s, usuario.id))
    if persona is None or persona.es_enlace:
        return  # avance.archivo answers: evidence, or the usual message
    if persona.rol is Rol.COORDINADOR:
        await _previsualizar(update, context, persona)
    else:
        await responder(update, tx.SOLO_COORDINACION)
    raise ApplicationHandlerStop


def _marca(sha256: str) -> int:
    """Which file a button is about (fits the 9 digits of callback data): an old preview's
    «Confirmar» must not import a newer file."""
    return int(sha256[:7], 16)


async def _previsualizar(update: Update, context: Contexto, persona: Persona) -> None:
    mensaje = update.message
    assert mensaje is not None and mensaje.document is not None
    doc = mensaje.document
    nombre = doc.file_name or "anexo.xlsx"
    limite_mb = MAX_BYTES // (1024 * 1024)
    if doc.file_size and doc.file_size > MAX_BYTES:
        await responder(update, tx.muy_grande(limite_mb))
        return
    with contextlib.suppress(TelegramError):  # a courtesy: never fail the import for it
        await context.bot.send_chat_action(mensaje.chat_id, ChatAction.TYPING)
    try:
        contenido = bytes(await (await context.bot.get_file(doc.file_id)).download_as_bytearray())
    except TelegramError as e:
        log.warning("descarga de un Anexo A fallida: %s", e)
        await responder(update, tx.DESCARGA_FALLIDA)
        return
    if len(contenido) > MAX_BYTES:
        await responder(update, tx.muy_grande(limite_mb))
        return

    ent = entorno(context)
    actor = f"usuario:{persona.id}"

    def revisar() -> tuple[str, str, bool]:
        sha = hashlib.sha256(contenido).hexdigest()
        leido = leer(contenido, nombre)
        vista = vista_previa(ent.sesiones, leido, nombre_archivo=nombre, sha256=sha, actor=actor)
        if not vista.importable:
            return sha, tx.no_importable(nombre, vista.problemas), False
        guardar_archivo(ent.settings.data_dir, contenido)  # only files that may be confirmed
        return sha, tx.vista(nombre, vista), True

    # Reading and a dry run of a large file take a while: off the event loop.
    sha, texto, importable = await asyncio.to_thread(revisar)
    if not importable:
        await responder(update, texto)
        return
    await en_bd(
        context,
        lambda s: borradores.guardar(
            s, persona.telegram_id, Paso(IMPORTAR, "confirmar", {"sha256": sha, "nombre": nombre})
        ),
    )
    marca = _marca(sha)
    await responder(
        update,
        texto,
        teclado(
            [
                [(tx.BOTON_CONFIRMAR, callbacks.dato(IM, "ok", marca))],
                [(tx.BOTON_CANCELAR, callbacks.dato(IM, "no", marca))],
            ]
        ),
    )


async def boton_importar(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None:
        return
    persona = await _coordinador(update, context)
    if persona is None:
        return
    b = callbacks.leer(q.data)
    if b is None or b.accion not in ("ok", "no") or b.valor is None:
        await q.answer(tx.BOTON_VENCIDO, show_alert=True)
        return
    ent = entorno(context)
    marca, tid = b.valor, persona.telegram_id

    def reclamar(s: Session) -> Paso | None:
        """The pending import this button is about, taken out of the draft: a second press,
        even one handled at the same time elsewhere, finds nothing to do."""
        paso = borradores.leer(s, tid)
        if paso is None or paso.flujo != IMPORTAR or _marca(paso.datos["sha256"]) != marca:
            return None
        return paso if borradores.borrar(s, tid) else None

    if b.accion == "no":
        if await en_bd(context, reclamar) is None:
            await q.answer(tx.BOTON_VENCIDO, show_alert=True)
            return
        await q.answer()
        await _sin_botones(update, tx.IMPORTACION_CANCELADA)
        return

    def confirmar(s: Session) -> ResumenImportacion | str:
        paso = reclamar(s)
        if paso is None:
            return tx.BOTON_VENCIDO
        sha, nombre = str(paso.datos["sha256"]), str(paso.datos["nombre"])
        ruta = ruta_archivo(ent.settings.data_dir, sha)
        if not ruta.exists():
            return tx.ARCHIVO_PERDIDO
        # Raises ImportacionFallida: the whole transaction, draft included, rolls back.
        return importar(
            s, leer(ruta.read_bytes(), nombre), nombre_archivo=nombre, sha256=sha,
            actor=f"usuario:{persona.id}", aviso=tx.aviso_importacion,
        )  # fmt: skip

    try:
        resultado = await en_bd(context, confirmar)
    except ImportacionFallida as e:
        # Something changed since the preview (e.g. a later avance): the import is dropped.
        paso = await en_bd(context, reclamar)
        await q.answer()
        await _sin_botones(update)
        nombre = str(paso.datos["nombre"]) if paso is not None else "anexo.xlsx"
        await responder(update, tx.no_importable(nombre, e.problemas))
        return
    if isinstance(resultado, str):
        await q.answer(resultado, show_alert=True)
        return
    await q.answer()
    await _sin_botones(update, tx.CONFIRMADO)
    await responder(update, tx.importado(resultado))


# --- /invitar -------------------------------------------------------------------------------


async def cmd_invitar(update: Update, context: Contexto) -> None:
    if await _coordinador(update, context) is None:
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


@dataclass(frozen=True)
class Dep:
    id: int
    nombre: str
    siglas: str | None


def _dependencias(s: Session) -> list[Dep]:
    return [
        Dep(d.id, d.nombre, d.siglas)
        for d in s.scalars(select(Dependencia).order_by(Dependencia.nombre))
    ]


def _paginas(total: int) -> int:
    return max(1, -(-total // POR_PAGINA))


def _navegacion(accion: str, pagina: int, paginas: int) -> list[tuple[str, str]]:
    fila = []
    if pagina > 0:
        fila.append((tx.BOTON_ANTERIOR, callbacks.dato(US, accion, pagina - 1)))
    if pagina < paginas - 1:
        fila.append((tx.BOTON_SIGUIENTE, callbacks.dato(US, accion, pagina + 1)))
    return fila


def _lista_dependencias(deps: Sequence[Dep], pagina: int) -> tuple[str, InlineKeyboardMarkup]:
    paginas = _paginas(len(deps))
    pagina = min(max(pagina, 0), paginas - 1)
    visibles = deps[pagina * POR_PAGINA : (pagina + 1) * POR_PAGINA]
    filas = [
        [(tx.boton_dependencia(d.nombre, d.siglas), callbacks.dato(US, "id", d.id))]
        for d in visibles
    ]
    navegacion = _navegacion("ipg", pagina, paginas)
    if navegacion:
        filas.append(navegacion)
    filas.append([(tx.BOTON_CANCELAR, callbacks.dato(US, "no"))])
    texto = tx.ELIJA_DEPENDENCIA
    if paginas > 1:
        texto += "\n" + tx.pagina(pagina + 1, paginas)
    return texto, teclado(filas)


async def _invitar(
    update: Update, context: Contexto, persona: Persona, rol: Rol, dependencia_id: int | None
) -> None:
    q = update.callback_query
    assert q is not None
    ent = entorno(context)

    def crear(s: Session) -> str | None:
        dep = None
        if rol is Rol.ENLACE:
            dep = s.get(Dependencia, dependencia_id) if dependencia_id is not None else None
            if dep is None:
                return None
        # crear_invitacion writes the audit row, with this coordinador as the actor.
        inv = crear_invitacion(
            s, rol, dep, ent.settings.bot_username, actor=f"usuario:{persona.id}",
            ahora=ent.ahora(),
        )  # fmt: skip
        vence = inv.expira_en.astimezone(ent.settings.zona)
        return tx.invitacion(rol, dep.nombre if dep else None, inv.enlace, vence)

    texto = await en_bd(context, crear)
    if texto is None:
        await q.answer(tx.BOTON_VENCIDO_USUARIOS, show_alert=True)
        return
    await q.answer()
    await _sin_botones(update)
    await responder(update, texto)


# --- /usuarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registrado:
    id: int
    nombre: str
    rol: Rol
    dependencia: str | None
    siglas: str | None
    activo: bool
    linea: str  # as the list shows it


def _registrados(s: Session, zona: ZoneInfo) -> list[Registrado]:
    gente = []
    for u in s.scalars(select(Usuario).order_by(Usuario.nombre, Usuario.id)):
        dep = u.dependencia
        sin_recibir = u.inalcanzable_desde.astimezone(zona).date() if u.inalcanzable_desde else None
        # Accepting the notice is the moment of registration (and of a re-registration).
        desde = (u.aviso_aceptado_en or u.registrado_en).astimezone(zona).date()
        linea = tx.persona(u.nombre, desde, u.activo, sin_recibir)
        gente.append(
            Registrado(
                id=u.id,
                nombre=u.nombre,
                rol=Rol(u.rol),
                dependencia=dep.nombre if dep else None,
                siglas=dep.siglas if dep else None,
                activo=u.activo,
                linea=linea,
            )
        )
    return gente


def _grupos(gente: Sequence[Registrado]) -> list[tuple[str, list[str]]]:
    """Coordinación, Contraloría, then each dependencia by name."""
    por_grupo: dict[tuple[int, str], list[str]] = {}
    for r in gente:
        if r.rol is Rol.ENLACE:
            clave = (2, r.dependencia or tx.GRUPO_SIN_DEPENDENCIA)
        else:
            clave = (0 if r.rol is Rol.COORDINADOR else 1, tx.GRUPO[r.rol])
        por_grupo.setdefault(clave, []).append(r.linea)
    return [(titulo, lineas) for (_, titulo), lineas in sorted(por_grupo.items())]


def _desactivables(gente: Sequence[Registrado], persona: Persona) -> list[Registrado]:
    return [r for r in gente if r.activo and r.id != persona.id]


def _teclado_usuarios(
    desactivables: Sequence[Registrado], pagina: int
) -> InlineKeyboardMarkup | None:
    if not desactivables:
        return None
    paginas = _paginas(len(desactivables))
    pagina = min(max(pagina, 0), paginas - 1)
    visibles = desactivables[pagina * POR_PAGINA : (pagina + 1) * POR_PAGINA]
    filas = [
        [
            (
                tx.boton_desactivar(r.nombre, r.siglas or r.dependencia or tx.CORTO[r.rol]),
                callbacks.dato(US, "des", r.id),
            )
        ]
        for r in visibles
    ]
    navegacion = _navegacion("upg", pagina, paginas)
    if navegacion:
        filas.append(navegacion)
    return teclado(filas)


async def cmd_usuarios(update: Update, context: Contexto) -> None:
    persona = await _coordinador(update, context)
    if persona is None:
        return
    zona = entorno(context).settings.zona
    gente = await en_bd(context, lambda s: _registrados(s, zona))
    mensajes = tx.lista_usuarios(_grupos(gente), sum(r.activo for r in gente))
    for texto in mensajes[:-1]:
        await responder(update, texto)
    await responder(update, mensajes[-1], _teclado_usuarios(_desactivables(gente, persona), 0))


async def _pagina_usuarios(
    update: Update, context: Contexto, persona: Persona, pagina: int
) -> None:
    q = update.callback_query
    assert q is not None
    zona = entorno(context).settings.zona
    gente = await en_bd(context, lambda s: _registrados(s, zona))
    await q.answer()
    await _editar(update, None, _teclado_usuarios(_desactivables(gente, persona), pagina))


async def _pedir_confirmacion(
    update: Update, context: Contexto, persona: Persona, usuario_id: int
) -> None:
    q = update.callback_query
    assert q is not None
    zona = entorno(context).settings.zona
    gente = await en_bd(context, lambda s: _registrados(s, zona))
    elegido = next((r for r in _desactivables(gente, persona) if r.id == usuario_id), None)
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

    def trabajo(s: Session) -> tuple[bool, str]:
        if usuario_id == persona.id:  # never lock out the person doing it
            return False, tx.NO_A_SI_MISMO
        u = s.get(Usuario, usuario_id)
        if u is None or not u.activo:
            return False, tx.NO_ES_ACTIVO
        # Nothing is deleted: bot.servicios.usuarios.persona_activa refuses them from the next update on.
        u.activo = False
        auditoria.registrar(
            s, f"usuario:{persona.id}", "desactivar", "usuario", u.id,
            rol=u.rol, dependencia_id=u.dependencia_id,
        )  # fmt: skip
        return True, tx.desactivado(u.nombre)

    hecho, texto = await en_bd(context, trabajo)
    if not hecho:
        await q.answer(texto, show_alert=True)
        return
    await q.answer()
    await _sin_botones(update)
    await responder(update, texto)


# --- The us1 buttons ----------------------------------------------------------------------


async def boton_usuarios(update: Update, context: Contexto) -> None:
    q = update.callback_query
    if q is None:
        return
    persona = await _coordinador(update, context)
    if persona is None:
        return
    b = callbacks.leer(q.data)
    accion, valor = (b.accion, b.valor) if b is not None else ("", None)
    if accion == "ie" or (accion == "ipg" and valor is not None):
        deps = await en_bd(context, _dependencias)
        if not deps:
            await q.answer(tx.SIN_DEPENDENCIAS, show_alert=True)
            return
        texto, botones = _lista_dependencias(deps, valor or 0)
        await q.answer()
        await _editar(update, texto, botones)
    elif accion == "id" and valor is not None:
        await _invitar(update, context, persona, Rol.ENLACE, valor)
    elif accion in ("ic", "ix"):
        rol = Rol.COORDINADOR if accion == "ic" else Rol.CONTRALORIA
        await _invitar(update, context, persona, rol, None)
    elif accion in ("no", "dno"):
        await q.answer()
        await _sin_botones(update, tx.CANCELADO if accion == "no" else tx.SIN_CAMBIO)
    elif accion == "upg" and valor is not None:
        await _pagina_usuarios(update, context, persona, valor)
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
    # Group -1 runs before avance's catch-all file handler (group 0): a coordinador's .xlsx
    # stops there (ApplicationHandlerStop); an enlace's goes on to the evidence flow.
    anexo: filters.BaseFilter = filters.Document.FileExtension(EXTENSIONES[0])
    for extension in EXTENSIONES[1:]:
        anexo = anexo | filters.Document.FileExtension(extension)
    app.add_handler(MessageHandler(anexo, documento), group=-1)
