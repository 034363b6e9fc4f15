"""`asmbot sandbox` through its JSON API: what the page does, without a browser."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.sandbox.servidor import Sandbox
from storage.models import Avance, CopiaPendiente, Dependencia, Evidencia, Usuario
from tests.ayudas import PDF, reloj_fijo


@pytest.fixture(scope="session")
def base_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo folder (database and evidence), made once by a sandbox; each test starts from
    a copy."""
    carpeta = tmp_path_factory.mktemp("demo")

    async def crear() -> None:
        sandbox = Sandbox(carpeta, 0, reloj=reloj_fijo())
        await sandbox.iniciar()
        await sandbox.detener()

    asyncio.run(crear())
    return carpeta


class Cliente:
    """The page's side of the API."""

    def __init__(self, sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
        self.sandbox = sandbox
        self.http = http

    async def get(self, ruta: str, **params: Any) -> Any:
        async with self.http.get(self.sandbox.url + ruta, params=params) as r:
            assert r.status == 200, await r.text()
            return await r.json()

    async def post(self, ruta: str, datos: Any, estado: int = 200) -> Any:
        async with self.http.post(self.sandbox.url + ruta, json=datos) as r:
            assert r.status == estado, await r.text()
            return await r.json()

    async def persona(self, rol: str, siglas: str | None = None, nombre: str = "") -> int:
        dep_id = None
        if siglas is not None:
            deps = (await self.get("/api/estado"))["dependencias"]
            dep_id = next(d["id"] for d in deps if d["siglas"] == siglas)
        nueva = await self.post(
            "/api/personas", {"rol": rol, "nombre": nombre, "dependencia_id": dep_id}
        )
        return int(nueva["id"])

    async def mensajes(self, u: int) -> list[dict[str, Any]]:
        return list((await self.get("/api/chat", u=u))["mensajes"])

    async def ultimo(self, u: int) -> dict[str, Any]:
        return (await self.mensajes(u))[-1]

    async def con(self, u: int, texto: str, espera: float = 5.0) -> dict[str, Any]:
        """The newest bot message containing `texto`, polling as the page does: the scheduler
        (its round at start-up, say) may have written after it."""
        for _ in range(int(espera * 10)):
            for m in reversed(await self.mensajes(u)):
                if m["de"] == "bot" and texto in m["texto"]:
                    return dict(m)
            await asyncio.sleep(0.1)
        raise AssertionError(f"ningún mensaje con «{texto}»: {await self.mensajes(u)}")

    async def enviar(self, u: int, texto: str) -> None:
        await self.post("/api/enviar", {"u": u, "texto": texto})

    async def presionar(self, u: int, etiqueta: str, espera: float = 5.0) -> dict[str, Any]:
        """Presses the newest button whose label starts with `etiqueta`, polling as `con` does:
        the answer that brings it may come after the page's request returned."""
        for _ in range(int(espera * 10)):
            for m in reversed(await self.mensajes(u)):
                for fila in m["botones"]:
                    for b in fila:
                        if b["texto"].startswith(etiqueta):
                            datos = {"u": u, "mensaje": m["id"], "datos": b["datos"]}
                            return dict(await self.post("/api/presionar", datos))
            await asyncio.sleep(0.1)
        raise AssertionError(f"no hay botón «{etiqueta}»: {await self.mensajes(u)}")

    async def registrar(self, rol: str, siglas: str | None = None, nombre: str = "") -> int:
        u = await self.persona(rol, siglas, nombre)
        await self.presionar(u, "Acepto")
        await self.con(u, "Su registro como")
        return u


@pytest.fixture
async def cliente(base_demo: Path, tmp_path: Path) -> AsyncIterator[Cliente]:
    shutil.copytree(base_demo, tmp_path, dirs_exist_ok=True)
    sandbox = Sandbox(tmp_path, 0, reloj=reloj_fijo())
    await sandbox.iniciar()
    try:
        async with aiohttp.ClientSession() as http:
            yield Cliente(sandbox, http)
    finally:
        await sandbox.detener()


async def _con_documento(c: Cliente, u: int) -> dict[str, Any]:
    for _ in range(100):
        documentos = [m for m in await c.mensajes(u) if m["de"] == "bot" and m["documento"]]
        if documentos:
            return documentos[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"ningún documento: {await c.mensajes(u)}")


def _bd(c: Cliente) -> Any:
    assert c.sandbox.entorno is not None
    return c.sandbox.entorno.sesiones()


async def test_a_person_registers_through_a_real_invitation(cliente: Cliente) -> None:
    u = await cliente.persona("enlace", "SMDIF", "Ana <b>López</b>")
    persona, aviso = await cliente.mensajes(u)
    assert persona["de"] == "persona" and re.fullmatch(r"/start [\w-]{32}", persona["texto"])
    assert aviso["de"] == "bot" and aviso["texto"].startswith("AVISO DE PRIVACIDAD")
    assert [b["texto"] for b in aviso["botones"][0]] == ["Acepto", "No acepto"]
    assert (await cliente.get("/api/chat", u=u))["persona"]["rol"] == "Registro pendiente"

    await cliente.presionar(u, "Acepto")
    chat = await cliente.get("/api/chat", u=u)
    assert chat["mensajes"][1]["botones"] == []  # the bot took the keyboard away
    assert not chat["mensajes"][1]["editado"]  # ...without touching the text
    # The welcome; the month's reminder may follow it (SMDIF has ASM to report).
    bienvenida = await cliente.con(u, "Su registro como Enlace SEDEM de Sistema Municipal DIF")
    assert bienvenida["texto"].startswith("Le damos la bienvenida, Ana <b>López</b>.")
    assert chat["persona"] == {
        "id": u,
        "nombre": "Ana <b>López</b>",
        "rol": "Enlace SEDEM de SMDIF",
    }
    assert "avance" in [c["comando"] for c in chat["comandos"]]  # the menu the bot set for her
    with _bd(cliente) as s:
        usuario = s.scalars(select(Usuario).where(Usuario.telegram_id == u)).one()
        assert (usuario.rol, usuario.nombre) == ("enlace", "Ana <b>López</b>")
        assert s.get(Dependencia, usuario.dependencia_id).siglas == "SMDIF"

    coord = await cliente.registrar("coordinador")
    cont = await cliente.registrar("contraloria")
    personas = (await cliente.get("/api/estado"))["personas"]
    assert [(p["id"], p["nombre"], p["rol"]) for p in personas] == [
        (u, "Ana <b>López</b>", "Enlace SEDEM de SMDIF"),
        (coord, "Coordinación IMPLAN", "Coordinación (IMPLAN)"),
        (cont, "Contraloría Municipal", "Contraloría Municipal"),
    ]


async def test_it_opens_on_the_dependencia_with_most_to_report(cliente: Cliente) -> None:
    estado = await cliente.get("/api/estado")
    deps = {d["siglas"]: d for d in estado["dependencias"]}
    smdif = deps["SMDIF"]
    assert estado["sugerida"] == smdif["id"] and smdif["pendientes"] >= 5
    assert smdif["etiqueta"] == (
        f"SMDIF — {smdif['nombre']} · {smdif['pendientes']} ASM por informar este mes"
    )
    assert all(d["pendientes"] <= smdif["pendientes"] for d in deps.values())
    # Those are what the enlace's /pendientes lists on day one.
    ana = await cliente.registrar("enlace", "SMDIF", "Ana")
    await cliente.enviar(ana, "/pendientes")
    texto = (await cliente.con(ana, "Pendientes de noviembre de 2026"))["texto"]
    assert f"Falta informar el avance de {smdif['pendientes']} ASM" in texto


async def test_an_enlace_reports_an_avance_with_a_pdf(cliente: Cliente) -> None:
    await cliente.registrar("coordinador")  # a recipient of the copy
    ana = await cliente.registrar("enlace", "SMDIF", "Ana")

    await cliente.enviar(ana, "/avance")
    await cliente.con(ana, "Pendiente 1 de 12 del avance de noviembre de 2026")
    await cliente.presionar(ana, "Ver todos")  # the first due ASM opened: she picks another
    lista = await cliente.con(ana, "¿De qué ASM informará el avance de noviembre de 2026?")
    etiquetas = [b["texto"] for fila in lista["botones"] for b in fila]
    assert etiquetas[0].startswith("Núm. 1 · E003 · ")
    assert etiquetas[-1] == "Cancelar"

    await cliente.presionar(ana, "Núm. 1 · E003")
    elegida = await cliente.con(ana, "Eligió el ASM Núm. 1 · E003")
    assert elegida["id"] == lista["id"] and elegida["editado"] and elegida["botones"] == []
    estado = await cliente.con(ana, "Escriba el nuevo % de avance")
    titulo = estado["texto"].splitlines()[0]  # bold, as the bot's <b> sent it
    assert titulo.startswith("Núm. 1 · E003")
    assert estado["entidades"][0] == {"type": "bold", "offset": 0, "length": len(titulo)}

    await cliente.enviar(ana, "100")
    await cliente.enviar(ana, "Minuta firmada")
    formulario = aiohttp.FormData()
    formulario.add_field("archivo", PDF, filename="minuta.pdf", content_type="application/pdf")
    async with cliente.http.post(
        f"{cliente.sandbox.url}/api/adjuntar", params={"u": ana}, data=formulario
    ) as r:
        assert r.status == 200, await r.text()
    await cliente.con(ana, "Recibidos: 1 archivo\n• minuta.pdf (PDF, 1 KB)")
    enviado = [m for m in await cliente.mensajes(ana) if m["documento"]][-1]
    assert enviado["de"] == "persona" and enviado["documento"]["nombre"] == "minuta.pdf"
    async with cliente.http.get(cliente.sandbox.url + enviado["documento"]["url"]) as r:
        assert await r.read() == PDF
        assert r.headers["Content-Disposition"].startswith("attachment;")

    await cliente.presionar(ana, "Listo")
    await cliente.presionar(ana, "Confirmar")
    folio = re.search(r"Folio: (AV-\S+)", (await cliente.con(ana, "Folio:"))["texto"])
    assert folio
    with _bd(cliente) as s:
        # The copy (Art. 13) waits for the dependencia's digest (scheduler job «copias»).
        assert s.scalars(select(CopiaPendiente).where(CopiaPendiente.folio == folio[1])).one()
        avance = s.scalars(select(Avance).where(Avance.folio == folio[1])).one()
        assert (avance.porcentaje, avance.observaciones) == (100, "Minuta firmada")
        evidencia = s.scalars(select(Evidencia).order_by(Evidencia.id.desc())).first()
        assert evidencia is not None and evidencia.nombre_original == "minuta.pdf"


async def test_buttons_answer_and_stale_ones_are_refused(cliente: Cliente) -> None:
    ana = await cliente.registrar("enlace", "SMDIF")
    await cliente.enviar(ana, "/avance")
    await cliente.presionar(ana, "Ver todos")
    lista = await cliente.con(ana, "¿De qué ASM")
    await cliente.presionar(ana, "Cancelar")
    again = {"u": ana, "mensaje": lista["id"], "datos": lista["botones"][0][0]["datos"]}
    respuesta = await cliente.post("/api/presionar", again, 409)
    assert respuesta == {"error": "Ese botón ya no está disponible."}
    # A button the bot answers with a notice shows it, as Telegram does.
    await cliente.enviar(ana, "/avance")
    await cliente.presionar(ana, "Ver todos")
    await cliente.presionar(ana, "Núm. 1 · E003")
    await cliente.enviar(ana, "5")  # lower than before: observaciones are required
    await cliente.con(ana, "obligatorias porque el avance baja")
    await cliente.enviar(ana, "Se corrigió el conteo")
    await cliente.con(ana, "Envíe la evidencia")
    assert await cliente.presionar(ana, "Listo") == {  # no file yet: the bot says so in an alert
        "aviso": "Aún no ha enviado archivos. Envíe al menos un documento o foto.",
        "alerta": True,
    }
    assert await cliente.post("/api/enviar", {"u": 999, "texto": "hola"}, 404) == {
        "error": "Esa persona no existe en este sandbox; elija quién es usted."
    }
    assert await cliente.post("/api/enviar", {"u": ana, "texto": "  "}, 400) == {
        "error": "Escriba un mensaje."
    }


async def test_moving_the_clock_runs_the_reminders(cliente: Cliente) -> None:
    ana = await cliente.registrar("enlace", "SMDIF")
    panel = await cliente.get("/api/panel")
    assert panel["reloj"] == "miércoles 18/11/2026, 11:00"
    assert "Ronda diaria de recordatorios" in [t["nombre"] for t in panel["trabajos"]]

    # Day by business day until the first of December, whose round asks for the month's avance.
    for _ in range(12):
        r = await cliente.post("/api/reloj", {"hasta": "habil"})
        if r["panel"]["reloj"].startswith("martes 01/12/2026"):
            break
    assert r["panel"]["reloj"] == "martes 01/12/2026, 09:00"
    assert r["nuevos"] >= 1
    # The round's messages leave at the outbox's pace: the panel counts them as they go, and
    # hers may come after the answer.
    panel = r["panel"]
    for _ in range(50):
        if panel["salida"]["enviados"] >= 1:
            break
        await asyncio.sleep(0.1)
        panel = await cliente.get("/api/panel")
    assert panel["salida"]["enviados"] >= 1
    aviso = await cliente.con(ana, "📅 Avance de diciembre de 2026")
    assert aviso["texto"].startswith("📅 Avance de diciembre de 2026")
    await cliente.presionar(ana, "Informar avance")  # opens the first ASM due in December
    await cliente.con(ana, "Pendiente 1 de 12 del avance de diciembre de 2026")

    # «+1 día» from Friday lands on Saturday: no business day, the round sends nothing.
    for _ in range(3):
        r = await cliente.post("/api/reloj", {"hasta": "manana"})
    assert r["panel"]["reloj"] == "viernes 04/12/2026, 09:00"
    r = await cliente.post("/api/reloj", {"hasta": "manana"})
    assert (r["panel"]["reloj"], r["panel"]["habil"], r["nuevos"]) == (
        "sábado 05/12/2026, 09:00",
        False,
        0,
    )
    assert (await cliente.post("/api/ronda", {}))["nuevos"] == 0


async def test_the_page_shows_what_the_bot_is_doing(cliente: Cliente) -> None:
    ana = await cliente.registrar("enlace", "SMDIF", "Ana")
    chat = await cliente.get("/api/chat", u=ana)
    assert chat["accion"] is None
    double = cliente.sandbox.double
    async with cliente.http.post(
        f"{double.base_url}/bot{double.token}/sendChatAction",
        json={"chat_id": ana, "action": "upload_document"},
    ) as r:
        assert r.status == 200
    # The page polls with its version: an action that starts is a change to draw.
    ahora = await cliente.get("/api/chat", u=ana, version=chat["version"])
    assert ahora["accion"] == "enviando documento…" and ahora["version"] != chat["version"]
    await cliente.enviar(ana, "/ayuda")  # the bot's answer ends it, as in Telegram
    assert (await cliente.get("/api/chat", u=ana))["accion"] is None


async def test_the_page_is_served_safely(cliente: Cliente) -> None:
    url = cliente.sandbox.url
    async with cliente.http.get(url + "/") as r:
        assert r.status == 200 and "<title>Seguimiento ASM · sandbox</title>" in await r.text()
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    for recurso in ("/static/app.js", "/static/style.css"):
        async with cliente.http.get(url + recurso) as r:
            assert r.status == 200
    # Another site in the same browser can neither post to it nor reach it by another name.
    async with cliente.http.post(
        url + "/api/ronda", json={}, headers={"Origin": "http://ejemplo.com"}
    ) as r:
        assert r.status == 403
    async with cliente.http.get(url + "/api/panel", headers={"Host": "ejemplo.com"}) as r:
        assert r.status == 403
    async with cliente.http.post(url + "/api/ronda", json={}, headers={"Origin": url}) as r:
        assert r.status == 200
    # What a person typed goes back as text; the page renders it as text (see app.js).
    ana = await cliente.registrar("enlace", "SMDIF")
    await cliente.enviar(ana, "<img src=x onerror=alert(1)>")
    propios = [m for m in await cliente.mensajes(ana) if m["de"] == "persona"]
    assert propios[-1]["texto"] == "<img src=x onerror=alert(1)>"


async def test_people_and_their_chats_are_kept_across_restarts(cliente: Cliente) -> None:
    ana = await cliente.registrar("enlace", "SMDIF", "Ana")
    await cliente.post("/api/reloj", {"hasta": "habil"})
    await cliente.enviar(ana, "/anexo")
    await cliente.presionar(ana, "E003")
    await cliente.presionar(ana, "Cuarto trimestre")
    anexo = await _con_documento(cliente, ana)
    sandbox = cliente.sandbox
    antes = await cliente.mensajes(ana)
    async with cliente.http.get(sandbox.url + anexo["documento"]["url"]) as r:
        contenido = await r.read()
    await sandbox.detener()
    otro = Sandbox(sandbox.datos, 0, reloj=reloj_fijo())
    await otro.iniciar()
    try:
        cliente.sandbox = otro  # people keep their chat, files included, and their role...
        assert [p["rol"] for p in (await cliente.get("/api/estado"))["personas"]] == [
            "Enlace SEDEM de SMDIF"
        ]
        assert await cliente.mensajes(ana) == antes
        async with cliente.http.get(otro.url + anexo["documento"]["url"]) as r:
            assert r.status == 200 and await r.read() == contenido
        # ...and so is the clock moved forward (the outbox was written for that day).
        assert (await cliente.get("/api/panel"))["reloj"].startswith("jueves 19/11/2026, 09:0")
        await cliente.enviar(ana, "/ayuda")
        ayuda = await cliente.con(ana, "/avance")
        assert ayuda["id"] > max(m["id"] for m in antes)  # the chat goes on where it was
        nueva = await cliente.persona("coordinador")
        assert nueva != ana  # the next simulated id skips the people already registered
        await cliente.enviar(nueva, "hola")  # a new file id never reuses a restored one
    finally:
        await otro.detener()
        cliente.sandbox = sandbox


async def test_the_sandbox_double_takes_only_its_own_random_token(cliente: Cliente) -> None:
    double = cliente.sandbox.double
    assert double.token != "123456:TEST-TOKEN" and len(double.token) > 30
    assert Sandbox(cliente.sandbox.datos, 0).double.token != double.token  # one per run
    for token in ("123456:TEST-TOKEN", ""):
        async with cliente.http.post(f"{double.base_url}/bot{token}/getMe") as r:
            assert r.status in (401, 404)
    async with cliente.http.post(f"{double.base_url}/bot{double.token}/getMe") as r:
        assert r.status == 200
