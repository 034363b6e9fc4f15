"""PDF documents: the Anexo A (landscape, for printing and for the web site, Art. 15) and the
pieces the oficio of Art. 13 shares with it (bot.anexo_a.oficio_pdf).

Made with fpdf2: pure Python (no system libraries in the image), Unicode TrueType fonts embedded
as subsets, and low-level drawing (`text`, `rect`) fast enough for 10,000 rows. The font is
DejaVu Sans, which matplotlib already ships (every Spanish character, and most symbols): nothing
is bundled here.

Text that people typed is drawn as plain text, never interpreted: `<b>` stays `<b>`, control
characters go, and a character the font lacks becomes «�», so no input can break the layout.
Lines are wrapped here, with the font's own widths, because fpdf2's `multi_cell` measures each
string again and is several times slower over a consolidated Anexo A.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import BinaryIO

from fpdf import FPDF
from fpdf.fonts import TTFFont

from bot.anexo_a.modelo import COLUMNAS, TITULO, Encabezado, FilaAnexoA, PlanAnexoA
from bot.dominio.periodos import formato_fecha

FUENTE, MONO = "dejavu", "dejavumono"
_ARCHIVOS = {
    (FUENTE, ""): "DejaVuSans.ttf",
    (FUENTE, "B"): "DejaVuSans-Bold.ttf",
    (MONO, ""): "DejaVuSansMono.ttf",
}
_SUSTITUTO = "\N{REPLACEMENT CHARACTER}"
_TOTAL = "{total_paginas}"
# Characters outside printable ASCII, Latin-1, Latin Extended-A and typographic punctuation
# (all in DejaVu Sans), or a line break or tab: only then is text checked character by character.
_REVISAR = re.compile("[^\n\x20-\x7e\xa0-\u017f\u2010-\u2027]|\xad")


@cache
def carpeta_fuentes() -> Path:
    """matplotlib's bundled TrueType fonts, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise RuntimeError("matplotlib no está instalado: sus fuentes DejaVu hacen falta")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


class Documento(FPDF):
    """An FPDF with the DejaVu fonts, text measured and wrapped here, and a footer line."""

    def __init__(self, orientacion: str = "P", pie: str = "") -> None:
        super().__init__(orientation=orientacion, unit="mm", format="letter")
        self.pie = pie
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(False)  # pages break where our layout says
        for (familia, estilo), archivo in _ARCHIVOS.items():
            self.add_font(familia, estilo, str(carpeta_fuentes() / archivo))
        self.set_creator("asmbot")
        self.alias_nb_pages(_TOTAL)  # long enough for thousands of pages
        self._anchos: dict[tuple[str, float, str], float] = {}
        self._codigos: dict[str, tuple[dict[int, str | None], set[str]]] = {}

    # --- Text -------------------------------------------------------------------------

    def limpiar(self, texto: str, familia: str = FUENTE) -> str:
        """Plain text the font can draw: no control characters; missing glyphs become «�»."""
        if not _REVISAR.search(texto):  # nearly always: Spanish text and common punctuation
            return texto
        cmap = self._fuente(familia).cmap
        fuera: list[str] = []
        for c in texto.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "):
            if c == "\n":
                fuera.append(c)
            elif unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn"):
                continue  # control, format (zero-width joiners), surrogates, unassigned
            elif ord(c) in cmap:
                fuera.append(c)
            else:
                fuera.append(_SUSTITUTO)
        return "".join(fuera)

    def ancho(self, texto: str) -> float:
        """Width in mm of `texto` in the current font (cached per word)."""
        clave = (self.font_family + self.font_style, self.font_size_pt, texto)
        w = self._anchos.get(clave)
        if w is None:
            cw = self._fuente().cw
            w = sum(cw[ord(c)] for c in texto) * self.font_size_pt * 0.001 / self.k
            self._anchos[clave] = w
        return w

    def partir(self, texto: str, ancho: float) -> list[str]:
        """`texto` wrapped in lines of at most `ancho` mm; a word longer than a line is cut."""
        lineas: list[str] = []
        espacio = self.ancho(" ")
        for parrafo in texto.split("\n"):
            actual, w_actual = "", 0.0
            for palabra in parrafo.split():
                w = self.ancho(palabra)
                if w > ancho:  # e.g. a hash or a URL: cut it by characters
                    if actual:
                        lineas.append(actual)
                    trozos = self._cortar(palabra, ancho)
                    lineas.extend(trozos[:-1])
                    actual, w_actual = trozos[-1], self.ancho(trozos[-1])
                elif not actual:
                    actual, w_actual = palabra, w
                elif w_actual + espacio + w <= ancho:
                    actual, w_actual = f"{actual} {palabra}", w_actual + espacio + w
                else:
                    lineas.append(actual)
                    actual, w_actual = palabra, w
            lineas.append(actual)
        while len(lineas) > 1 and not lineas[-1]:
            lineas.pop()
        return lineas

    def _cortar(self, palabra: str, ancho: float) -> list[str]:
        trozos, actual = [], ""
        for c in palabra:
            if actual and self.ancho(actual + c) > ancho:
                trozos.append(actual)
                actual = ""
            actual += c
        trozos.append(actual)
        return trozos

    def lineas_en(self, x: float, y: float, lineas: Sequence[str], alto: float) -> None:
        """Draws lines from the top at `y` (not the baseline), `alto` mm apart, in the text
        colour (the fill colour must be the same).

        One text object per block with a leading (`TL`, `T*`), where `text()` makes one per
        line: a consolidated Anexo A has hundreds of thousands of lines. It uses what `text()`
        uses in the pinned fpdf2 (font subset encoding and the page's font).
        """
        if not any(lineas):
            return
        fuente = self._fuente()
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(fuente, self.font_size_pt))
        k = self.k
        partes = [
            f"BT {x * k:.2f} {(self.h - y - self.font_size * 0.8) * k:.2f} Td {alto * k:.2f} TL"
        ]
        for i, linea in enumerate(lineas):
            if i:
                partes.append("T*")
            if linea:
                partes.append(self._codificar(fuente, linea))
        partes.append("ET")
        self._out(" ".join(partes))

    def _fuente(self, familia: str | None = None) -> TTFFont:
        """The current font (or a family's regular), always one of our TrueType fonts."""
        fuente = self.current_font if familia is None else self.fonts[familia]
        assert isinstance(fuente, TTFFont)
        return fuente

    def _codificar(self, fuente: TTFFont, linea: str) -> str:
        """`fuente.encode_text(linea)` with each character's subset code remembered: the same
        result, by `str.translate`, instead of a lookup per character."""
        tabla, vistos = self._codigos.setdefault(fuente.fontkey, ({}, set()))
        if not vistos.issuperset(linea):
            for c in set(linea) - vistos:
                codigo = fuente.subset.pick(ord(c))
                tabla[ord(c)] = None if codigo is None else chr(codigo)
                vistos.add(c)
        return f"({fuente.escape_text(linea.translate(tabla))}) Tj"

    def footer(self) -> None:
        self.set_font(FUENTE, "", 7)
        self.set_text_color(90)
        texto = f"Página {self.page_no()} de {_TOTAL}"
        texto = f"{self.pie} · {texto}" if self.pie else texto
        # cell(), not text(): fpdf2 replaces {nb} only in text it laid out itself.
        self.set_xy(self.l_margin, self.h - 9)
        self.cell(self.w - self.l_margin - self.r_margin, 4, texto)
        self.set_text_color(0)


