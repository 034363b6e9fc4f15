"""The oficio of Art. 13 end to end: /oficio, the offer when the month is complete, the copies
to the coordination and the Contraloría, and /verificar with a code or the PDF."""

from __future__ import annotations

import hashlib
import io
import re

from pypdf import PdfReader
from sqlalchemy import select

from bot.dominio.vocabulario import Rol
from botapi_double import BotMessage, SimUser
from storage.models import Evidencia, Oficio
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _texto(contenido: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(contenido)).pages).split()
    )


async def _documento(u: SimUser, numero: int = 1) -> BotMessage:
    def archivos() -> list[BotMessage]:
        return [m for m in u.messages if m.document is not None]

    await u.wait_until(lambda _: len(archivos()) >= numero, timeout=15)
    return archivos()[numero - 1]


async def _informar(u: SimUser, boton: str, porcentaje: str, observaciones: str | None) -> None:
    await u.send("/avance")
    if boton not in u.last.text:  # /avance opens the next pending ASM, maybe another one
        await u.press("Ver todos")
        await u.press(boton)
    await u.send(porcentaje)
    if observaciones is None:
        await u.press("Omitir")
    else:
        await u.send(observaciones)
    await u.send_document(PDF + boton.encode(), "minuta.pdf", "application/pdf")
    await u.press("Listo")
    await u.press("Confirmar")
    assert any("Folio:" in m.text for m in u.messages[-2:]), u.transcript()


async def test_oficio_offered_when_the_month_is_complete_and_copied(arnes: Arnes) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    cont = arnes.double.user(first_name="Contraloría")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")

    await ana.send("/oficio")
    assert "aún no tiene entregas confirmadas" in ana.last.text

    await _informar(ana, "Núm. 1 · E003", "60", None)
    assert "Descargar el oficio" not in ana.last.labels()  # Núm. 2 is still pending
    assert not [m for m in coord.messages if m.document is not None]

    await ana.send("/oficio")
    assert ana.last.text.startswith("¿De qué mes quiere el oficio")
    assert ana.last.labels() == ["Noviembre de 2026 (en curso)"]
    await ana.press("Noviembre de 2026")
    parcial = await _documento(ana)
    assert parcial.document is not None
    assert parcial.document.file_name == "Oficio_OF-ASM-SMDIF-001-2026.pdf"
    assert parcial.text.startswith("Oficio OF-ASM/SMDIF/001/2026")
    texto = _texto(parcial.document.content)
    assert "Núm. 1. Integrar un padrón único" in texto and "Núm. 2." not in texto

    # The last pending ASM of the month: the oficio is issued, copied and offered, once (also
    # after the application was built again, as a restart or another test does).
    await arnes.reiniciar()
    await _informar(ana, "Núm. 2 · E003", "80", "Se retrasó por <b>cambio</b> de titular 😀")
    await ana.wait_until(lambda m: "Descargar el oficio" in m.labels(), timeout=15)
    assert len([m for m in ana.messages if "Descargar el oficio" in m.labels()]) == 1
    assert "ya informó todos sus ASM pendientes de noviembre de 2026" in ana.last.text
    await ana.press("Descargar el oficio")
    completo = await _documento(ana, 2)
    assert completo.document is not None
    assert completo.text.startswith("Oficio OF-ASM/SMDIF/002/2026")
    texto = _texto(completo.document.content)
    assert "Avance informado: 60 % (antes 40 %)" in texto
    assert "Avance informado: 80 % (antes 60 %)" in texto
    assert "Se retrasó por <b>cambio</b> de titular 😀" in texto
    assert "Ana López" in texto and "c.c.p. Contraloría Municipal" in texto
    shas = arnes.bd(lambda s: list(s.scalars(select(Evidencia.sha256).order_by(Evidencia.id))))
    assert len(shas) == 2 and all(f"sha256 {sha}" in texto for sha in shas)

    for u in (coord, cont):
        copia = await _documento(u)
        assert copia.document is not None
        assert copia.document.content == completo.document.content  # the same issued file
        assert "Sistema Municipal DIF" in copia.text and "OF-ASM/SMDIF/002/2026" in copia.text
    oficios = arnes.bd(lambda s: [(o.numero, o.asm) for o in s.scalars(select(Oficio))])
    assert oficios == [("OF-ASM/SMDIF/001/2026", 1), ("OF-ASM/SMDIF/002/2026", 2)]

    # Asking again with nothing new: the same oficio, no new number.
    await ana.send("/oficio")
    await ana.press("Noviembre de 2026")
    otra = await _documento(ana, 3)
    assert otra.document is not None and otra.document.content == completo.document.content
    assert "Es el mismo oficio que ya se emitió" in otra.text
    assert arnes.bd(lambda s: len(s.scalars(select(Oficio)).all())) == 2

    # Only enlaces ask for it; a forged month button is refused.
    await coord.send("/oficio")
    assert "lo genera el Enlace SEDEM" in coord.last.text
    await ana.press_data("of1:m:209912")
    assert "ya no está vigente" in ana.callback_answers[-1]["text"]


async def test_verificar_by_code_and_by_pdf(arnes: Arnes) -> None:
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    await _informar(ana, "Núm. 1 · E003", "60", None)
    await ana.send("/oficio")
    await ana.press("Noviembre de 2026")
    doc = await _documento(ana)
    assert doc.document is not None
    original = doc.document.content
    m = re.search(r"Código de verificación: (\S+)", doc.text)
    assert m is not None
    codigo = m.group(1)
    assert (
        arnes.bd(lambda s: s.scalars(select(Oficio.sha256)).one())
        == hashlib.sha256(original).hexdigest()
    )

    # Anyone, registered or not, with the code.
    extrano = arnes.double.user(first_name="Ciudadana")
    await extrano.send(f"/verificar {codigo.lower()}")
    assert "corresponde a un oficio emitido por este sistema" in extrano.last.text
    assert "OF-ASM/SMDIF/001/2026 de Sistema Municipal DIF" in extrano.last.text
    assert "noviembre de 2026, emitido el 18/11/2026 a las 11:00" in extrano.last.text
    await extrano.send("/verificar ABCD-EFGH-JKMN")
    assert "no corresponde a ningún oficio" in extrano.last.text
    await extrano.send("/verificar hola")
    assert "no parece un código de verificación" in extrano.last.text

    # The PDF with the caption /verificar: the issued file, an edited one, another PDF.
    await extrano.send_document(original, "oficio.pdf", "application/pdf", caption="/verificar")
    assert extrano.last.text.startswith("✅ Es un oficio emitido por este sistema")
    assert "el archivo no ha cambiado" in extrano.last.text
    editado = original.replace(b"/Producer", b"/Producer", 1) + b"\n% editado\n"
    await extrano.send_document(editado, "oficio.pdf", "application/pdf", caption="/verificar")
    assert "fue modificado" in extrano.last.text and "OF-ASM/SMDIF/001/2026" in extrano.last.text
    await extrano.send_document(PDF, "otro.pdf", "application/pdf", caption="/verificar")
    assert "no es un oficio emitido por este sistema" in extrano.last.text

    # A registered person: /verificar, then the file (not taken as evidence).
    await ana.send("/verificar")
    assert "envíe aquí el PDF" in ana.last.text
    await ana.send_document(original, "oficio.pdf", "application/pdf")
    assert ana.last.text.startswith("✅ Es un oficio emitido")
    assert arnes.bd(lambda s: len(s.scalars(select(Evidencia)).all())) == 1
