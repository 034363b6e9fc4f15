"""The oficio of Art. 13 as a PDF: a dependencia delivers a month's progress to IMPLAN's
Departamento de Evaluación, with a copy to the Contraloría, listing each ASM and its evidence.

Pure layout: plain values in, bytes out. Its wording is the document's, not a chat message.
The verification code goes three times into the file: printed, in a QR, and in the document's
keywords (`MARCA` + code), so a copy that was edited can still say which oficio it claims to be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import segno

from bot.anexo_a.pdf import FUENTE, MONO, Documento
from bot.dominio.periodos import MESES, nombre_mes

MARCA = "asmbot-verificacion:"
_TEXTO_ASM = 300  # characters of an ASM's text shown; the Anexo A has it whole
_LINEA = 4.4  # mm between lines of body text


@dataclass(frozen=True)
class EvidenciaOficio:
    nombre: str
    tipo: str
    tamano: int  # bytes
    sha256: str


@dataclass(frozen=True)
class AsmOficio:
    programa: str  # "E003 Asistencia social"
    evaluacion: str  # "Evaluación interna, ejercicio evaluado 2025"
    numero: int
    texto: str
    porcentaje: int
    anterior: int | None  # the % reported before this month
    observaciones: str
    folio: str
    evidencias: Sequence[EvidenciaOficio]


@dataclass(frozen=True)
class DatosOficio:
    """What the oficio says; the same deliveries give the same `DatosOficio`."""

    municipio: str
    instituto: str
    dependencia: str
    mes: date  # first day of the month delivered
    asm: Sequence[AsmOficio]
    enlace: str  # who delivers: the enlace who reported last
    cargo: str  # "Enlace SEDEM"


@dataclass(frozen=True)
class Emision:
    numero: str
    codigo: str
    lugar: str
    fecha: date
    bot: str  # the bot's username, where /verificar works


def fecha_larga(d: date) -> str:
    """`2 de diciembre de 2026`."""
    return f"{d.day} de {MESES[d.month - 1]} de {d.year}"


def tamano_legible(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def escribir_oficio(datos: DatosOficio, emision: Emision) -> bytes:
    pdf = _Oficio(f"Oficio {emision.numero} · Código de verificación {emision.codigo}")
    pdf.set_title(f"Oficio {emision.numero}")
    pdf.set_subject(f"Entrega de avances de los ASM, {nombre_mes(datos.mes)}")
    pdf.set_author(datos.dependencia)
    pdf.set_keywords(MARCA + emision.codigo)
    pdf.add_page()
    pdf.encabezado(datos, emision)
    pdf.cuerpo(datos)
    pdf.cierre(datos, emision)
    return bytes(pdf.output())


class _Oficio(Documento):
    def __init__(self, pie: str) -> None:
        super().__init__("P", pie)
        self.set_margins(20, 18, 20)
        self.y_actual = self.t_margin

    @property
    def util(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def _espacio(self, alto: float) -> None:
        if self.y_actual + alto > self.h - 16:
            self.add_page()
            self.y_actual = self.t_margin

    def parrafo(
        self,
        texto: str,
        *,
        estilo: str = "",
        tamano: float = 9.5,
        sangria: float = 0,
        familia: str = FUENTE,
        alto: float = _LINEA,
        derecha: bool = False,
        ancho: float | None = None,
    ) -> None:
        self.set_font(familia, estilo, tamano)
        disponible = (ancho or self.util) - sangria
        for linea in self.partir(self.limpiar(texto, familia), disponible):
            self._espacio(alto)
            x = self.l_margin + sangria
            if derecha:
                x = self.l_margin + disponible - self.ancho(linea)
            self.lineas_en(x, self.y_actual, [linea], alto)
            self.y_actual += alto

    def blanco(self, alto: float = _LINEA) -> None:
        self.y_actual += alto

    def encabezado(self, datos: DatosOficio, emision: Emision) -> None:
        lado = 26.0
        x_qr = self.w - self.r_margin - lado
        _qr(self, emision.codigo, x_qr, self.t_margin, lado)
        self.set_font(MONO, "", 7)
        w = self.ancho(emision.codigo)
        self.lineas_en(x_qr + (lado - w) / 2, self.t_margin + lado + 0.5, [emision.codigo], 3)
        ancho = self.util - lado - 4
        self.parrafo(datos.municipio, estilo="B", tamano=11, ancho=ancho, alto=5.2)
        self.parrafo(datos.dependencia, estilo="B", tamano=10, ancho=ancho, alto=5)
        self.blanco(2)
        self.parrafo(f"Oficio núm. {emision.numero}", ancho=ancho)
        self.parrafo(f"Asunto: Entrega de avances de los ASM, {nombre_mes(datos.mes)}", ancho=ancho)
        self.y_actual = max(self.y_actual, self.t_margin + lado + 5)
        self.blanco(2)
        self.parrafo(f"{emision.lugar}, a {fecha_larga(emision.fecha)}", derecha=True)
        self.blanco(3)
        self.parrafo("Departamento de Evaluación", estilo="B")
        self.parrafo(datos.instituto)
        self.parrafo("P r e s e n t e")
        self.blanco(3)

    def cuerpo(self, datos: DatosOficio) -> None:
        self.parrafo(
            "Con fundamento en el artículo 13 de los Lineamientos para el Mecanismo de "
            "Seguimiento a los Aspectos Susceptibles de Mejora, entrego el avance de "
            f"{nombre_mes(datos.mes)} de los ASM a cargo de {datos.dependencia}, con los "
            "documentos probatorios que se enlistan. La huella sha256 de cada archivo permite "
            "comprobar que es el mismo que se entregó."
        )
        grupo: tuple[str, str] | None = None
        for a in datos.asm:
            if (a.programa, a.evaluacion) != grupo:
                grupo = (a.programa, a.evaluacion)
                self.blanco(2)
                self._espacio(_LINEA * 3)  # a heading never ends a page
                self.parrafo(f"Pp o fondo: {a.programa}", estilo="B")
                self.parrafo(a.evaluacion, tamano=9)
            self._asm(a)

    def _asm(self, a: AsmOficio) -> None:
        self.blanco(1.5)
        self._espacio(_LINEA * 3)
        texto = " ".join(a.texto.split())
        if len(texto) > _TEXTO_ASM:
            texto = texto[: _TEXTO_ASM - 1].rstrip() + "…"
        self.parrafo(f"Núm. {a.numero}. {texto}", estilo="B", tamano=9, sangria=3)
        anterior = "sin avance previo" if a.anterior is None else f"antes {a.anterior} %"
        self.parrafo(
            f"Avance informado: {a.porcentaje} % ({anterior}) · Folio {a.folio}",
            tamano=9,
            sangria=3,
        )
        if a.observaciones.strip():
            self.parrafo(f"Observaciones: {a.observaciones.strip()}", tamano=9, sangria=3)
        if not a.evidencias:
            self.parrafo("Evidencias: ninguna en este mes.", tamano=9, sangria=3)
            return
        self.parrafo(f"Evidencias ({len(a.evidencias)}):", tamano=9, sangria=3)
        for ev in a.evidencias:
            self._espacio(_LINEA * 2)
            self.parrafo(
                f"• {ev.nombre} · {ev.tipo} · {tamano_legible(ev.tamano)} ({ev.tamano:,} bytes)",
                tamano=8.5,
                sangria=6,
                alto=4,
            )
            self.parrafo(f"sha256 {ev.sha256}", familia=MONO, tamano=7, sangria=9, alto=3.6)

    def cierre(self, datos: DatosOficio, emision: Emision) -> None:
        self.blanco(4)
        self._espacio(62)  # the signature block, c.c.p. and note stay together (about 56 mm)
        self.parrafo("Sin otro particular, reciba un cordial saludo.")
        self.blanco(2)
        self.parrafo("Atentamente", estilo="B")
        self.blanco(16)  # room for the signature
        self.set_draw_color(0)
        self.line(self.l_margin, self.y_actual, self.l_margin + 70, self.y_actual)
        self.blanco(1)
        self.parrafo(datos.enlace, estilo="B")
        self.parrafo(f"{datos.cargo} · {datos.dependencia}", tamano=9)
        self.blanco(4)
        self.parrafo(
            "c.c.p. Contraloría Municipal. Para su conocimiento (artículo 13 de los Lineamientos).",
            tamano=8.5,
        )
        self.blanco(2)
        self.parrafo(
            f"Verifique este oficio: escriba /verificar {emision.codigo} a @{emision.bot} en "
            "Telegram, o envíele este PDF. El código también está en el QR.",
            tamano=7.5,
            alto=3.6,
        )


def _qr(pdf: Documento, contenido: str, x: float, y: float, lado: float) -> None:
    """The QR as filled squares (no image): crisp at any zoom and when printed."""
    qr = segno.make(contenido, error="m", micro=False)
    filas = [list(f) for f in qr.matrix]
    n = len(filas)
    m = lado / (n + 4)  # two modules of quiet zone on each side
    x, y = x + 2 * m, y + 2 * m
    pdf.set_fill_color(0)
    for i, fila in enumerate(filas):
        j = 0
        while j < n:  # one rectangle per run of dark modules
            if fila[j]:
                inicio = j
                while j < n and fila[j]:
                    j += 1
                pdf.rect(x + inicio * m, y + i * m, (j - inicio) * m, m, style="F")
            else:
                j += 1
