"""The sandbox page in headless Chromium: an enlace reports with a PDF, a coordinador finds it
in the consolidated Anexo A.

Debian's Chromium, driven by Playwright through its executable path (Playwright's own browser
downloads do not work here). Without /usr/bin/chromium this test fails: .ci/run installs it.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect, sync_playwright

from bot.sandbox.servidor import Sandbox
from tests.ayudas import PDF, reloj_fijo

CHROMIUM = Path("/usr/bin/chromium")
ARGUMENTOS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed: without these, Chromium keeps trying to reach Google.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TELEFONO: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """A sandbox (demo data, fixed clock) on its own event loop in a thread: Playwright's sync
    API needs this thread free of a running loop."""
    sandbox = Sandbox(tmp_path / "sandbox", 0, reloj=reloj_fijo())
    listo = threading.Event()
    bucle: list[asyncio.AbstractEventLoop] = []
    fin = asyncio.Event()

    async def correr() -> None:
        bucle.append(asyncio.get_running_loop())
        try:
            await sandbox.iniciar()
            listo.set()
            await fin.wait()
        finally:
            listo.set()
            await sandbox.detener()

    hilo = threading.Thread(target=asyncio.run, args=(correr(),), daemon=True)
    hilo.start()
    assert listo.wait(60) and sandbox.app is not None, "el sandbox no arrancó"
    try:
        yield sandbox.url
    finally:
        bucle[0].call_soon_threadsafe(fin.set)
        hilo.join(30)


@pytest.fixture
def navegador() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Falta Chromium: apt-get install -y chromium (.ci/run lo instala)."
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTOS)
        try:
            yield browser
        finally:
            browser.close()


def _persona(navegador: Browser, url: str, rol: str, nombre: str, siglas: str = "") -> Page:
    """A new tab (its own context: another phone) registered through the page."""
    page = navegador.new_context(viewport=TELEFONO, accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    expect(page.locator("#dependencia option").first).to_be_attached()
    page.check(f"input[name=rol][value={rol}]")
    if siglas:
        opcion = page.locator("#dependencia option", has_text=f"{siglas} — ")
        page.select_option("#dependencia", value=opcion.get_attribute("value"))
    page.fill("#nombre", nombre)
    page.click("text=Abrir el chat")
    expect(page).to_have_url(re.compile(r"/\?u=\d+$"))
    page.get_by_role("button", name="Acepto", exact=True).click()
    expect(page.locator(".mensaje.bot", has_text="Su registro como")).to_be_visible()
    return page


def _escribir(page: Page, texto: str) -> None:
    page.fill("#texto", texto)
    page.keyboard.press("Enter")


def _ultimo_bot(page: Page, texto: str) -> None:
    expect(page.locator(".mensaje.bot", has_text=texto).last).to_be_visible()


def test_an_avance_with_a_pdf_reaches_the_consolidated_anexo(
    navegador: Browser, url: str, tmp_path: Path
) -> None:
    ana = _persona(navegador, url, "enlace", "Ana López", "SMDIF")
    _escribir(ana, "/avance")
    _ultimo_bot(ana, "¿De qué ASM informará el avance")
    # An ASM below 100 %, not reported this month if the demo has one (a second report of the
    # month is allowed too), on whichever page it is.
    abajo_de_100 = ana.locator(".boton", has_text=re.compile(r"· \d{1,2} % ·"))
    boton = abajo_de_100.filter(has_not_text="✅")
    for _ in range(5):
        if boton.count():
            break
        if abajo_de_100.count():
            boton = abajo_de_100
            break
        ana.locator(".boton", has_text="Siguientes").last.click()
        _ultimo_bot(ana, "¿De qué ASM informará el avance")
    etiqueta = boton.first.inner_text()
    m = re.match(r"Núm\. (\d+) · (\S+) · (\d+) % ·", etiqueta)
    assert m, etiqueta
    numero, clave, nuevo = int(m[1]), m[2], int(m[3]) + 1
    boton.first.click()
    _ultimo_bot(ana, "Escriba el nuevo % de avance")
    _escribir(ana, str(nuevo))
    _ultimo_bot(ana, "observaciones")
    _escribir(ana, "Mesa de trabajo <b>realizada</b>")
    _ultimo_bot(ana, "Envíe la evidencia")
    minuta: FilePayload = {"name": "minuta.pdf", "mimeType": "application/pdf", "buffer": PDF}
    ana.set_input_files("#archivo", files=[minuta])
    _ultimo_bot(ana, "Recibido: «minuta.pdf»")
    ana.get_by_role("button", name="Listo", exact=True).last.click()
    _ultimo_bot(ana, f"→ {nuevo} %")
    ana.get_by_role("button", name="Confirmar", exact=True).last.click()
    _ultimo_bot(ana, "Folio: AV-")
    # What she typed is shown as text: the page never parses it as HTML.
    propio = ana.locator(".mensaje.persona", has_text="Mesa de trabajo")
    expect(propio).to_have_text("Mesa de trabajo <b>realizada</b>")
    assert propio.locator("b").count() == 0
    expect(ana.locator(".mensaje.persona .documento", has_text="minuta.pdf")).to_be_visible()

    coord = _persona(navegador, url, "coordinador", "Coordinación")
    _escribir(coord, "/anexo")
    coord.get_by_role("button", name="Consolidado", exact=True).click()
    coord.locator(".boton", has_text="Cuarto trimestre 2026").first.click()
    documento = coord.locator(".mensaje.bot a.documento", has_text="AnexoA_consolidado")
    expect(documento).to_be_visible(timeout=30_000)  # made in a worker process
    with coord.expect_download() as descarga:
        documento.click()
    archivo = tmp_path / descarga.value.suggested_filename
    descarga.value.save_as(archivo)
    assert archivo.name == "AnexoA_consolidado_2026T4.xlsx"

    hoja = load_workbook(archivo)[clave]
    filas = list(hoja.iter_rows(values_only=True))
    encabezado = next(f for f in filas if f[0] == "Núm.")
    columna = encabezado.index("% de avance")
    fila = next(f for f in filas if f[0] == numero)
    assert fila[columna] == pytest.approx(nuevo / 100), fila