# --- The Anexo A ------------------------------------------------------------------------

_PROPORCIONES = (10, 38, 27, 27, 36, 16, 32, 32, 12, 36)  # dates and «Intergubernamental» whole
_CUERPO, _TITULOS = 6.5, 6.2  # font sizes, pt
_LINEA = 2.9  # mm between lines of a cell
_RELLENO = 1.0  # mm inside a cell
_CADA_CUANTAS_FILAS = 500  # how often `progreso` hears about written rows


@dataclass
class _Tabla:
    x: list[float]
    anchos: list[float]
    alto_titulos: float | None = None


def escribir_anexo_a_pdf(
    destino: Path | BinaryIO,
    planes: Sequence[PlanAnexoA],
    encabezado: Encabezado,
    fecha: date,
    *,
    estado_al: bool = False,
    progreso: Callable[[int], object] | None = None,
) -> None:
    """One Anexo A per plan, each from a new landscape page: the header block, the ten columns
    (repeated on every page), rows kept whole on one page whenever they fit in one.

    The footer gives the quarter, page numbers and `fecha`: the day it was generated, or with
    `estado_al` the cut-off date of the data (what a published plan says).
    """
    if not planes:
        raise ValueError("sin planes")
    trimestre = planes[0].trimestre
    cuando = "Estado al" if estado_al else "Generado el"
    pdf = Documento("L", f"{trimestre.etiqueta} · {cuando} {formato_fecha(fecha)}")
    pdf.set_title(f"Anexo A · {TITULO} · {trimestre.etiqueta}")
    pdf.set_author(encabezado.instituto)
    util = pdf.w - pdf.l_margin - pdf.r_margin
    total = sum(_PROPORCIONES)
    anchos = [util * p / total for p in _PROPORCIONES]
    xs = [pdf.l_margin + sum(anchos[:i]) for i in range(len(anchos))]
    tabla = _Tabla(xs, anchos)
    pendientes = 0
    for plan in planes:
        pdf.add_page()
        y = _bloque_encabezado(pdf, plan, encabezado)
        y = _titulos(pdf, tabla, y)
        pdf.set_font(FUENTE, "", _CUERPO)
        for fila in plan.filas:
            y = _fila(pdf, tabla, y, _celdas(pdf, fila), plan, encabezado)
            pendientes += 1
            if progreso is not None and pendientes == _CADA_CUANTAS_FILAS:
                progreso(pendientes)
                pendientes = 0
    if progreso is not None and pendientes:
        progreso(pendientes)
    pdf.output(destino)


