"""One ASM's history (bot.servicios.historial) and the checked download of its files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.vocabulario import Rol
from bot.servicios import flujo_avance
from bot.servicios.borradores import Flujo
from bot.servicios.historial import historial
from storage.models import Asm, Auditoria
from tests.ayudas import HOY_SERVICIOS as HOY
from tests.ayudas import asm_de, persona


def test_history_keeps_every_change_and_checks_the_files_it_gives(
    s: Session, cal: CalendarioHabil, tmp_path: Path
) -> None:
    from bot.servicios import registro
    from bot.servicios.evidencias import AlmacenEvidencias
    from bot.servicios.historial import leer_evidencia

    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    tm = persona(s, 3, Rol.ENLACE, "TM")
    a1 = asm_de(s, 1)
    asm = s.get(Asm, a1)
    assert asm is not None
    registro.nueva_version(s, asm, date(2026, 6, 1), "test", origen="test",
                           fecha_termino=date(2027, 1, 29))  # fmt: skip
    guardado = AlmacenEvidencias(tmp_path).guardar(b"%PDF-1.4 acta", "acta.pdf")
    flujo_avance.elegir_asm(s, dif, Flujo.EVIDENCIA, a1, HOY, cal)
    flujo_avance.anotar_evidencia(s, dif, guardado)
    b = flujo_avance.borrador_de(s, dif)
    assert b is not None
    flujo_avance.guardar_evidencias(s, dif, b)

    h = historial(s, a1, HOY)
    assert h is not None
    assert [c.primera for c in h.cambios] == [True, False]
    assert h.cambios[1].campos == (("fecha_termino", date(2027, 1, 29)),)
    assert [a.porcentaje for a in h.avances] == [40]
    (ev,) = h.evidencias
    assert leer_evidencia(s, dif, ev.evidencia_id, tmp_path) == ("acta.pdf", b"%PDF-1.4 acta")
    assert leer_evidencia(s, tm, ev.evidencia_id, tmp_path) is None  # another dependencia's
    (tmp_path / guardado.ruta).write_bytes(b"otro contenido")
    assert leer_evidencia(s, dif, ev.evidencia_id, tmp_path) == ("acta.pdf", None)
    alterada = s.scalars(select(Auditoria).where(Auditoria.accion == "evidencia_alterada")).one()
    assert alterada.objeto_id == a1
