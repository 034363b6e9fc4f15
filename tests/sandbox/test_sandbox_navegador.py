"""The sandbox page in headless Chromium: an enlace reports with a PDF, a coordinador finds it
in the consolidated Anexo A; an enlace reports five ASM due this month, taps counted (printed
with `-s`: «TOQUES …»).

Debian's Chromium, driven by Playwright through its executable path (Playwright's own browser
downloads do not work here). Without /usr/bin/chromium this test fails: .ci/run installs it.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import (
    Browser,
    FilePayload,
    Locator,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy import select, update

from bot.sandbox.servidor import Sandbox
from bot.servicios.consultas import estado_actual
from storage.db import unit_of_work
from storage.models import AsmResponsable, Avance, Dependencia
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
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
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
        yield sandbox
    finally:
        bucle[0].call_soon_threadsafe(fin.set)
        hilo.join(30)


@pytest.fixture
def url(sandbox: Sandbox) -> str:
    return sandbox.url


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
    ver_todos = ana.get_by_role("button", name="Ver todos", exact=True)
    # The start-up round's reminder may arrive in between: wait for the answer, not the last one.
    expect(
        ana.locator(".mensaje.bot", has_text=re.compile("De qué ASM|Pendiente 1")).last
    ).to_be_visible()
    if ver_todos.count():  # /avance opened the first ASM due this month
        ver_todos.last.click()
    _ultimo_bot(ana, "¿De qué ASM informará el avance")
    # An ASM below 100 %, not reported this month if the demo has one (else its correction),
    # on whichever page it is.
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
    expect(
        ana.locator(".mensaje.bot", has_text=re.compile("Ya informó|Escriba el")).last
    ).to_be_visible()
    corregir = ana.get_by_role("button", name="Corregir ese reporte", exact=True)
    if corregir.count():  # reported this month: the report is corrected, not issued twice
        corregir.last.click()
    _ultimo_bot(ana, "Escriba el nuevo % de avance")
    _escribir(ana, str(nuevo))
    _ultimo_bot(ana, "observaciones")
    _escribir(ana, "Mesa de trabajo <b>realizada</b>")
    _ultimo_bot(ana, "Envíe la evidencia")
    minuta: FilePayload = {"name": "minuta.pdf", "mimeType": "application/pdf", "buffer": PDF}
    ana.set_input_files("#archivo", files=[minuta])
    _ultimo_bot(ana, "• minuta.pdf (PDF")
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


class Toques:
    """Counts what a person does on the phone: each button pressed, each message or file sent."""

    def __init__(self, page: Page) -> None:
        self.page, self.n = page, 0

    def pulsar(self, boton: Locator) -> None:
        self.n += 1
        boton.click()

    def escribir(self, texto: str) -> None:
        self.n += 1
        _escribir(self.page, texto)

    def enviar(self, archivo: FilePayload) -> None:
        self.n += 1
        self.page.set_input_files("#archivo", files=[archivo])


def _pendientes_de_noviembre(sandbox: Sandbox, siglas: str) -> int:
    """The demo's reports of this month for the dependencia move to October: its open ASM are
    then due this month, whatever the demo holds today. Returns how many are due."""
    assert sandbox.entorno is not None
    with unit_of_work(sandbox.entorno.sesiones) as s:
        dep = s.scalars(select(Dependencia.id).where(Dependencia.siglas == siglas)).one()
        suyos = select(AsmResponsable.asm_id).where(AsmResponsable.dependencia_id == dep)
        s.execute(
            update(Avance)
            .where(Avance.asm_id.in_(suyos), Avance.periodo == date(2026, 11, 1))
            .values(periodo=date(2026, 10, 1))
        )
        hoy = sandbox.entorno.hoy()
        estados = estado_actual(s, hoy, sandbox.entorno.calendario, dependencia_id=dep)
        return sum(1 for a in estados if a.abierto)


def _reportar(t: Toques, numero_de_reporte: int) -> str:
    """One ASM from its «% de avance» screen to its folio: a quick % button, observaciones typed,
    a PDF, «Listo», «Confirmar». Returns the folio's message."""
    page = t.page
    # The question, not the last message: the start-up round's reminder may come after it.
    pregunta = page.locator(".mensaje.bot", has_text="Escriba el nuevo % de avance").last
    rapidos = pregunta.locator(".boton", has_text=re.compile(r"^\d+ %$"))
    t.pulsar(rapidos.nth(1) if rapidos.count() > 2 else rapidos.last)
    _ultimo_bot(page, "observaciones")
    t.escribir(f"Avance del mes, reporte {numero_de_reporte}")
    _ultimo_bot(page, "Envíe la evidencia")
    nombre = f"minuta{numero_de_reporte}.pdf"
    t.enviar({"name": nombre, "mimeType": "application/pdf", "buffer": PDF + nombre.encode()})
    _ultimo_bot(page, f"• {nombre} (")
    t.pulsar(page.get_by_role("button", name="Listo", exact=True).last)
    _ultimo_bot(page, "Confirmar")
    t.pulsar(page.get_by_role("button", name="Confirmar", exact=True).last)
    folio = page.locator(".mensaje.bot", has_text="Folio: AV-").nth(numero_de_reporte - 1)
    expect(folio).to_be_visible()
    return folio.inner_text()


