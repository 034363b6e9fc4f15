"""The enlace's monthly report, end to end: /avance, evidence, confirmation, copies."""

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.dominio.vocabulario import Rol
from bot.mensajes import textos
from botapi_double import SimUser
from storage.models import Asm, Auditoria, Avance, Borrador, Evidencia
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64


def _avances(arnes: Arnes) -> list[tuple[int, int, date, str, str | None]]:
    return arnes.bd(
        lambda s: [
            (a.asm_id, a.porcentaje, a.periodo, a.observaciones, a.folio)
            for a in s.scalars(select(Avance).where(Avance.origen == "bot").order_by(Avance.id))
        ]
    )


def _asm_id(arnes: Arnes, numero: int) -> int:
    return arnes.bd(lambda s: s.scalars(select(Asm.id).where(Asm.numero == numero)).one())


async def _enlace_dif(arnes: Arnes) -> SimUser:
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    return ana


async def test_full_report_with_evidence_receipt_and_copies(arnes: Arnes) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    cont = arnes.double.user(first_name="Contraloría")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    ana = await _enlace_dif(arnes)

    await ana.send("/avance")
    # The overdue ASM first (Núm. 2, due 30/10/2026), opened at once.
    assert ana.last.text.startswith("Pendiente 1 de 2 del avance de noviembre de 2026\nNúm. 2")
    await ana.press("Ver todos")
    lista = ana.last
    assert "noviembre de 2026" in lista.text
    etiquetas = lista.labels()
    assert etiquetas[0].startswith("Núm. 1 · E003 · 40 % · Integrar")
    assert etiquetas[1].startswith("Núm. 2 · E003 · 60 % · Documentar")
    assert not any("Núm. 3" in e for e in etiquetas)  # the Tesorería's ASM is not hers
    assert etiquetas[-1] == "Cancelar"

    await ana.press("Núm. 1 · E003")
    estado = ana.last.text
    assert "Actividades: Mesas de trabajo y documento final" in estado
    assert "Fecha de término: 15/12/2026 (19 días hábiles)" in estado
    assert "Último avance: 40 % (octubre de 2026)" in estado
    assert ana.last.labels() == ["40 %", "50 %", "65 %", "100 %", "Ver todos", "Cancelar"]

    await ana.send("sesenta")
    assert ana.last.text.startswith("«sesenta» no es un porcentaje")
    await ana.send(" 60 % ")
    assert ana.last.labels() == ["Omitir", "Cancelar"]
    await ana.press("Omitir")
    assert "Envíe la evidencia" in ana.last.text
    assert ana.last.labels() == ["Listo", "Sin evidencia", "Cancelar"]
    await ana.send_document(PDF, "minuta.pdf", "application/pdf")
    assert ana.last.text.startswith("📎 Recibidos: 1 archivo\n• minuta.pdf (PDF, 1 KB)")
    await ana.send_photo(PNG)
    assert ana.last.text.startswith("📎 Recibidos: 2 archivos\n• minuta.pdf")
    await ana.press("Listo")
    resumen = ana.last.text
    assert "Avance de noviembre de 2026: 40 % → 60 %" in resumen
    assert "Evidencia: 2 archivos: «minuta.pdf»" in resumen
    assert ana.last.labels() == ["Confirmar", "Corregir", "Cancelar"]
    assert _avances(arnes) == []  # nothing saved before «Confirmar»

    await ana.press("Confirmar")
    recibo = ana.last.text
    ((asm_id, pct, periodo, obs, folio),) = _avances(arnes)
    assert (asm_id, pct, periodo, obs) == (_asm_id(arnes, 1), 60, date(2026, 11, 1), "")
    assert folio is not None and folio.startswith("AV-202611-")
    assert f"Folio: {folio}" in recibo
    assert "Evidencia: 2 archivos nuevos" in recibo

    evidencias = arnes.bd(lambda s: s.scalars(select(Evidencia).order_by(Evidencia.id)).all())
    assert [(e.nombre_original, e.tipo_detectado) for e in evidencias] == [
        ("minuta.pdf", "application/pdf"),
        (evidencias[1].nombre_original, "image/png"),
    ]
    data = Path(arnes.entorno.settings.data_dir)
    assert (data / evidencias[0].ruta).read_bytes() == PDF
    assert evidencias[0].ruta.endswith(evidencias[0].sha256)
    assert ana.last.labels() == ["Siguiente pendiente (2 de 2)", "Terminar"]

    for copia in (coord.last.text, cont.last.text):
        assert "Entrega de avance" in copia
        assert "Dependencia: Sistema Municipal DIF" in copia
        assert f"Folio: {folio} · informó Ana López" in copia
        assert "40 % → 60 %" in copia

    await ana.press("Terminar")
    assert arnes.bd(lambda s: s.get(Borrador, ana.id)) is None
    await ana.send("/avance")  # only Núm. 2 is still due this month
    assert ana.last.text.startswith("Pendiente 1 de 1 del avance de noviembre de 2026\nNúm. 2")
    await ana.press("Ver todos")
    assert ana.last.labels()[0].endswith("✅")  # this month is reported
    assert not ana.last.labels()[1].endswith("✅")


