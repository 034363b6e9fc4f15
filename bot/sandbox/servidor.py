"""`asmbot sandbox`: the real bot in a web page that looks like a Telegram chat (no Telegram).

One process, on 127.0.0.1 only: the project's Bot API double (`botapi_double`), the real bot
pointed at it (`construir_aplicacion`, the same code as `asmbot run`) with its scheduler, a demo
database in the data folder, and the page in `bot/sandbox/web/`. Each person on the page is a
simulated Telegram user registered through a real invitation; the sandbox clock can be moved
forward so that reminders show up without waiting.

JSON API (bodies are JSON; `u` is the person's simulated Telegram id; an error answers
``{"error": "<texto para la persona>"}`` with a 4xx or 5xx status):

    GET  /api/estado                     {dependencias: [{id, siglas, nombre, pendientes,
                                         etiqueta}], sugerida, personas}: `pendientes` are
                                         the open ASM not reported this month; `sugerida`
                                         the dependencia with most of them
    POST /api/personas  {rol, nombre, dependencia_id?}  -> {id}
         creates an invitation and sends «/start <código>» for the new person; the privacy
         notice then waits in the chat for the person to press «Acepto».
    GET  /api/chat?u=ID[&version=V]      {version, persona, comandos, mensajes, accion}, or
                                         {version, sin_cambios: true} when V is current;
                                         `accion` is what the bot is doing («enviando
                                         documento…») while Telegram would show it, or null
    POST /api/enviar    {u, texto}       a text message; answers once the bot went quiet
    POST /api/adjuntar?u=ID              multipart, field «archivo»: sent as a document
    POST /api/presionar {u, mensaje, datos}  an inline button -> {aviso, alerta}
    GET  /api/archivos/{file_id}         a file of a chat: photos inline, the rest as downloads
    GET  /api/panel                      {reloj, habil, nota, trabajos, salida, recientes}
    POST /api/reloj     {hasta: "manana" | "habil"}  -> {nuevos, panel}
         moves the clock to that day at opening time and runs the round, as the daily job does
    POST /api/ronda                      runs the reminder round now -> {nuevos, panel}

A message is ``{id, de: "bot" | "persona", texto, entidades, botones: [[{texto, datos | url}]],
documento: {nombre, url, bytes} | null, foto: url | null, editado}``; ``entidades`` are the
Bot API's (UTF-16 offsets). The page builds DOM nodes from text and entities and never parses
HTML, so nothing a person typed can run in it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import secrets
import signal
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import click
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import App, construir_aplicacion
from bot.config import load_settings
from bot.dominio.recordatorios import en_horario
from bot.dominio.texto import plural
from bot.dominio.vocabulario import Rol
from bot.entorno import Entorno, abrir_entorno
from bot.servicios.consultas import pendientes_por_dependencia
from bot.servicios.demo import llenar_demo
from bot.servicios.evidencias import AlmacenEvidencias
from bot.servicios.invitaciones import crear_invitacion
from bot.telegram_http import configurar_logs
from botapi_double import BotApiDouble, BotMessage, SimUser, load_chats, save_chats
from scheduler.trabajos import ejecutar_ronda
from storage import migrate
from storage.db import unit_of_work
from storage.models import Asm, Dependencia, Salida, Usuario, utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

WEB = Path(__file__).parent / "web"
HOST = "127.0.0.1"  # loopback only: the sandbox has no passwords
MAX_ARCHIVO = 50 << 20  # what a bot may receive through the Bot API
DIAS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
TRABAJOS = {
    "ronda_diaria": "Ronda diaria de recordatorios",
    "ronda_al_iniciar": "Ronda al iniciar",
    "repartidor": "Envío de la salida (cada 30 s)",
}
# What the chat's title shows while the bot does something (sendChatAction), as in Telegram.
ACCIONES = {
    "typing": "escribiendo…",
    "upload_photo": "enviando foto…",
    "upload_document": "enviando documento…",
    "upload_video": "enviando video…",
    "upload_voice": "enviando audio…",
    "upload_video_note": "enviando videomensaje…",
    "record_video": "grabando video…",
    "record_voice": "grabando audio…",
    "record_video_note": "grabando videomensaje…",
    "choose_sticker": "eligiendo sticker…",
    "find_location": "buscando ubicación…",
}
# Browsers must not guess a type (an uploaded .html stays a download) nor run foreign code.
CABECERAS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class ErrorSandbox(Exception):
    """A request the sandbox refuses, with the sentence the page shows."""

    def __init__(self, estado: int, mensaje: str) -> None:
        super().__init__(mensaje)
        self.estado = estado
        self.mensaje = mensaje


def token_aleatorio() -> str:
    """A token shaped like Telegram's (bot id, colon, secret), different in every run."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(27)}"


