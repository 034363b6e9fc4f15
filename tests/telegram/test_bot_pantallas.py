"""Clean screens, end to end: a passed step loses its keyboard, the files of a step are listed in
one message that updates, a long observación is shortened in the summary, a file that is not
what its name says is told so, a camera photo is evidence with a name of its own, and the dates
of evidence and reports are the bot's clock in the configured time zone."""

import io
import zipfile
from datetime import UTC, datetime

from sqlalchemy import select

from bot.dominio.vocabulario import Rol
from botapi_double import SimUser
from storage.models import Avance, Evidencia
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64


def _zip(*partes: str) -> bytes:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for parte in partes:
            z.writestr(parte, "<x/>")
    return b.getvalue()


async def _enlace(arnes: Arnes) -> SimUser:
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    return ana


async def _en_evidencia(ana: SimUser) -> None:
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("50")
    await ana.press("Omitir")


async def test_a_passed_step_loses_its_keyboard_by_button_or_by_typing(arnes: Arnes) -> None:
    ana = await _enlace(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    lista = ana.last
    await ana.press("Núm. 1 · E003")
    assert lista.labels() == []  # pressed
    porcentaje = ana.last
    await ana.send("sesenta")  # a mistake does not pass the step: the buttons stay
    assert porcentaje.labels() == ["40 %", "50 %", "65 %", "100 %", "Ver todos", "Cancelar"]
    await ana.send("60")  # typed: the quick buttons of the % go
    assert porcentaje.labels() == []
    observaciones = ana.last
    assert observaciones.labels() == ["Omitir", "Cancelar"]
    await ana.send("Se hizo la segunda mesa")
    assert observaciones.labels() == []
    evidencia = ana.last
    assert evidencia.labels() == ["Listo", "Sin evidencia", "Cancelar"]
    await ana.send_document(PDF, "minuta.pdf")
    assert evidencia.labels() == []  # the list of files carries the step's buttons now
    assert ana.last.labels() == ["Listo", "Cancelar"]
    await ana.press("Listo")
    resumen = ana.last
    await ana.send("/cancelar")
    assert resumen.labels() == []
    # No message of the chat keeps buttons once the conversation is over.
    assert [m.message_id for m in ana.messages if m.labels()] == []


async def test_a_flow_that_ends_by_typing_leaves_no_keyboard(arnes: Arnes) -> None:
    ana = await _enlace(arnes)
    await ana.send("/prorroga 2")
    fecha = ana.last
    assert fecha.labels() == ["Cancelar"]
    await ana.send("31/01/2027")
    assert fecha.labels() == []
    justificacion = ana.last
    assert justificacion.labels() == ["Cancelar"]
    await ana.send("Cambio de titular en el área")
    assert "Se envió su solicitud de prórroga" in ana.last.text
    assert justificacion.labels() == []
    assert not any(m.labels() for m in ana.messages)


async def test_plan_and_valoracion_keep_one_live_keyboard(arnes: Arnes) -> None:
    ana = await _enlace(arnes)
    await ana.send("/plan")
    await ana.press("Núm. 1 · E003")
    menu = ana.last
    await ana.press("Actividades")
    pregunta = ana.last
    assert pregunta.labels() == ["Cancelar"]
    await ana.send("Depurar el padrón con el Registro Civil")
    assert pregunta.labels() == []  # typed: passed
    assert menu.labels() == []
    assert ana.last.labels()[0] == "Actividades"  # the plan's menu again, the only one live
    assert sum(bool(m.labels()) for m in ana.messages) == 1

    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    await coord.send("/valorar 2")
    opciones = coord.last
    await coord.press("No atendido")
    assert opciones.labels() == []
    await coord.send("Falta de personal en el área")
    assert "Se registró «No atendido»" in coord.last.text
    assert not any(m.labels() for m in coord.messages)


async def test_files_of_a_step_are_listed_in_one_message_that_updates(arnes: Arnes) -> None:
    ana = await _enlace(arnes)
    await _en_evidencia(ana)
    antes = len(ana.messages)
    await ana.send_document(PDF, "minuta.pdf")
    lista = ana.last
    assert lista.text == (
        "📎 Recibidos: 1 archivo\n• minuta.pdf (PDF, 1 KB)\nEnvíe otro o pulse «Listo»."
    )
    await ana.send_document(PNG, "foto del evento.png")
    await ana.send_document(b"", "vacio.pdf")  # refused: told apart, the list stays the one
    assert ana.last.text == "El archivo está vacío; envíelo de nuevo."
    await ana.send_document(_zip("[Content_Types].xml", "xl/workbook.xml"), "avance.xlsx")
    assert len(ana.messages) == antes + 2  # one list, one refusal
    assert lista.text.startswith("📎 Recibidos: 3 archivos\n• minuta.pdf (PDF, 1 KB)\n")
    assert "• foto del evento.png (imagen PNG, 1 KB)" in lista.text
    assert "• avance.xlsx (Excel, 1 KB)" in lista.text
    assert lista.edits == 2
    assert lista.labels() == ["Listo", "Cancelar"]
    await ana.press("Listo", lista)
    assert "Evidencia: 3 archivos: «minuta.pdf», «foto del evento.png»" in ana.last.text


async def test_a_long_observacion_is_shortened_in_the_summary_and_kept_whole(
    arnes: Arnes,
) -> None:
    ana = await _enlace(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("50")
    largo = " ".join(f"Paso {i}: se revisó el padrón con la dirección de área." for i in range(40))
    assert len(largo) > 2000 - 1  # as long as the step takes
    await ana.send(largo)
    await ana.press("Sin evidencia")
    resumen = ana.last.text
    linea = next(x for x in resumen.splitlines() if x.startswith("Observaciones:"))
    assert linea.startswith("Observaciones: Paso 0: se revisó el padrón")
    assert linea.endswith("… (se guarda completa: 2000 caracteres)")
    assert len(linea) < 400
    await ana.press("Confirmar")
    guardada = arnes.bd(lambda s: s.scalars(select(Avance.observaciones)).all())
    assert [o for o in guardada if o.startswith("Paso 0")] == [largo[:2000].strip()]


async def test_a_file_that_is_not_what_its_name_says_is_told_so(arnes: Arnes) -> None:
    ana = await _enlace(arnes)
    await _en_evidencia(ana)
    casos = [
        (PNG, "informe.pdf", "El archivo se llama .pdf pero no es un PDF."),
        (_zip("notas.txt"), "avance.xlsx", "El archivo se llama .xlsx pero no es una hoja de Excel."),
        (PDF, "oficio.docx", "El archivo se llama .docx pero no es un documento de Word."),
        (PDF, "foto.jpg", "El archivo se llama .jpg pero no es una imagen JPG."),
        (b"<html>tabla</html>" * 10, "reporte.xls", "El archivo se llama .xls pero no es una hoja de Excel."),
    ]  # fmt: skip
    for contenido, nombre, dice in casos:
        await ana.send_document(contenido, nombre)
        assert ana.last.text.startswith(dice), nombre
        assert "ábralo en su equipo, guárdelo de nuevo como" in ana.last.text
    # A picture under another picture's ending is kept, served under its own.
    await ana.send_document(PNG, "evento.jpg")
    # A Word file whose parts come in another order is still Word.
    await ana.send_document(_zip("word/document.xml", "[Content_Types].xml"), "minuta.docx")
    assert ana.last.text.startswith("📎 Recibidos: 2 archivos")
    assert "• minuta.docx (Word, 1 KB)" in ana.last.text


async def test_a_camera_photo_is_evidence_with_a_name_of_its_own(arnes: Arnes) -> None:
    ana = await _enlace(arnes)
    await _en_evidencia(ana)
    await ana.send_photo(JPG)
    tamanos = list(ana.sent.values())[-1]["photo"]
    await ana.send_photo(JPG + b"otra")  # same minute: the name is not repeated
    await ana.send_photo(JPG)  # the same picture again is told by the name it had
    assert (
        ana.last.text == "«foto_2026-11-18_1100.jpg» ya estaba en la lista; no se agregó dos veces."
    )
    await ana.send("¿y ahora?")  # the list with «Listo» stays where it was
    # 18/11/2026 17:00 UTC is 11:00 in Puebla.
    lista = next(m for m in reversed(ana.messages) if m.labels())
    assert "• foto_2026-11-18_1100.jpg (imagen JPEG, 1 KB)" in lista.text
    assert "• foto_2026-11-18_1100 (2).jpg (imagen JPEG, 1 KB)" in lista.text
    await ana.press("Listo")
    await ana.press("Confirmar")
    fotos = arnes.bd(
        lambda s: s.execute(
            select(Evidencia.nombre_original, Evidencia.telegram_file_id).order_by(Evidencia.id)
        ).all()
    )
    assert [f[0] for f in fotos] == ["foto_2026-11-18_1100.jpg", "foto_2026-11-18_1100 (2).jpg"]
    grande = max(tamanos, key=lambda t: t["width"])
    assert fotos[0][1] == grande["file_id"]  # the largest size, not the thumbnail


async def test_dates_follow_the_bots_clock_in_the_configured_time_zone(arnes: Arnes) -> None:
    # 02/12/2026 01:02 UTC is Tuesday 01/12/2026, 19:02 in Puebla; the machine's own clock
    # says something else, and the sandbox moves only the bot's.
    arnes.reloj.actual = datetime(2026, 12, 2, 1, 2, tzinfo=UTC)
    ana = await _enlace(arnes)
    await ana.send("/evidencia")
    await ana.press("Núm. 2 · E003")
    await ana.send_document(PDF, "acta.pdf")
    await ana.press("Listo")
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("70")
    await ana.press("Omitir")
    await ana.send_photo(JPG)
    assert "foto_2026-12-01_1902.jpg" in ana.last.text
    await ana.press("Listo")
    await ana.press("Confirmar")

    registrados = arnes.bd(
        lambda s: (
            list(s.scalars(select(Evidencia.registrado_en)))
            + list(s.scalars(select(Avance.registrado_en).where(Avance.origen == "bot")))
        )
    )
    assert registrados == [arnes.reloj.actual] * 3
    await ana.send("/asm 2")
    assert "• acta.pdf (1 KB, 01/12/2026)" in ana.last.text
    await ana.send("/asm 1")
    assert "• foto_2026-12-01_1902.jpg (1 KB, 01/12/2026)" in ana.last.text
