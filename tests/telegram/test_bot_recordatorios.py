"""The scheduler end to end: rounds at a clock the test controls, through the outbox, to the
people on the Bot API double."""

from datetime import UTC, datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.dominio.vocabulario import Rol
from botapi_double import BotMessage, SimUser
from scheduler.trabajos import ejecutar_ronda
from storage.models import Salida
from tests.arnes import Arnes


def _local(anio: int, mes: int, dia: int, hora: int = 10) -> datetime:
    """A wall-clock time in Puebla (UTC-6 all year since 2022) as the aware UTC instant."""
    return datetime(anio, mes, dia, hora + 6, 0, tzinfo=UTC)


async def _ronda(arnes: Arnes) -> int:
    assert arnes.app is not None
    return await ejecutar_ronda(arnes.app)


async def _gente(arnes: Arnes) -> tuple[SimUser, SimUser, SimUser]:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    dif = arnes.double.user(first_name="Ana")
    await arnes.registrar(dif, Rol.ENLACE, "SMDIF")
    tm = arnes.double.user(first_name="Tomás")
    await arnes.registrar(tm, Rol.ENLACE, "TM")
    return coord, dif, tm


def _textos(u: SimUser) -> list[str]:
    return [m.text for m in u.messages]


def _uno(u: SimUser, prefijo: str) -> BotMessage:
    """The one message that starts with `prefijo` (a round may also bring deadline reminders)."""
    encontrados = [m for m in u.messages if m.text.startswith(prefijo)]
    assert len(encontrados) == 1, u.transcript()
    return encontrados[0]


async def test_monthly_reminder_on_the_first_business_day_with_a_button(arnes: Arnes) -> None:
    _, dif, tm = await _gente(arnes)
    arnes.reloj.actual = _local(2026, 12, 1, 9)  # Tuesday 1 December, 9:00
    assert await _ronda(arnes) >= 2
    aviso = _uno(dif, "📅 Avance de diciembre de 2026")
    assert "Núm. 1" in aviso.text
    assert aviso.labels() == ["Informar avance"]
    _uno(tm, "📅 Avance de diciembre de 2026")
    # Núm. 1 is due on 15/12/2026, ten business days away: its own reminder comes too.
    plazo = _uno(dif, "⏳ Fecha de término: faltan 10 días hábiles")
    assert "Vence el 15/12/2026" in plazo.text
    await dif.press("Informar avance", aviso)  # opens the first ASM due this month
    assert dif.last.text.startswith("Pendiente 1 de 2 del avance de diciembre de 2026\nNúm. 2")
    await dif.press("Ver todos")
    assert "¿De qué ASM informará el avance de diciembre de 2026?" in dif.last.text


async def test_no_duplicates_after_a_restart_and_nothing_on_weekends_or_holidays(
    arnes: Arnes,
) -> None:
    coord, dif, tm = await _gente(arnes)
    arnes.reloj.actual = _local(2026, 12, 1, 9)
    await _ronda(arnes)
    antes = (len(dif.messages), len(tm.messages), len(coord.messages))
    await arnes.reiniciar()
    assert await _ronda(arnes) == 0
    assert await _ronda(arnes) == 0
    assert (len(dif.messages), len(tm.messages), len(coord.messages)) == antes
    arnes.reloj.actual = _local(2026, 12, 5, 11)  # Saturday
    assert await _ronda(arnes) == 0
    arnes.reloj.actual = _local(2026, 12, 12, 11)  # Saturday too, and Guadalupe
    assert await _ronda(arnes) == 0
    arnes.reloj.actual = _local(2026, 11, 16, 11)  # Monday, Revolution day (third Monday)
    assert await _ronda(arnes) == 0


async def test_reminders_wait_for_office_hours(arnes: Arnes) -> None:
    _, dif, _ = await _gente(arnes)
    arnes.reloj.actual = _local(2026, 12, 1, 7)  # 7:00: planned, not sent
    await _ronda(arnes)
    assert not any(t.startswith("📅") for t in _textos(dif))
    pendientes = arnes.bd(
        lambda s: s.scalar(
            select(func.count()).select_from(Salida).where(Salida.estado == "pendiente")
        )
    )
    assert pendientes and pendientes >= 2
    arnes.reloj.actual = _local(2026, 12, 1, 9)
    await _ronda(arnes)
    assert sum(t.startswith("📅") for t in _textos(dif)) == 1


