"""End to end: a coordinador registers an evaluation and its ASM in the chat, the enlace is
notified, and the posición and plan reminders come on the right business days and stop when
met; /calendario lists what is open."""

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import EstadoPlan, Rol
from bot.servicios import registro
from botapi_double import SimUser
from scheduler.trabajos import ejecutar_ronda
from storage.models import Asm, Evaluacion
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _local(anio: int, mes: int, dia: int, hora: int = 10) -> datetime:
    return datetime(anio, mes, dia, hora + 6, 0, tzinfo=UTC)  # Puebla is UTC-6


async def _ronda(arnes: Arnes, d: date) -> None:
    arnes.reloj.actual = _local(d.year, d.month, d.day)
    assert arnes.app is not None
    await ejecutar_ronda(arnes.app)


def _con(u: SimUser, *partes: str) -> list[str]:
    return [m.text for m in u.messages if all(p in m.text for p in partes)]


async def test_evaluacion_asm_avisos_y_recordatorios(arnes: Arnes) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    tomas = arnes.double.user(first_name="Tomás")
    await arnes.registrar(tomas, Rol.ENLACE, "TM")
    arnes.reloj.actual = _local(2026, 11, 17)  # Tue 17 Nov 2026

    # The report was notified Fri 13 Nov: posición and delivery due Mon 23 Nov (16 Nov holiday).
    await coord.send("/evaluaciones")
    await coord.press("➕ Nueva evaluación")
    await coord.press("Evaluación interna")
    await coord.send("E003")
    await coord.send("2026")
    await coord.send("13/11/2026")
    await coord.send("ninguna")
    await coord.send("IMPLAN")
    assert (
        "✅ Se registró la Evaluación interna del ejercicio 2026 · E003" in coord.messages[-2].text
    )
    assert "Falta" in coord.last.text

    await coord.press("➕ Recomendación")
    await coord.send("Conciliar las cifras del padrón con Tesorería")
    for _ in range(4):
        await coord.press("Sí cumple")
    await coord.press("Específico")
    await coord.press("Alto")
    await coord.send("SMDIF: opera el padrón\nTM: paga los apoyos")
    assert "«Específico» no corresponde" in coord.last.text and "Art. 9" in coord.last.text
    await coord.send("TM: paga los apoyos")
    assert coord.messages[-2].text == "✅ La recomendación es ahora el ASM 4."

    await coord.press("➕ Recomendación")
    await coord.send("Construir un hospital")
    await coord.press("Sí cumple")
    await coord.press("No cumple")  # relevancia
    await coord.press("Sí cumple")
    await coord.press("Sí cumple")
    await coord.send("No corresponde al programa")
    assert "no seleccionada" in coord.messages[-2].text
    assert (
        "2. Construir un hospital — no seleccionada: No corresponde al programa" in coord.last.text
    )

    # Tue 17 Nov: 4 business days to 23 Nov → the 5-day reminders, to TM only.
    await _ronda(arnes, date(2026, 11, 17))
    assert len(_con(tomas, "Posición institucional", "23/11/2026")) == 1
    assert len(_con(tomas, "Entrega de avances", "23/11/2026")) == 1

    # Thu 19 Nov: Tomás uploads the posición; on Fri 20 only the delivery is reminded.
    arnes.reloj.actual = _local(2026, 11, 19)
    await tomas.send("/posicion")
    await tomas.press(tomas.last.labels()[0])
    await tomas.send_document(PDF, "posicion TM.pdf")
    assert "Posición institucional recibida" in tomas.last.text
    await _ronda(arnes, date(2026, 11, 20))
    assert len(_con(tomas, "Posición institucional: falta")) == 1  # no new one
    assert len(_con(tomas, "Entrega de avances: falta 1 día hábil")) == 1

    # Tue 24 Nov: the delivery passed unmet → told once to Tomás, escalated once.
    await _ronda(arnes, date(2026, 11, 24))
    await _ronda(arnes, date(2026, 11, 25))
    assert len(_con(tomas, "Venció el plazo", "Entrega de avances")) == 1
    assert len(_con(coord, "Plazo vencido sin cumplir", "TM", "Art. 13")) == 1
    assert not _con(tomas, "Venció el plazo", "Posición")

    # Fri 27 Nov: the ASM are sent; the plan is due Fri 4 Dec (Art. 10).
    arnes.reloj.actual = _local(2026, 11, 27)
    await coord.send("/evaluaciones")
    await coord.press(coord.last.labels()[0])
    await coord.press("📨 Enviar ASM a la dependencia")
    assert "Se enviaron 1 ASM; plan de acción a más tardar el 04/12/2026" in coord.last.text
    (aviso,) = _con(tomas, "Recibió ASM")
    assert "Núm.: 4" in aviso and "04/12/2026" in aviso and "Art. 10" in aviso

    await _ronda(arnes, date(2026, 11, 27))
    assert len(_con(tomas, "Plan de acción: faltan 5 días hábiles")) == 1
    await _ronda(arnes, date(2026, 12, 3))
    assert len(_con(tomas, "Plan de acción: falta 1 día hábil")) == 1

    # /calendario: Tomás sees the plan, with its article and date.
    await tomas.send("/calendario")
    assert "04/12/2026 · Plan de acción (Art. 10) · TM" in tomas.last.text

    # The plan is sent on Thu 3 Dec: no reminder on Fri 4, no expiry notice on Mon 7.
    def enviar_plan(s: Session) -> None:
        asm = s.scalars(select(Asm).where(Asm.numero == 4)).one()
        registro.nueva_version(
            s, asm, date(2026, 12, 3), "t", origen="bot", estado_plan=EstadoPlan.ENVIADO.value
        )

    arnes.bd(enviar_plan)
    await _ronda(arnes, date(2026, 12, 4))
    await _ronda(arnes, date(2026, 12, 7))
    assert len(_con(tomas, "⏳ Plan de acción")) == 2
    assert not _con(tomas, "Venció el plazo", "Plan")
    await tomas.send("/calendario")
    assert "Plan de acción" not in tomas.last.text

    ev = arnes.bd(lambda s: s.scalars(select(Evaluacion)).one())
    assert (ev.ejercicio_evaluado, ev.evaluador, ev.fecha_limite_atencion) == (2026, "IMPLAN", None)


async def test_evaluaciones_solo_para_la_coordinacion(arnes: Arnes) -> None:
    tomas = arnes.double.user(first_name="Tomás")
    await arnes.registrar(tomas, Rol.ENLACE, "TM")
    await tomas.send("/evaluaciones")
    assert "las registra el Departamento de Evaluación" in tomas.last.text
    await tomas.press_data("ea1:nva")
    assert arnes.bd(lambda s: s.scalars(select(Evaluacion)).all()) == []