def _limite(pdf: Documento) -> float:
    return pdf.h - 12  # the footer lives below


def _bloque_encabezado(pdf: Documento, plan: PlanAnexoA, encabezado: Encabezado) -> float:
    y = pdf.t_margin
    pdf.set_font(FUENTE, "B", 10)
    for texto in (encabezado.municipio, encabezado.instituto, TITULO):
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(pdf.w - pdf.l_margin - pdf.r_margin, 5, pdf.limpiar(texto), align="C")
        y += 5
    pdf.set_font(FUENTE, "", 8)
    y += 1
    util = pdf.w - pdf.l_margin - pdf.r_margin
    for etiqueta, valor in (
        ("Programa presupuestario / Fondo: ", plan.programa),
        ("Trimestre y año: ", plan.trimestre.etiqueta),
    ):
        lineas = pdf.partir(etiqueta + pdf.limpiar(valor), util)
        pdf.lineas_en(pdf.l_margin, y, lineas, 3.6)
        y += 3.6 * len(lineas)
    return y + 2


def _lineas_titulos(pdf: Documento, tabla: _Tabla) -> list[list[str]]:
    pdf.set_font(FUENTE, "B", _TITULOS)
    return [pdf.partir(c, w - 2 * _RELLENO) for c, w in zip(COLUMNAS, tabla.anchos, strict=True)]


def _alto_titulos(pdf: Documento, tabla: _Tabla) -> float:
    if tabla.alto_titulos is None:
        tabla.alto_titulos = (
            max(len(x) for x in _lineas_titulos(pdf, tabla)) * _LINEA + 2 * _RELLENO
        )
        pdf.set_font(FUENTE, "", _CUERPO)
    return tabla.alto_titulos


def _titulos(pdf: Documento, tabla: _Tabla, y: float) -> float:
    lineas = _lineas_titulos(pdf, tabla)
    alto = max(len(x) for x in lineas) * _LINEA + 2 * _RELLENO
    pdf.set_fill_color(217, 225, 242)
    for x, w in zip(tabla.x, tabla.anchos, strict=True):
        pdf.rect(x, y, w, alto, style="DF")
    pdf.set_fill_color(0)  # text is drawn in the fill colour
    for x, texto in zip(tabla.x, lineas, strict=True):
        pdf.lineas_en(x + _RELLENO, y + _RELLENO, texto, _LINEA)
    pdf.set_font(FUENTE, "", _CUERPO)
    return y + alto


def _celdas(pdf: Documento, f: FilaAnexoA) -> list[str]:
    return [
        str(f.numero),
        pdf.limpiar(f.asm),
        f.clasificacion.etiqueta,
        pdf.limpiar(f.area_responsable),
        pdf.limpiar(f.actividades),
        formato_fecha(f.fecha_termino) if f.fecha_termino else "",
        pdf.limpiar(f.resultados_esperados),
        pdf.limpiar(f.productos_evidencias),
        "" if f.avance is None else f"{f.avance} %",
        pdf.limpiar(f.observaciones),
    ]


def _fila(
    pdf: Documento,
    tabla: _Tabla,
    y: float,
    celdas: Sequence[str],
    plan: PlanAnexoA,
    encabezado: Encabezado,
) -> float:
    lineas = [pdf.partir(t, w - 2 * _RELLENO) for t, w in zip(celdas, tabla.anchos, strict=True)]
    n = max(len(x) for x in lineas)
    alto = n * _LINEA + 2 * _RELLENO
    # A row that fits on a page never splits: it goes to the next page. One taller than a
    # page starts here (if a few lines fit) and continues on the next pages.
    cabe_en_una = alto <= _limite(pdf) - _alto_titulos(pdf, tabla) - pdf.t_margin
    if y + alto > _limite(pdf) and (cabe_en_una or y + 2 * _RELLENO + 3 * _LINEA > _limite(pdf)):
        y = _pagina_nueva(pdf, tabla)
    hecho = 0
    while True:
        # A row taller than a whole page is the only one that continues on the next.
        caben = max(1, int((_limite(pdf) - y - 2 * _RELLENO) // _LINEA))
        trozo = min(caben, n - hecho)
        alto = trozo * _LINEA + 2 * _RELLENO
        for x, w, texto in zip(tabla.x, tabla.anchos, lineas, strict=True):
            pdf.rect(x, y, w, alto)
            pdf.lineas_en(x + _RELLENO, y + _RELLENO, texto[hecho : hecho + trozo], _LINEA)
        hecho += trozo
        y += alto
        if hecho >= n:
            return y
        y = _pagina_nueva(pdf, tabla)


def _pagina_nueva(pdf: Documento, tabla: _Tabla) -> float:
    pdf.add_page()
    return _titulos(pdf, tabla, pdf.t_margin)