def _abrir_siguiente(t: Toques) -> None:
    """From the last folio to the next ASM's «% de avance» screen, the shortest way the bot
    offers: its «Siguiente pendiente» button, or /avance and the first ASM not reported this
    month in the list (paging if needed)."""
    page = t.page
    folio = page.locator(".mensaje.bot", has_text="Folio: AV-").last
    siguiente = folio.locator(".boton", has_text="Siguiente pendiente")
    if siguiente.count():
        t.pulsar(siguiente.first)
    else:
        # The start-up round's reminder may arrive in between: the answer is the newest
        # message that asks for a % or an ASM, not the last one.
        respuestas = page.locator(
            ".mensaje.bot", has_text=re.compile("Escriba el nuevo % de avance|De qué ASM informará")
        )
        antes = respuestas.count()
        t.escribir("/avance")
        expect(respuestas).not_to_have_count(antes)
        pregunta = page.locator(".mensaje.bot", has_text="¿De qué ASM informará").last
        for _ in range(10):
            ultimo = respuestas.last
            if "Escriba el nuevo % de avance" in ultimo.inner_text():
                break
            libre = (
                ultimo.locator(".boton", has_text=re.compile(r"^Núm\."))
                .filter(has_not_text="✅")
                .filter(has_not_text="100 %")
            )
            if libre.count():
                t.pulsar(libre.first)
                break
            assert pregunta.count(), ultimo.inner_text()
            t.pulsar(ultimo.locator(".boton", has_text="Siguientes"))
            page.wait_for_timeout(300)
    _ultimo_bot(page, "Escriba el nuevo % de avance")


def test_an_enlace_reports_five_pending_asm_in_at_most_30_taps(
    navegador: Browser, sandbox: Sandbox
) -> None:
    assert _pendientes_de_noviembre(sandbox, "SMDIF") >= 5
    beto = _persona(navegador, sandbox.url, "enlace", "Beto Ruiz", "SMDIF")
    t = Toques(beto)
    inicio = time.monotonic()
    folios = []
    for n in range(1, 6):
        _abrir_siguiente(t)
        folios.append(_reportar(t, n))
        if n == 1:
            uno = (t.n, time.monotonic() - inicio)
    cinco = (t.n, time.monotonic() - inicio)
    print(f"\nTOQUES un ASM: {uno[0]} en {uno[1]:.1f} s; cinco ASM: {cinco[0]} en {cinco[1]:.1f} s")
    assert len({re.search(r"AV-\S+", f)[0] for f in folios}) == 5  # type: ignore[index]
    assert cinco[0] <= 30, cinco
