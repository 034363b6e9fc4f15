"""The monthly report on its draft (bot.servicios.flujo_avance over seguimiento): the rules of
an avance, its copies (Art. 13), evidence once per file; on a plain session."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.vocabulario import Rol, Valoracion
from bot.servicios import borradores, flujo_avance, registro
from bot.servicios.avisos import Avisos
from bot.servicios.borradores import BorradorAvance, Flujo, PasoAvance
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.historial import historial
from bot.servicios.rechazos import BotonVencido
from bot.servicios.seguimiento import AsmCerrado, AvanceRechazado
from bot.servicios.usuarios import Persona
from storage.models import Asm, Avance, Salida
from tests.ayudas import AHORA_SERVICIOS as AHORA
from tests.ayudas import HOY_SERVICIOS as HOY
from tests.ayudas import Palabras, asm_de, persona


def _hasta_confirmar(
    s: Session, p: Persona, asm_id: int, porcentaje: int, cal: CalendarioHabil
) -> BorradorAvance:
    flujo_avance.iniciar(s, p, Flujo.AVANCE, HOY, cal)
    flujo_avance.elegir_asm(s, p, Flujo.AVANCE, asm_id, HOY, cal)
    b = flujo_avance.borrador_de(s, p)
    assert b is not None and b.paso is PasoAvance.PORCENTAJE
    flujo_avance.fijar_porcentaje(s, p, b, porcentaje, HOY, cal)
    b.observaciones, b.paso = "", PasoAvance.EVIDENCIA
    flujo_avance.guardar_paso(s, p, b)
    archivo = ArchivoEvidencia("ab" * 32, 10, "application/pdf", "acta.pdf", "e/ab.pdf")
    assert flujo_avance.anotar_evidencia(s, p, archivo) == 1
    with pytest.raises(flujo_avance.EvidenciaRepetida):
        flujo_avance.anotar_evidencia(s, p, archivo)
    b = flujo_avance.borrador_de(s, p)
    assert b is not None
    flujo_avance.a_confirmar(s, p, b, HOY, cal)
    return b


def test_a_confirmed_report_is_saved_once_and_copied_to_the_coordination(
    s: Session, cal: CalendarioHabil
) -> None:
    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    coord = persona(s, 2, Rol.COORDINADOR)
    persona(s, 4, Rol.CONTRALORIA)
    a1 = asm_de(s, 1)
    _hasta_confirmar(s, dif, a1, 55, cal)
    avisos = Avisos(Palabras(), AHORA)
    hecho = flujo_avance.confirmar(s, dif, HOY, cal, avisos)
    recibo = hecho.recibo
    assert (recibo.porcentaje, recibo.evidencias_nuevas, recibo.asm.avance) == (55, 1, 40)
    # The draft waits at the list, to offer the dependencia's next pending ASM (Núm. 2).
    assert (hecho.siguiente, hecho.total) == (2, 2)
    siguiente = borradores.leer(s, dif.telegram_id)
    assert siguiente is not None and siguiente.paso == PasoAvance.ELEGIR.value
    with pytest.raises(BotonVencido):  # a second press finds nothing to save
        flujo_avance.confirmar(s, dif, HOY, cal, avisos)
    avances = s.scalars(select(Avance.porcentaje).where(Avance.asm_id == a1)).all()
    assert sorted(avances) == [40, 55]
    copias = s.execute(select(Salida.chat_id, Salida.texto, Salida.tipo)).all()
    assert sorted(copias) == [
        (coord.telegram_id, "copia de P1", "copia"),
        (4, "copia de P1", "copia"),
    ]


def test_a_lower_percentage_needs_observations(s: Session, cal: CalendarioHabil) -> None:
    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    a1 = asm_de(s, 1)  # at 40 %
    flujo_avance.elegir_asm(s, dif, Flujo.AVANCE, a1, HOY, cal)
    b = flujo_avance.borrador_de(s, dif)
    assert b is not None
    assert flujo_avance.fijar_porcentaje(s, dif, b, 30, HOY, cal) == (True, True)
    b = _hasta_confirmar(s, dif, a1, 30, cal)
    assert b.obligatorias
    with pytest.raises(AvanceRechazado):
        flujo_avance.confirmar(s, dif, HOY, cal, Avisos(Palabras(), AHORA))
    assert borradores.leer(s, dif.telegram_id) is not None  # kept, to fix and confirm
    assert s.scalars(select(Avance.porcentaje).where(Avance.asm_id == a1)).all() == [40]


def test_evidence_only_is_added_once_per_file(s: Session, cal: CalendarioHabil) -> None:
    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    a2 = asm_de(s, 2)
    for vez in range(2):
        flujo_avance.elegir_asm(s, dif, Flujo.EVIDENCIA, a2, HOY, cal)
        archivo = ArchivoEvidencia("cd" * 32, 10, "image/png", "foto.png", "e/cd.png")
        flujo_avance.anotar_evidencia(s, dif, archivo)
        b = flujo_avance.borrador_de(s, dif)
        assert b is not None and b.FLUJO is Flujo.EVIDENCIA
        assert flujo_avance.guardar_evidencias(s, dif, b) == ((1, 0) if vez == 0 else (0, 1))
    h = historial(s, a2, HOY)
    assert h is not None and [e.nombre for e in h.evidencias] == ["foto.png"]


def test_a_valued_asm_is_not_offered_and_cannot_be_chosen(s: Session, cal: CalendarioHabil) -> None:
    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    a1 = asm_de(s, 1)
    ofrecidos = [e.asm_id for e in flujo_avance.asm_del_enlace(s, dif, HOY, cal)]
    assert a1 in ofrecidos
    asm = s.get(Asm, a1)
    assert asm is not None
    registro.nueva_version(s, asm, HOY, "t", origen="t", valoracion=Valoracion.NO_ATENDIDO.value)
    ofrecidos = [e.asm_id for e in flujo_avance.asm_del_enlace(s, dif, HOY, cal)]
    assert a1 not in ofrecidos
    with pytest.raises(AsmCerrado):  # a forged or old button
        flujo_avance.elegir_asm(s, dif, Flujo.AVANCE, a1, HOY, cal)