@dataclass
class RelojSandbox:
    """Real time plus an offset that only grows: the sandbox can live ahead of today."""

    desfase: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.desfase

    def ir_a(self, instante: datetime) -> None:
        self.desfase = max(self.desfase, instante - utcnow())


@dataclass
class Sandbox:
    datos: Path
    puerto: int = 8080
    reloj: RelojSandbox = field(default_factory=RelojSandbox)
    # A token made up for each run: whatever else reaches the loopback port cannot drive the bot.
    double: BotApiDouble = field(default_factory=lambda: BotApiDouble(token=token_aleatorio()))
    personas: dict[int, SimUser] = field(default_factory=dict)
    entorno: Entorno | None = None
    app: App | None = None
    _web: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.puerto}"

    @property
    def _archivo_reloj(self) -> Path:
        return self.datos / "reloj.txt"

    @property
    def _carpeta_chats(self) -> Path:
        return self.datos / "chats"

    async def guardar_chats(self) -> None:
        """The chats to the data folder: a restart shows them again (see `load_chats`)."""
        await asyncio.to_thread(save_chats, self.double, self._carpeta_chats)

    # -- start and stop ------------------------------------------------------------------------

    async def iniciar(self) -> None:
        await self.double.start()
        self.datos.mkdir(parents=True, exist_ok=True)
        # The sandbox's own database and Bot API, whatever .env says: never a real one.
        settings = load_settings(
            {
                **os.environ,
                "TELEGRAM_BOT_TOKEN": self.double.token,
                "TELEGRAM_API_URL": self.double.api_url,
                "TELEGRAM_FILE_URL": self.double.file_url,
                "DATABASE_URL": f"sqlite:///{self.datos.resolve() / 'sandbox.db'}",
                "ASMBOT_DATA_DIR": str(self.datos),
            }
        )
        await asyncio.to_thread(migrate.upgrade, settings.database_url)
        self.entorno = abrir_entorno(settings)
        self.entorno.reloj = self.reloj
        # A clock moved forward stays ahead after a restart, as the outbox written then expects.
        if self._archivo_reloj.exists():
            guardado = timedelta(seconds=float(self._archivo_reloj.read_text()))
            self.reloj.desfase = max(self.reloj.desfase, guardado)
        await self._bd(self._llenar_si_vacia)
        # The chats of an earlier run, as they were when it stopped or last acted.
        await asyncio.to_thread(load_chats, self.double, self._carpeta_chats)
        # People registered in an earlier run are still in the database: give them their chat.
        for telegram_id, nombre in await self._bd(_registrados):
            persona = self.double.user(telegram_id, nombre)
            persona.talked = True
            self.personas[telegram_id] = persona

        self.app = construir_aplicacion(self.entorno)
        await self.app.initialize()
        if self.app.post_init is not None:  # what run_polling does in production
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(
            poll_interval=0, timeout=10, allowed_updates=["message", "callback_query"]
        )

        self._web = web.AppRunner(self._pagina(), access_log=None, shutdown_timeout=1.0)
        await self._web.setup()
        sitio = web.TCPSite(self._web, HOST, self.puerto)
        await sitio.start()
        self.puerto = sitio.port  # the one the system chose, for --puerto 0 (tests)

    async def detener(self) -> None:
        if self._web is not None:
            await self._web.cleanup()
            self._web = None
        if self.app is not None:
            assert self.app.updater is not None
            await self.app.updater.stop()
            await self.app.stop()
            if self.app.post_shutdown is not None:
                await self.app.post_shutdown(self.app)
            await self.app.shutdown()
            self.app = None
        await self.double.stop()
        if self.entorno is not None:
            await self.guardar_chats()  # what the bot sent while stopping
            self.entorno.cerrar()
            self.entorno = None

    def _llenar_si_vacia(self, s: Session) -> None:
        assert self.entorno is not None
        if not s.scalar(select(func.count()).select_from(Asm)):
            almacen = AlmacenEvidencias(self.entorno.settings.data_dir)
            llenar_demo(s, self.entorno.calendario, self.entorno.hoy(), almacen=almacen)

    async def _bd(self, trabajo: Callable[[Session], T]) -> T:
        """One unit of work, off the event loop (the bot shares it)."""
        assert self.entorno is not None
        sesiones = self.entorno.sesiones

        def correr() -> T:
            with unit_of_work(sesiones) as s:
                return trabajo(s)

        return await asyncio.to_thread(correr)

    # -- the web application ---------------------------------------------------------------------

    def _pagina(self) -> web.Application:
        app = web.Application(client_max_size=MAX_ARCHIVO + (1 << 20), middlewares=[self._proteger])
        r = app.router
        r.add_get("/", self._indice)
        r.add_static("/static/", WEB)
        r.add_get("/api/estado", self._api(self._estado))
        r.add_post("/api/personas", self._api(self._nueva_persona))
        r.add_get("/api/chat", self._api(self._chat))
        r.add_post("/api/enviar", self._api(self._enviar))
        r.add_post("/api/adjuntar", self._api(self._adjuntar))
        r.add_post("/api/presionar", self._api(self._presionar))
        r.add_get("/api/archivos/{file_id}", self._archivo)
        r.add_get("/api/panel", self._api(self._panel_json))
        r.add_post("/api/reloj", self._api(self._mover_reloj))
        r.add_post("/api/ronda", self._api(self._ronda))
        return app

    @web.middleware
    async def _proteger(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        # Another site open in the same browser must not drive the sandbox: a foreign Host
        # (DNS rebinding) or Origin (a cross-site form) is refused.
        propios = {f"{HOST}:{self.puerto}", f"localhost:{self.puerto}"}
        origen = request.headers.get("Origin")
        if request.host not in propios or (
            origen is not None and origen.split("://", 1)[-1] not in propios
        ):
            return web.json_response({"error": "Solicitud de otro sitio: rechazada."}, status=403)
        respuesta = await handler(request)
        respuesta.headers.update(CABECERAS)
        return respuesta

    def _api(
        self, metodo: Callable[[web.Request], Awaitable[object]]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def atender(request: web.Request) -> web.Response:
            try:
                respuesta = await metodo(request)
                if request.method == "POST":  # it changed a chat: keep it for a restart
                    await self.guardar_chats()
                return web.json_response(respuesta, status=200)
            except ErrorSandbox as e:
                return web.json_response({"error": e.mensaje}, status=e.estado)
            except AssertionError:  # the double waited for the bot in vain
                log.exception("el bot no respondió")
                return web.json_response(
                    {"error": "El bot no respondió a tiempo; intente de nuevo."}, status=504
                )

        return atender

    async def _indice(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(WEB / "index.html", headers={"Cache-Control": "no-cache"})

    # -- people and chats --------------------------------------------------------------------------

    async def _estado(self, request: web.Request) -> dict[str, Any]:
        assert self.entorno is not None
        entorno = self.entorno

        def leer(s: Session) -> list[dict[str, Any]]:
            conteo = pendientes_por_dependencia(s, entorno.hoy(), entorno.calendario)
            deps = s.scalars(select(Dependencia).order_by(Dependencia.nombre))
            return [
                {
                    "id": d.id,
                    "siglas": d.siglas,
                    "nombre": d.nombre,
                    "pendientes": conteo.get(d.id, 0),
                    "etiqueta": _etiqueta_dependencia(d, conteo.get(d.id, 0)),
                }
                for d in deps
            ]

        dependencias = await self._bd(leer)
        # The page opens on the one with most to report this month: day one has a run to do.
        sugerida = max(dependencias, key=lambda d: d["pendientes"], default=None)
        return {
            "dependencias": dependencias,
            "sugerida": sugerida["id"] if sugerida else None,
            "personas": await self._personas_json(),
        }

    async def _personas_json(self) -> list[dict[str, Any]]:
        roles = await self._bd(lambda s: _roles(s, list(self.personas)))
        return [
            {"id": p.id, "nombre": p.first_name, "rol": roles.get(p.id, "Registro pendiente")}
            for p in self.personas.values()
        ]

    async def _nueva_persona(self, request: web.Request) -> dict[str, Any]:
        datos = await _json(request)
        try:
            rol = Rol(str(datos.get("rol")))
        except ValueError:
            raise ErrorSandbox(
                400,
                "Elija si usted es Enlace SEDEM, de la Coordinación o de la Contraloría Municipal.",
            ) from None
        nombre = " ".join(str(datos.get("nombre") or "").split())[:64]
        dep_id = datos.get("dependencia_id")
        assert self.entorno is not None
        bot_username = self.entorno.settings.bot_username
        ahora = self.entorno.ahora()

        def invitar(s: Session) -> tuple[str, str]:
            dep = None
            if rol is Rol.ENLACE:
                dep = s.get(Dependencia, dep_id) if isinstance(dep_id, int) else None
                if dep is None:
                    raise ErrorSandbox(400, "Elija la dependencia de la que usted es Enlace SEDEM.")
            por_omision = {
                Rol.ENLACE: f"Enlace {dep.siglas or dep.nombre}" if dep else "",
                Rol.COORDINADOR: "Coordinación IMPLAN",
                Rol.CONTRALORIA: "Contraloría Municipal",
            }[rol]
            codigo = crear_invitacion(
                s, rol, dep, bot_username, actor="sandbox", ahora=ahora
            ).codigo
            return codigo, nombre or por_omision

        codigo, nombre = await self._bd(invitar)
        persona = self.double.user(None, nombre)
        self.personas[persona.id] = persona
        await persona.send(f"/start {codigo}")
        return {"id": persona.id}

    def _persona(self, valor: object) -> SimUser:
        try:
            persona = self.personas.get(int(str(valor)))
        except ValueError:
            persona = None
        if persona is None:
            raise ErrorSandbox(404, "Esa persona no existe en este sandbox; elija quién es usted.")
        return persona

    async def _chat(self, request: web.Request) -> dict[str, Any]:
        persona = self._persona(request.query.get("u"))
        version = ".".join(
            str(n)
            for n in (
                len(persona.messages),
                sum(m.edits for m in persona.messages),
                len(persona.sent),
            )
        )
        accion = ACCIONES.get(persona.current_chat_action() or "")
        version += f".{accion or ''}"  # the page redraws when an action starts or ends
        if request.query.get("version") == version:
            return {"version": version, "sin_cambios": True}
        roles = await self._bd(lambda s: _roles(s, [persona.id]))
        mensajes = [self._mensaje_bot(m) for m in persona.messages] + [
            _mensaje_persona(i, m) for i, m in persona.sent.items()
        ]
        mensajes.sort(key=lambda m: int(m["id"]))  # one counter for both sides of a chat
        return {
            "version": version,
            "persona": {
                "id": persona.id,
                "nombre": persona.first_name,
                "rol": roles.get(persona.id, "Registro pendiente"),
            },
            "comandos": self._comandos(persona.id),
            "mensajes": mensajes,
            "accion": accion,
        }

    def _comandos(self, chat_id: int) -> list[dict[str, str]]:
        """The command menu Telegram would show this person (the bot sets it per chat)."""
        for alcance in (f"chat:{chat_id}", "all_private_chats", "default"):
            if alcance in self.double.commands:
                return [
                    {"comando": str(c["command"]), "descripcion": str(c["description"])}
                    for c in self.double.commands[alcance]
                ]
        return []

    @staticmethod
    def _mensaje_bot(m: BotMessage) -> dict[str, Any]:
        documento = None
        if m.document is not None:
            documento = {
                "nombre": m.document.file_name or "archivo",
                "url": f"/api/archivos/{m.document.file_id}",
                "bytes": m.document.file_size,
            }
        return {
            "id": m.message_id,
            "de": "bot",
            "texto": m.text,
            "entidades": m.entities,
            "botones": [
                [
                    {"texto": b.text, "datos": b.callback_data}
                    if b.callback_data is not None
                    else {"texto": b.text, "url": b.url}
                    for b in fila
                ]
                for fila in m.buttons
            ],
            "documento": documento,
            "foto": f"/api/archivos/{m.photo.file_id}" if m.photo is not None else None,
            "editado": m.text_edits > 0,
        }

    async def _enviar(self, request: web.Request) -> dict[str, Any]:
        datos = await _json(request)
        persona = self._persona(datos.get("u"))
        texto = str(datos.get("texto") or "").strip()
        if not texto:
            raise ErrorSandbox(400, "Escriba un mensaje.")
        if len(texto) > 4096:
            raise ErrorSandbox(
                400, "El mensaje es muy largo: Telegram acepta hasta 4,096 caracteres."
            )
        await persona.send(texto)
        return {"ok": True}

    async def _adjuntar(self, request: web.Request) -> dict[str, Any]:
        persona = self._persona(request.query.get("u"))
        try:
            formulario = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ErrorSandbox(413, "El archivo pasa de 50 MB, el límite de Telegram.") from None
        archivo = formulario.get("archivo")
        if not isinstance(archivo, web.FileField):
            raise ErrorSandbox(400, "Elija un archivo.")
        contenido = archivo.file.read()
        if not contenido:
            raise ErrorSandbox(400, "El archivo está vacío.")
        nombre = Path(archivo.filename or "archivo").name[:200] or "archivo"
        await persona.send_document(contenido, nombre, archivo.content_type or None)
        return {"ok": True}

    async def _presionar(self, request: web.Request) -> dict[str, Any]:
        datos = await _json(request)
        persona = self._persona(datos.get("u"))
        mensaje = next((m for m in persona.messages if m.message_id == datos.get("mensaje")), None)
        boton = datos.get("datos")
        if mensaje is None or not any(
            b.callback_data == boton for fila in mensaje.buttons for b in fila
        ):
            # As in Telegram: a keyboard that was edited away cannot be pressed.
            raise ErrorSandbox(409, "Ese botón ya no está disponible.")
        antes = len(persona.callback_answers)
        await persona.press_data(str(boton), mensaje.message_id)
        respuestas = persona.callback_answers[antes:]
        aviso = next((r for r in reversed(respuestas) if r.get("text")), None)
        return {
            "aviso": aviso["text"] if aviso else None,
            "alerta": bool(aviso and aviso.get("show_alert")),
        }

    async def _archivo(self, request: web.Request) -> web.Response:
        archivo = self.double.files.get(request.match_info["file_id"])
        if archivo is None:
            return web.json_response({"error": "Ese archivo ya no existe."}, status=404)
        if archivo.file_path.startswith("photos/"):  # the double's photos are JPEG
            return web.Response(body=archivo.content, content_type="image/jpeg")
        nombre = (archivo.file_name or "archivo").replace('"', "")
        return web.Response(
            body=archivo.content,
            content_type=archivo.mime_type or "application/octet-stream",
            headers={
                "Content-Disposition": f'attachment; filename="{_ascii(nombre)}"; '
                f"filename*=UTF-8''{_url(nombre)}"
            },
        )

    # -- the panel: clock, jobs and outbox -------------------------------------------------------

    async def _panel_json(self, request: web.Request | None = None) -> dict[str, Any]:
        assert self.entorno is not None and self.app is not None
        entorno = self.entorno
        zona = entorno.settings.zona
        local = entorno.ahora().astimezone(zona)
        trabajos = []
        jq = self.app.job_queue
        ahora_real = utcnow()
        for job in jq.jobs() if jq is not None else ():
            if job.next_t is None:
                continue
            trabajos.append(
                {
                    "nombre": TRABAJOS.get(job.name or "", job.name or "trabajo"),
                    "en": _dentro_de(job.next_t - ahora_real),
                }
            )

        def salida(s: Session) -> tuple[dict[str, int], list[dict[str, str]]]:
            conteo = {
                estado: n
                for estado, n in s.execute(
                    select(Salida.estado, func.count()).group_by(Salida.estado)
                ).all()
            }
            nombres = dict(s.execute(select(Usuario.telegram_id, Usuario.nombre)).all())
            filas = s.scalars(select(Salida).order_by(Salida.id.desc()).limit(8))
            recientes = [
                {
                    "tipo": f.tipo,
                    "para": nombres.get(f.chat_id, str(f.chat_id)),
                    "estado": f.estado,
                    "desde": f.enviar_desde.astimezone(zona).strftime("%d/%m/%Y %H:%M"),
                }
                for f in filas
            ]
            return conteo, recientes

        conteo, recientes = await self._bd(salida)
        habil = entorno.calendario.es_habil(local.date())
        inicio, fin = entorno.settings.horario
        nota = None
        if not habil:
            nota = "Día inhábil: los recordatorios esperan al siguiente día hábil."
        elif not en_horario(local, entorno.calendario, entorno.settings.horario):
            nota = f"Fuera del horario de oficina ({inicio:%H:%M} a {fin:%H:%M}): los recordatorios esperan."
        return {
            "reloj": f"{DIAS[local.weekday()]} {local:%d/%m/%Y, %H:%M}",
            "habil": habil,
            "nota": nota,
            "trabajos": trabajos,
            "salida": {
                "pendientes": conteo.get("pendiente", 0) + conteo.get("enviando", 0),
                "enviados": conteo.get("enviado", 0),
                "otros": sum(
                    n for e, n in conteo.items() if e not in ("pendiente", "enviando", "enviado")
                ),
            },
            "recientes": recientes,
        }

    async def _mover_reloj(self, request: web.Request) -> dict[str, Any]:
        assert self.entorno is not None
        hasta = (await _json(request)).get("hasta")
        hoy = self.entorno.hoy()
        if hasta == "manana":
            dia = hoy + timedelta(days=1)
        elif hasta == "habil":
            dia = self.entorno.calendario.siguiente_habil(hoy)
        else:
            raise ErrorSandbox(400, "Indique hasta dónde mover el reloj: «manana» o «habil».")
        self.reloj.ir_a(self.apertura(dia))
        self._archivo_reloj.write_text(str(self.reloj.desfase.total_seconds()))
        return await self._ronda(request)

    def apertura(self, dia: date) -> datetime:
        """Opening time of that day, when the daily round runs (as an aware UTC instant)."""
        assert self.entorno is not None
        inicio: time = self.entorno.settings.horario[0]
        return datetime.combine(dia, inicio, tzinfo=self.entorno.settings.zona).astimezone(UTC)

    async def _ronda(self, request: web.Request) -> dict[str, Any]:
        assert self.app is not None
        nuevos = await ejecutar_ronda(self.app)
        return {"nuevos": nuevos, "panel": await self._panel_json()}


def ejecutar(datos: Path, puerto: int) -> None:
    """`asmbot sandbox`: runs until Ctrl+C, then stops everything it started."""
    configurar_logs()
    try:  # before the slow start-up: a busy port should fail at once
        socket.create_server((HOST, puerto)).close()
    except OSError as e:
        motivo = "ya está en uso" if e.errno == errno.EADDRINUSE else f"no se puede usar: {e}"
        raise click.ClickException(
            f"El puerto {puerto} de {HOST} {motivo}; elija otro con --puerto."
        ) from None
    click.echo(f"Preparando el sandbox en {datos} (la primera vez crea la base de muestra)…")

    async def correr() -> None:
        sandbox = Sandbox(datos, puerto)
        try:
            await sandbox.iniciar()
            click.echo(f"Sandbox en marcha: {sandbox.url}  (Ctrl+C para detener)")
            tarea = asyncio.current_task()
            assert tarea is not None
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, tarea.cancel)
            await asyncio.Event().wait()
        finally:
            await sandbox.detener()

    # asyncio.run answers Ctrl+C (and the handler above SIGTERM) by cancelling correr(),
    # whose finally stops everything.
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
        asyncio.run(correr())
    click.echo("Sandbox detenido.")


# -- helpers ---------------------------------------------------------------------------------


def _registrados(s: Session) -> list[tuple[int, str]]:
    filas = s.execute(
        select(Usuario.telegram_id, Usuario.nombre).where(Usuario.activo).order_by(Usuario.id)
    )
    return [(int(t), str(n)) for t, n in filas.all()]


def _etiqueta_dependencia(d: Dependencia, pendientes: int) -> str:
    """How the registration page lists a dependencia: «SMDIF — Sistema… · 5 ASM por informar»."""
    nombre = f"{d.siglas} — {d.nombre}" if d.siglas else d.nombre
    return f"{nombre} · {plural(pendientes, 'ASM')} por informar este mes"


def _roles(s: Session, ids: list[int]) -> dict[int, str]:
    """How the page names each registered person's role."""
    if not ids:
        return {}
    filas = s.execute(
        select(Usuario.telegram_id, Usuario.rol, Dependencia.siglas, Dependencia.nombre)
        .outerjoin(Dependencia, Usuario.dependencia_id == Dependencia.id)
        .where(Usuario.telegram_id.in_(ids), Usuario.activo)
    )
    roles: dict[int, str] = {}
    for telegram_id, rol, siglas, nombre in filas.all():
        roles[int(telegram_id)] = {
            Rol.ENLACE.value: f"Enlace SEDEM de {siglas or nombre}",
            Rol.COORDINADOR.value: "Coordinación (IMPLAN)",
            Rol.CONTRALORIA.value: "Contraloría Municipal",
        }.get(rol, rol)
    return roles


def _mensaje_persona(message_id: int, m: dict[str, Any]) -> dict[str, Any]:
    documento = m.get("document")
    return {
        "id": message_id,
        "de": "persona",
        "texto": m.get("text") or m.get("caption") or "",
        "entidades": [],
        "botones": [],
        "documento": {
            "nombre": documento.get("file_name") or "archivo",
            "url": f"/api/archivos/{documento['file_id']}",
            "bytes": documento.get("file_size", 0),
        }
        if documento
        else None,
        "foto": f"/api/archivos/{m['photo'][-1]['file_id']}" if m.get("photo") else None,
        "editado": False,
    }


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        datos = await request.json()
    except ValueError:
        raise ErrorSandbox(400, "La solicitud no es JSON válido.") from None
    if not isinstance(datos, dict):
        raise ErrorSandbox(400, "La solicitud no es un objeto JSON.")
    return datos


def _dentro_de(falta: timedelta) -> str:
    minutos = max(0, int(falta.total_seconds() // 60))
    if minutos < 1:
        return "en menos de un minuto"
    horas, minutos = divmod(minutos, 60)
    return f"en {horas} h {minutos} min" if horas else f"en {minutos} min"


def _ascii(nombre: str) -> str:
    return nombre.encode("ascii", "replace").decode().replace("?", "_")


def _url(nombre: str) -> str:
    return quote(nombre, safe="")
