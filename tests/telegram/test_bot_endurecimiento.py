"""What a person sees when Telegram or the phone misbehaves: a double tap, a late answer."""

import asyncio
from typing import Any

from sqlalchemy import select

from bot.dominio.vocabulario import Rol
from bot.mensajes import textos
from botapi_double import SimUser
from botapi_double.server import QUERY_INVALID, ApiError
from storage.models import Avance
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
