"""The /resumen chart as PNG pages, sized for a phone screen.

Made with matplotlib's object API and its Agg canvas, never pyplot: no global state, so a
worker thread can draw while the event loop keeps answering. Only DejaVu Sans, which
matplotlib ships, so nothing is looked up or downloaded.

Telegram commonly scales a photo down to 1,280 px on its longest side; a page of 1,080 by at
most 1,280 px is shown at the size it was drawn, so many dependencias make several pages
rather than one tall picture whose text would shrink.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from io import BytesIO

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from bot.dominio.periodos import formato_fecha
from bot.dominio.texto import por_ciento
from bot.servicios.resumen import Resumen, ResumenDependencia

DPI = 150
ANCHO = 7.2  # inches: 1,080 px
FILAS_POR_PAGINA = 14  # keeps a page under 1,280 px tall
FILA = 0.5  # inches per dependencia
ARRIBA = 1.35  # title, subtitle and column headers
ABAJO = 0.75  # the x axis and the note
FUENTE = "DejaVu Sans"
GRANDE, NORMAL, CHICA = 17, 14, 12  # points

# Left to right (inches): the bars, after room for a 12-character label; the semáforo.
BARRAS = (2.0, 4.4)
COLUMNAS = (4.55, 7.1)

AZUL = "#1f5f8b"
GRIS = "#e6e6e6"
SEMAFORO = (  # (header, fill, text colour): counts are written, so colour is not needed
    ("A\ntiempo", "#2e7d32", "white"),
    ("En\nriesgo", "#f2c200", "black"),
    ("Vencido", "#c62828", "white"),
)


def graficas_resumen(r: Resumen) -> list[bytes]:
    """One PNG per page of at most FILAS_POR_PAGINA dependencias, pages of equal size."""
    paginas = max(1, math.ceil(len(r.dependencias) / FILAS_POR_PAGINA))
    por_pagina = math.ceil(len(r.dependencias) / paginas)
    return [
        _pagina(r, r.dependencias[i * por_pagina : (i + 1) * por_pagina], i + 1, paginas)
        for i in range(paginas)
    ]


def _pagina(r: Resumen, filas: Sequence[ResumenDependencia], pagina: int, paginas: int) -> bytes:
    alto = ARRIBA + FILA * len(filas) + ABAJO
    fig = Figure(figsize=(ANCHO, alto), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)

    def caja(x0: float, x1: float) -> tuple[float, float, float, float]:
        """An axes box in figure fractions, from inches, over the rows of this page."""
        return (x0 / ANCHO, ABAJO / alto, (x1 - x0) / ANCHO, FILA * len(filas) / alto)

    subtitulo = f"Al {formato_fecha(r.hoy)} · de menor a mayor avance"
    if paginas > 1:
        subtitulo += f" · {pagina} de {paginas}"
    fig.text(
        0.15 / ANCHO,
        1 - 0.12 / alto,
        "Avance de los ASM por dependencia",
        fontsize=GRANDE,
        fontweight="bold",
        family=FUENTE,
        va="top",
    )
    fig.text(
        0.15 / ANCHO,
        1 - 0.5 / alto,
        subtitulo,
        fontsize=CHICA,
        family=FUENTE,
        color="#444444",
        va="top",
    )

    barras = fig.add_axes(caja(*BARRAS))
    _barras(barras, filas)
    semaforo = fig.add_axes(caja(*COLUMNAS), sharey=barras)
    _semaforo(semaforo, filas)
    fig.text(
        0.15 / ANCHO,
        0.1 / alto,
        "Sin avance informado, un ASM cuenta como 0 %.",
        fontsize=CHICA,
        family=FUENTE,
        color="#444444",
    )

    salida = BytesIO()
    fig.savefig(salida, format="png", dpi=DPI)
    return salida.getvalue()


def _barras(ax: Axes, filas: Sequence[ResumenDependencia]) -> None:
    y = range(len(filas))
    valores = [d.avance_promedio for d in filas]
    ax.barh(y, valores, height=0.62, color=AZUL)
    for i, v in zip(y, valores, strict=True):
        dentro = v >= 78  # a long bar holds its own figure; a short one has it at its end
        cifra = por_ciento(math.floor(v))  # rounded down: 100% only when every ASM is complete
        ax.text(
            v - 2 if dentro else v + 2,
            i,
            cifra,
            va="center",
            ha="right" if dentro else "left",
            color="white" if dentro else "black",
            fontsize=NORMAL,
            fontweight="bold",
            family=FUENTE,
        )
    ax.set_xlim(0, 100)
    ax.set_ylim(len(filas) - 0.5, -0.5)  # first row at the top
    ax.set_yticks(list(y), [d.etiqueta for d in filas], fontsize=NORMAL, family=FUENTE)
    ax.set_xticks([0, 50, 100], ["0 %", "50 %", "100 %"], fontsize=CHICA, family=FUENTE)
    ax.tick_params(length=0)
    ax.grid(axis="x", color=GRIS, linewidth=1)
    ax.set_axisbelow(True)
    for lado in ("top", "right", "bottom"):
        ax.spines[lado].set_visible(False)
    ax.set_title("Avance promedio", fontsize=NORMAL, family=FUENTE, loc="left", pad=8)


def _semaforo(ax: Axes, filas: Sequence[ResumenDependencia]) -> None:
    for i, d in enumerate(filas):
        cuentas = (d.a_tiempo, d.en_riesgo, d.vencidos)
        for j, ((_, relleno, tinta), n) in enumerate(zip(SEMAFORO, cuentas, strict=True)):
            ax.add_patch(
                FancyBboxPatch(
                    (j - 0.36, i - 0.3),
                    0.72,
                    0.6,
                    boxstyle="round,pad=0,rounding_size=0.12",
                    facecolor=relleno if n else GRIS,
                    edgecolor="none",
                )
            )
            ax.text(
                j,
                i,
                str(n),
                ha="center",
                va="center",
                fontsize=NORMAL,
                fontweight="bold" if n else "normal",
                color=tinta if n else "#777777",
                family=FUENTE,
            )
    ax.set_xlim(-0.5, 2.5)
    ax.set_xticks(range(3), [t for t, _, _ in SEMAFORO], fontsize=CHICA, family=FUENTE)
    ax.xaxis.tick_top()
    ax.tick_params(length=0, labelleft=False)
    for lado in ax.spines.values():
        lado.set_visible(False)