async def test_lower_percent_or_late_asm_require_observaciones(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("30")
    assert "obligatorias porque el avance baja" in ana.last.text
    assert ana.last.labels() == ["Cancelar"]
    await ana.press_data("av1:omit")  # a forged «Omitir» does not skip them
    assert ana.callback_answers[-1]["text"] == textos.OBSERVACIONES_VACIAS
    await ana.send("Se corrigió: <b>el 40%</b> incluía & duplicados")
    await ana.press("Sin evidencia")
    assert "Observaciones: Se corrigió: <b>el 40%</b> incluía & duplicados" in ana.last.text
    await ana.press("Confirmar")
    assert _avances(arnes)[-1][1:4] == (
        30,
        date(2026, 11, 1),
        "Se corrigió: <b>el 40%</b> incluía & duplicados",
    )

    await ana.send("/avance")

    await ana.press("Ver todos")
    await ana.press("Núm. 2 · E003")  # its fecha de término (30/10/2026) already passed
    assert "venció hace" in ana.last.text
    await ana.send("80")
    assert "obligatorias porque la fecha de término ya pasó" in ana.last.text


async def test_hundred_percent_needs_evidence(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.press("100 %")
    await ana.press("Omitir")
    assert ana.last.labels() == ["Listo", "Cancelar"]  # no «Sin evidencia» at 100 %
    await ana.press_data("av1:sin")
    assert ana.callback_answers[-1]["text"] == textos.CIEN_SIN_EVIDENCIA
    await ana.press("Listo")
    assert ana.callback_answers[-1]["text"] == textos.FALTA_EVIDENCIA
    await ana.send_document(PDF, "acta.pdf")
    await ana.press("Listo")
    await ana.press("Confirmar")
    assert _avances(arnes)[-1][1] == 100


async def test_refused_files_say_why(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("50")
    await ana.press("Omitir")
    # The name says PDF; the content is a program: the type comes from the bytes.
    await ana.send_document(b"MZ\x90\x00" + b"\x00" * 100, "informe.pdf", "application/pdf")
    assert ana.last.text.startswith("El archivo se llama .pdf pero no es un PDF.")
    await ana.send_document(b"MZ\x90\x00" + b"\x00" * 100, "informe", "application/pdf")
    assert ana.last.text.startswith("Ese tipo de archivo no se acepta como evidencia.")
    await ana.send_document(b"", "vacio.pdf")
    assert ana.last.text == "El archivo está vacío; envíelo de nuevo."
    await ana.send_document(b"%PDF-1.4" + b"0" * (21 * 1024 * 1024), "grande.pdf")
    assert ana.last.text.startswith("El archivo pesa 21 MB y el máximo es 20 MB")
    await ana.send_document(PDF, "minuta.pdf")
    await ana.send_document(PDF, "minuta (copia).pdf")
    assert ana.last.text == "«minuta (copia).pdf» ya estaba en la lista; no se agregó dos veces."
    assert arnes.bd(lambda s: s.scalar(select(func.count()).select_from(Evidencia))) == 0


async def test_correct_and_cancel(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("55")
    await ana.press("Omitir")
    await ana.press("Sin evidencia")
    await ana.press("Corregir")
    assert ana.last.labels() == [
        "% de avance",
        "Observaciones",
        "Agregar archivo",
        "Volver al resumen",
    ]
    await ana.press("% de avance")
    assert "Escriba el nuevo % de avance" in ana.last.text
    await ana.send("65")  # back to the summary: the rest is kept
    assert "Avance de noviembre de 2026: 40 % → 65 %" in ana.last.text
    await ana.press("Corregir")
    await ana.press("Observaciones")
    await ana.send("Incluye la segunda mesa de trabajo")
    assert "Observaciones: Incluye la segunda mesa de trabajo" in ana.last.text
    await ana.press("Corregir")
    await ana.press("Agregar archivo")
    await ana.send_document(PDF, "minuta.pdf", "application/pdf")
    await ana.press("Listo")
    assert "Evidencia: 1 archivo: «minuta.pdf»" in ana.last.text
    await ana.press("Corregir")
    await ana.press("Quitar «minuta.pdf»")
    assert "Evidencia: sin evidencia" in ana.last.text
    await ana.press("Confirmar")
    assert [a[1:4] for a in _avances(arnes)] == [
        (65, date(2026, 11, 1), "Incluye la segunda mesa de trabajo")
    ]

    await ana.send("/avance")

    await ana.press("Ver todos")
    await ana.press("Núm. 2 · E003")
    await ana.send("70")
    await ana.send("ok")
    await ana.press("Sin evidencia")
    await ana.press("Cancelar")
    assert len(_avances(arnes)) == 1
    await ana.press_data("av1:ok")  # the old «Confirmar» of a cancelled report
    assert ana.callback_answers[-1]["text"] == textos.BOTON_VENCIDO
    assert len(_avances(arnes)) == 1


async def test_forged_button_for_another_dependencia_is_refused_and_audited(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    ajeno = _asm_id(arnes, 3)  # the Tesorería's
    await ana.press_data(f"av1:a:{ajeno}")
    assert ana.callback_answers[-1]["text"] == textos.NO_AUTORIZADO
    await ana.press_data(f"ev1:a:{ajeno}")
    assert ana.callback_answers[-1]["text"] == textos.NO_AUTORIZADO
    rechazos = arnes.bd(
        lambda s: s.scalars(select(Auditoria).where(Auditoria.accion == "acceso_denegado")).all()
    )
    assert [(r.objeto_id, r.detalle["intento"]) for r in rechazos] == [
        (ajeno, "avance"),
        (ajeno, "evidencia"),
    ]
    assert arnes.bd(lambda s: s.get(Borrador, ana.id)) is None
    await ana.press_data("av1:a:999999")  # an id that does not exist
    assert ana.callback_answers[-1]["text"] == textos.NO_AUTORIZADO
    await ana.press_data("xx:nada")  # not even ours
    assert ana.callback_answers[-1]["text"] == textos.BOTON_VENCIDO


async def test_a_restart_in_the_middle_loses_nothing_and_saves_nothing_half_done(
    arnes: Arnes,
) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("60")
    omitir = ana.last
    await arnes.reiniciar()
    await ana.press("Omitir", omitir)  # the button from before the restart still works
    await arnes.reiniciar()
    await ana.send("¿sigo?")
    assert ana.last.text == (
        "Está registrando el avance del ASM Núm. 1 · E003. Falta: enviar documentos o fotos, "
        "o pulsar «Listo». Para salir, escriba /cancelar."
    )
    await ana.send_document(PDF, "minuta.pdf")
    await arnes.reiniciar()
    await ana.press("Listo")
    assert "Evidencia: 1 archivo: «minuta.pdf»" in ana.last.text
    assert _avances(arnes) == []  # half-way through three restarts, nothing was saved
    await arnes.reiniciar()
    await ana.press("Confirmar")
    assert _avances(arnes)[0][1] == 60


async def test_cancel_after_a_restart_saves_nothing(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("60")
    await arnes.reiniciar()
    await ana.send("/cancelar")
    assert ana.last.text == textos.CANCELADO
    assert _avances(arnes) == []
    assert arnes.bd(lambda s: s.get(Borrador, ana.id)) is None


async def test_evidence_without_a_new_percent_is_kept_once(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/evidencia")
    await ana.press("Núm. 2 · E003")
    await ana.send_document(PDF, "oficio.pdf")
    await ana.press("Listo")
    assert ana.last.text.startswith("✅ Se agregó 1 archivo de evidencia al ASM Núm. 2 · E003.")
    await ana.send("/evidencia")
    await ana.press("Núm. 2 · E003")
    await ana.send_document(PDF, "oficio-otra-vez.pdf")
    await ana.press("Listo")
    assert "1 ya estaba registrado y no se duplicó" in ana.last.text
    assert arnes.bd(lambda s: s.scalar(select(func.count()).select_from(Evidencia))) == 1
    assert _avances(arnes) == []


async def test_mis_asm_and_pendientes(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/mis_asm")
    texto = ana.last.text
    assert texto.startswith("ASM de Sistema Municipal DIF (2)")
    assert "🟢 A tiempo · Núm. 1 · E003 · 40 % · vence 15/12/2026 (19 días hábiles)" in texto
    assert "🔴 Vencido · Núm. 2 · E003 · 60 % · vence 30/10/2026 (venció hace" in texto
    assert "Núm. 3" not in texto
    await ana.send("/pendientes")
    texto = ana.last.text
    assert "Falta informar el avance de 2 ASM; el plazo es el 30/11/2026" in texto
    assert "Próximas fechas de término" in texto
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("45")
    await ana.press("Omitir")
    await ana.press("Sin evidencia")
    await ana.press("Confirmar")
    await ana.send("/pendientes")
    assert "Falta informar el avance de 1 ASM" in ana.last.text


async def test_a_half_done_report_is_asked_about_and_continues_hours_later(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("36")
    await ana.send("Mesa de trabajo realizada")
    await ana.send_document(PDF, "minuta.pdf", "application/pdf")
    await arnes.reiniciar()
    arnes.reloj.actual += timedelta(hours=6)  # she comes back in the afternoon
    await ana.send("/avance")
    assert ana.last.text == (
        "Tiene un reporte a medias del Núm. 1 · E003 (36 %). ¿Lo continúa o lo descarta?"
    )
    assert ana.last.labels() == ["Continuar", "Descartar"]
    await ana.press("Continuar")  # where she was: the evidence step, her file kept
    assert "Envíe la evidencia" in ana.last.text and "Ya lleva 1 archivo." in ana.last.text
    await ana.press("Listo")
    resumen = ana.last.text
    assert "40 % → 36 %" in resumen and "«minuta.pdf»" in resumen
    assert "Mesa de trabajo realizada" in resumen

    await ana.send("/evidencia")  # another flow asks too
    assert ana.last.labels() == ["Continuar", "Descartar"]
    await ana.press("Descartar")
    assert ana.last.text == "¿A qué ASM agregará evidencia?"
    borrador = arnes.bd(lambda s: s.get(Borrador, ana.id))
    assert borrador is not None and borrador.flujo == "evidencia"
    assert _avances(arnes) == []


async def test_a_second_report_of_the_month_corrects_the_first_under_its_folio(
    arnes: Arnes,
) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("50")
    await ana.press("Omitir")
    await ana.press("Sin evidencia")
    await ana.press("Confirmar")
    folio = _avances(arnes)[0][4]
    await ana.press("Terminar")
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    assert ana.last.text.startswith(
        "Ya informó el avance de noviembre de 2026 del ASM Núm. 1 · E003 (50 %)."
    )
    assert ana.last.labels() == ["Corregir ese reporte", "Cancelar"]
    await ana.press("Corregir ese reporte")
    await ana.send("55")
    await ana.press("Omitir")
    await ana.press("Sin evidencia")
    await ana.press("Confirmar")
    assert [a[1] for a in _avances(arnes)] == [50, 55]
    assert _avances(arnes)[1][4] == f"{folio}-C1"
    assert any(f"Folio: {folio}-C1" in m.text for m in ana.messages[-2:])


async def test_pending_run_skips_reported_and_closed_asm(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    assert ana.last.text.startswith("Pendiente 1 de 2")
    await ana.send("70")
    await ana.send("Se reprogramó")
    await ana.press("Sin evidencia")
    await ana.press("Confirmar")
    await ana.press("Siguiente pendiente (2 de 2)")
    assert ana.last.text.startswith("Pendiente 2 de 2 del avance de noviembre de 2026\nNúm. 1")
    await ana.send("45")
    await ana.press("Omitir")
    await ana.press("Sin evidencia")
    await ana.press("Confirmar")
    assert "Siguiente pendiente" not in " ".join(ana.last.labels())
    assert arnes.bd(lambda s: s.get(Borrador, ana.id)) is None  # nothing left: the run ends


async def test_closed_and_concluded_asm_show_their_true_status(arnes: Arnes) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    ana = await _enlace_dif(arnes)
    await coord.send("/valorar 2")  # due 30/10/2026 at 60 %
    await coord.press("No atendido")
    await coord.send("Falta de personal en el área")
    await ana.send("/avance")  # Núm. 2 is closed: the run offers only Núm. 1
    assert ana.last.text.startswith("Pendiente 1 de 1 del avance de noviembre de 2026\nNúm. 1")
    await ana.press("100 %")
    await ana.press("Omitir")
    await ana.send_document(PDF, "acta.pdf", "application/pdf")
    await ana.press("Listo")
    await ana.press("Confirmar")
    # Nothing else is due this month: no «Siguiente pendiente» (the month's oficio comes next).
    assert not any("Siguiente" in b for m in ana.messages[-3:] for b in m.labels())

    await ana.send("/mis_asm")
    texto = ana.last.text
    assert "✅ Concluido · Núm. 1 · E003 · 100 %\n" in texto
    assert "🔒 Cerrado · No atendido · Núm. 2 · E003 · 60 %\n" in texto
    assert "🔴" not in texto and "venció" not in texto and "vence" not in texto
    await ana.send("/pendientes")
    assert "🔴" not in ana.last.text and "venció" not in ana.last.text
    await ana.send("/avance")  # nothing due: the list (Núm. 1 only, reported) to correct it
    assert [e.split(" · ")[0] for e in ana.last.labels()] == ["Núm. 1", "Cancelar"]


async def test_another_command_asks_before_replacing_a_half_done_report(arnes: Arnes) -> None:
    ana = await _enlace_dif(arnes)
    await ana.send("/avance")
    await ana.send("70")  # Núm. 2, opened by the run
    await ana.send("/prorroga 2")
    assert ana.last.text.startswith("Tiene un reporte a medias del Núm. 2 · E003 (70 %).")
    await ana.press("Continuar")
    assert "Escriba las observaciones" in ana.last.text
    lista_vieja = f"av1:a:{_asm_id(arnes, 1)}"  # a button of an old list
    await ana.press_data(lista_vieja)
    assert ana.last.text.startswith("Tiene un reporte a medias del Núm. 2 · E003 (70 %).")
    await ana.send("/plan")
    await ana.press("Descartar")
    assert ana.last.text == "Listo. Escriba de nuevo el comando que quería usar."
    assert arnes.bd(lambda s: s.get(Borrador, ana.id)) is None
    await ana.send("/plan")
    assert "Tiene un reporte a medias" not in ana.last.text
