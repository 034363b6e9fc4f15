"""What a person sees when Telegram or the phone misbehaves: a double tap, a late answer."""

import asyncio
import io
import json
import zipfile
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.dominio.vocabulario import Rol
from bot.mensajes import textos
from bot.servicios import registro
from botapi_double import SimUser
from botapi_double.html import parse_html
from botapi_double.server import QUERY_INVALID, ApiError
from storage.models import Asm, Avance, Borrador, Evidencia
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _hasta_confirmar(arnes: Arnes) -> SimUser:
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    await ana.send("/avance")
    await ana.press("Ver todos")
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
    await ana.press("Ver todos")
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
    await ana.press("Ver todos")
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


# The longest an Excel cell holds, with characters Telegram HTML must escape.
LARGO = ("Padrón & <único> de personas " * 1200)[:32767]
CAMPO_LARGO = ("Resultados & <metas> " * 200)[:3000]  # the bot's own limit for a plan field


def _sin_errores(*personas: SimUser) -> None:
    for u in personas:
        for m in u.messages:
            assert len(m.text) <= 4096, m.text[:80]
            assert "Ocurrió un error" not in m.text, u.transcript()[-3000:]


async def test_the_longest_texts_go_through_every_screen(arnes: Arnes) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    asm1 = arnes.bd(lambda s: s.scalars(select(Asm.id).where(Asm.numero == 1)).one())
    arnes.bd(
        lambda s: registro.nueva_version(
            s, s.get_one(Asm, asm1), date(2026, 11, 10), "test", origen="importacion",
            texto=LARGO, actividades=LARGO, area_responsable=LARGO, observaciones=LARGO,
        )
    )  # fmt: skip

    await ana.send("/avance")

    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    assert "Padrón &amp; &lt;único&gt;" in ana.last.html
    assert ana.last.labels()[-1] == "Cancelar"
    await ana.send("9" * 4096)  # an answer as long as Telegram allows, quoted back
    assert "no es un porcentaje" in ana.last.text and len(ana.last.text) < 200
    await ana.send("60")
    await ana.send(("Observación & <larga> " * 200)[:4096])
    await ana.send_document(PDF, ("informe largo " * 30)[:250] + ".pdf", "application/pdf")
    await ana.press("Listo")
    assert ana.last.labels() == ["Confirmar", "Corregir", "Cancelar"]
    await ana.press("Confirmar")
    (folio,) = _avances(arnes)
    assert folio is not None and folio in ana.last.text
    assert any(folio in m.text for m in coord.messages)  # the Art. 13 copy
    await ana.send("/asm 1")
    assert "Padrón" in ana.last.text

    await ana.send("/plan")
    await ana.press("Núm. 1 · E003")
    for campo in ("Actividades", "Resultados esperados", "Productos y evidencias"):
        await ana.press(campo)
        await ana.send(CAMPO_LARGO)
    await ana.press("Fecha de término")
    await ana.send("31/01/2027")
    await ana.press("Enviar a revisión")
    assert ana.last.text.startswith("📤 Se envió a revisión")
    await coord.send("/revisar")
    await coord.press("Núm. 1 · E003")
    assert "Enviar observaciones" in coord.last.labels()
    await coord.press("Enviar observaciones")
    await coord.send(("Precise & <meta> " * 300)[:4096])
    assert "Se enviaron las observaciones" in coord.last.text
    await ana.press("Corregir el plan")
    assert "Estado: Con observaciones" in ana.last.text
    _sin_errores(ana, coord)


def test_shortened_html_stays_valid_keeps_both_ends_and_fits() -> None:
    for limite in (200, 1024, 4096):
        for texto in [
            "<b>Hola &amp; adiós</b> " * 500 + "¿Qué porcentaje?",
            "<i>" + "a&lt;b " * 3000 + "</i>¿Qué porcentaje?",
            '<a href="https://x.mx">' + "z" * 9000 + "</a>¿Qué porcentaje?",
        ]:
            corto = textos.ajustar(texto, limite)
            visible = parse_html(corto).text  # raises, as Telegram would, on broken HTML
            assert len(visible) <= limite
            assert visible.endswith("¿Qué porcentaje?") and "…" in visible
    assert textos.ajustar("<b>corto</b>", 200) == "<b>corto</b>"
    assert 150 < len(textos.ajustar("x" * 300, 200, html=False)) <= 200


async def test_the_invitation_code_never_reaches_the_drafts_table(arnes: Arnes) -> None:
    ana = arnes.double.user(first_name="Ana")
    codigo = arnes.invitar(Rol.ENLACE, "SMDIF")
    await ana.send(f"/start {codigo}")
    guardado = arnes.bd(lambda s: [json.dumps(b.datos) for b in s.scalars(select(Borrador))])
    assert guardado and not any(codigo in d for d in guardado)
    await ana.press("Acepto")
    assert "Su registro como" in ana.last.text