async def test_catch_up_after_downtime_sends_each_reminder_once(arnes: Arnes) -> None:
    _, dif, _ = await _gente(arnes)
    await arnes.detener()  # down on 1 and 2 December
    arnes.reloj.actual = _local(
        2026,
        12,
        3,
        9,
    )
    await arnes.arrancar()
    await _ronda(arnes)  # what the start-up round does
    assert sum(t.startswith("📅 Avance de diciembre de 2026") for t in _textos(dif)) == 1


async def test_last_business_day_escalates_to_the_coordination(arnes: Arnes) -> None:
    coord, dif, tm = await _gente(arnes)
    # Ana reports one of her two ASM in November; the Tesorería reports nothing.
    await dif.send("/avance")
    await dif.press("Ver todos")
    await dif.press("Núm. 1 · E003")
    await dif.send("50")
    await dif.press("Omitir")
    await dif.press("Sin evidencia")
    await dif.press("Confirmar")
    arnes.reloj.actual = _local(2026, 11, 30, 9)  # Monday 30 November: last business day
    await _ronda(arnes)
    escalamiento = _uno(coord, "📋 Avance de noviembre de 2026: dependencias sin informar").text
    assert "• SMDIF: 1 de 2 ASM sin avance" in escalamiento
    assert "• TM: 1 de 1 ASM sin avance" in escalamiento
    _uno(dif, "⚠️ Avance de noviembre de 2026 sin informar")
    aviso_tm = _uno(tm, "⚠️ Avance de noviembre de 2026 sin informar")
    assert "se hizo del conocimiento del Departamento de Evaluación del IMPLAN" in aviso_tm.text


async def test_holy_week_and_the_first_monday_of_february(arnes: Arnes) -> None:
    coord, dif, _ = await _gente(arnes)
    arnes.reloj.actual = _local(2026, 4, 2)  # Holy Thursday: municipal non-working day
    assert await _ronda(arnes) == 0
    arnes.reloj.actual = _local(2026, 4, 1)  # Wednesday: first business day of April
    await _ronda(arnes)
    _uno(dif, "📅 Avance de abril de 2026")
    arnes.reloj.actual = _local(2026, 2, 2)  # first Monday of February: holiday
    assert await _ronda(arnes) == 0
    arnes.reloj.actual = _local(2026, 2, 3)  # Tuesday: the weekly digest moves here
    await _ronda(arnes)
    assert any("semana" in t.lower() for t in _textos(coord))


async def test_quarter_end_sends_the_consolidated_anexo_to_coordinadores(arnes: Arnes) -> None:
    coord, _, _ = await _gente(arnes)
    arnes.reloj.actual = _local(2026, 10, 1, 9)  # Thursday: first business day of the quarter
    await _ronda(arnes)
    documentos = [m for m in coord.messages if m.document is not None]
    assert len(documentos) == 1
    assert documentos[0].document is not None
    assert documentos[0].document.file_name == "AnexoA_consolidado_2026T3.xlsx"
    assert "tercer trimestre 2026" in documentos[0].text
    libro = load_workbook(BytesIO(documentos[0].document.content))
    assert libro.sheetnames[0] == "Resumen"
    arnes.reloj.actual = _local(2026, 10, 2, 9)
    await _ronda(arnes)
    assert len([m for m in coord.messages if m.document is not None]) == 1


async def test_recordatorios_shows_what_was_sent_and_runs_the_round(arnes: Arnes) -> None:
    coord, dif, _ = await _gente(arnes)
    await dif.send("/recordatorios")
    assert dif.last.text == "Este comando es para la Coordinación del IMPLAN."
    arnes.reloj.actual = _local(2026, 12, 1, 9)
    await coord.send("/recordatorios")
    assert "No se ha enviado nada." in coord.last.text
    await coord.press("Ejecutar la ronda ahora")
    assert any(t.startswith("Ronda ejecutada: ") for t in _textos(coord))
    _uno(dif, "📅 Avance de diciembre de 2026")
    await coord.send("/recordatorios")
    assert "enviados" in coord.last.text
