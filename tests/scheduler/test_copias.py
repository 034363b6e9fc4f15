"""Copies without noise, end to end: an enlace reports, the scheduler's job sends one digest
per dependencia to the coordination and the Contraloría, with buttons to each ASM's history."""

from sqlalchemy import func, select

from bot.dominio.vocabulario import Rol
from botapi_double import SimUser
from scheduler.trabajos import enviar_copias
from storage.models import CopiaPendiente, Salida
from tests.arnes import Arnes


async def _informar(ana: SimUser, asm: str, porcentaje: str, obs: str | None = None) -> None:
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press(asm)
    await ana.send(porcentaje)
    if obs is None:
        await ana.press("Omitir")
    else:
        await ana.send(obs)
    await ana.press("Sin evidencia")
    antes = len(ana.messages)
    await ana.press("Confirmar")
    # The receipt; when the month is complete, the oficio of Art. 13 follows it.
    assert any("Avance registrado" in m.text for m in ana.messages[antes - 1 :]), ana.transcript()
    if "Terminar" in ana.last.labels():  # the pending run offers the next one
        await ana.press("Terminar")


def _copias(u: SimUser) -> list[str]:
    return [m.text for m in u.messages if m.text.startswith("📥")]


async def _gente(arnes: Arnes) -> tuple[SimUser, SimUser, SimUser]:
    coord = arnes.double.user(first_name="Laura")
    await arnes.registrar(coord, Rol.COORDINADOR)
    cont = arnes.double.user(first_name="Rosa")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    return coord, cont, ana


async def test_un_resumen_por_hora_y_al_completar_el_mes(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    assert arnes.app is not None
    await _informar(ana, "Núm. 1 · E003", "55")
    assert any("recibirán copia en su resumen de entregas" in m.text for m in ana.messages)
    # No message per report: the copy waits.
    assert await enviar_copias(arnes.app) == 0
    arnes.reloj.avanzar(minutes=59)
    assert await enviar_copias(arnes.app) == 0
    assert _copias(coord) == _copias(cont) == []

    arnes.reloj.avanzar(minutes=1)
    assert await enviar_copias(arnes.app) == 2
    (primera,) = _copias(coord)
    assert primera.startswith("📥 1 entrega de avance: Sistema Municipal DIF (copia, art. 13)")
    assert "Núm. 1 · E003" in primera and "40 % → 55 %" in primera
    assert _copias(cont) == [primera]
    assert coord.last.labels() == ["Historial Núm. 1 · E003"]
    assert await enviar_copias(arnes.app) == 0  # nothing twice

    # The SMDIF's last ASM of the month: its digest goes at once, not an hour later.
    arnes.reloj.avanzar(minutes=5)
    await _informar(ana, "Núm. 2 · E003", "80", "Se retrasó la firma del convenio")
    assert await enviar_copias(arnes.app) == 2
    segunda = _copias(coord)[-1]
    assert "informó el avance de todos sus ASM del mes" in segunda
    assert "Núm. 2 · E003" in segunda and "Núm. 1" not in segunda

    # The Contraloría opens the ASM's history and evidence from the digest.
    await cont.press("Historial Núm. 2 · E003")
    assert "Documentar el procedimiento de entrega de apoyos" in cont.last.text, cont.transcript()


async def test_nada_se_pierde_si_el_bot_se_cae(arnes: Arnes) -> None:
    coord, _, ana = await _gente(arnes)
    await _informar(ana, "Núm. 1 · E003", "55")
    await arnes.reiniciar()  # the copy is in the database, not in memory
    arnes.reloj.avanzar(hours=2)
    assert arnes.app is not None
    assert await enviar_copias(arnes.app) == 2
    assert len(_copias(coord)) == 1

    def cuentas(s: object) -> tuple[int, int]:
        from sqlalchemy.orm import Session

        assert isinstance(s, Session)
        pendientes = s.scalar(select(func.count()).where(CopiaPendiente.enviada_en.is_(None)))
        en_salida = s.scalar(select(func.count()).where(Salida.tipo == "copias"))
        return pendientes or 0, en_salida or 0

    assert arnes.bd(cuentas) == (0, 2)
