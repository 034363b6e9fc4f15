"""What a person sees when Telegram or the phone misbehaves: a double tap, a late answer."""

import asyncio
import io
import zipfile
from typing import Any

from sqlalchemy import select

from bot.dominio.vocabulario import Rol
from bot.mensajes import textos
from botapi_double import SimUser
from botapi_double.server import QUERY_INVALID, ApiError
from storage.models import Avance, Evidencia
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _hasta_confirmar(arnes: Arnes) -> SimUser:
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    await ana.send("/avance")
    await ana.press("Núm. 1 · E003")
    await ana.send("60")
    await ana.press("Omitir")
    await ana.send_document(PDF, "minuta.pdf", "application/pdf")
    await ana.press("Listo")
    assert ana.last.labels() == ["Confirmar", "Corregir", "Cancelar"]
    return ana


def _avances(arnes: Arnes) -> list[str | None]:
    return arnes.bd(lambda s: list(s.scalars(select(Avance.folio).where(Avance.origen == "bot"))))


def _textos(u: SimUser) -> list[str]:
    return [m.text for m in u.messages]


async def test_a_double_tap_on_confirmar_saves_once_and_never_says_it_was_not_saved(
    arnes: Arnes,
) -> None:
    ana = await _hasta_confirmar(arnes)
    pantalla = ana.last
    await asyncio.gather(ana.press("Confirmar", pantalla), ana.press("Confirmar", pantalla))
    (folio,) = _avances(arnes)
    assert folio is not None and sum(folio in t for t in _textos(ana)) == 1
    assert not any("no se guardó" in t or "Ocurrió un error" in t for t in _textos(ana)), (
        ana.transcript()
    )


async def test_a_late_answer_to_the_press_still_gives_the_receipt(arnes: Arnes) -> None:
    ana = await _hasta_confirmar(arnes)

    async def demasiado_tarde(params: dict[str, Any], uploads: dict[str, Any]) -> bool:
        raise ApiError(400, QUERY_INVALID)

    arnes.double._methods["answercallbackquery"] = ("answerCallbackQuery", demasiado_tarde)
    await ana.press("Confirmar")
    (folio,) = _avances(arnes)
    assert folio is not None and folio in ana.last.text, ana.transcript()
    assert not any("Ocurrió un error" in t for t in _textos(ana))


async def test_the_error_message_never_claims_nothing_was_saved() -> None:
    assert "no se guardó" not in textos.ERROR_INESPERADO
    assert "/historial" in textos.ERROR_INESPERADO


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("foto.txt", "fotos de la mesa de trabajo")
    return buf.getvalue()


async def test_files_named_as_programs_are_served_under_their_detected_type(
    arnes: Arnes,
) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    await ana.send("/avance")
    await ana.press("Núm. 1 · E003")
    await ana.send("60")
    await ana.press("Omitir")
    await ana.send_document(PDF, "informe.hta", "application/hta")
    await ana.send_document(PDF + b"%x", "reporte.html", "text/html")
    await ana.send_document(PDF + b"%y", "informe.exe", "application/x-msdownload")
    await ana.send_document(_zip(), "fotos.scr", "application/octet-stream")
    await ana.press("Listo")
    await ana.press("Confirmar")
    await coord.send("/asm 1")
    etiquetas = coord.last.labels()
    assert {"⬇️ informe.pdf", "⬇️ reporte.pdf", "⬇️ fotos.zip"} <= set(etiquetas), etiquetas
    for etiqueta, nombre, tipo in [
        ("⬇️ informe.pdf", "informe.pdf", "application/pdf"),
        ("⬇️ fotos.zip", "fotos.zip", "application/zip"),
    ]:
        await coord.press(etiqueta)
        documento = coord.last.document
        assert documento is not None
        assert (documento.file_name, documento.mime_type) == (nombre, tipo)
    nombres = arnes.bd(lambda s: list(s.scalars(select(Evidencia.nombre_original))))
    assert "informe.hta" in nombres  # what she called it is kept, as a label


async def test_nul_and_control_characters_never_block_a_report(arnes: Arnes) -> None:
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    await ana.send("/avance")
    await ana.press("Núm. 1 · E003")
    await ana.send("60")
    await ana.send("Mesa\x00 de\x07 trabajo\x1b")
    for i in range(11):
        nombre = f"min\x00uta\x1b{i}.pdf" if i == 5 else f"minuta{i}.pdf"
        await ana.send_document(PDF + str(i).encode(), nombre, "application/pdf")
    await ana.press("Listo")
    await ana.press("Confirmar")
    (folio,) = _avances(arnes)
    assert folio is not None and folio in ana.last.text, ana.transcript()
    obs = arnes.bd(
        lambda s: s.scalars(select(Avance.observaciones).where(Avance.origen == "bot")).one()
    )
    assert obs == "Mesa de trabajo"
    nombres = arnes.bd(lambda s: sorted(s.scalars(select(Evidencia.nombre_original))))
    assert len(nombres) == 11 and "minuta5.pdf" in nombres
