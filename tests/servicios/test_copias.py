"""Copies without noise (bot.servicios.copias) on a plain session: which digests are due."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.servicios import copias, registro
from storage.models import Asm, CopiaPendiente, Dependencia
from tests.ayudas import AHORA_SERVICIOS as AHORA
from tests.ayudas import HOY_SERVICIOS as HOY
from tests.ayudas import asm_de

HORA = timedelta(hours=1)


def _dep(s: Session, siglas: str) -> int:
    dep = s.scalar(select(Dependencia.id).where(Dependencia.siglas == siglas))
    assert dep is not None
    return dep


def _informar(s: Session, numero: int, folio: str, siglas: str, minutos: int = 0) -> None:
    asm = s.get(Asm, asm_de(s, numero))
    assert asm is not None
    registro.registrar_avance(s, asm, date(2026, 11, 1), 70, "test", origen="test")
    copias.apartar(
        s, folio, asm.id, _dep(s, siglas), f"copia {folio}", AHORA + timedelta(minutes=minutos)
    )


def test_espera_la_hora_o_el_mes_completo(s: Session, cal: CalendarioHabil) -> None:
    _informar(s, 1, "F1", "SMDIF")
    assert copias.debidos(s, AHORA + timedelta(minutes=59), HOY, cal, HORA) == []
    (lote,) = copias.debidos(s, AHORA + HORA, HOY, cal, HORA)
    assert (lote.textos, lote.completo, lote.dependencia) == (
        ["copia F1"],
        False,
        "Sistema Municipal DIF",
    )

    # The second ASM of the SMDIF completes its month: its digest is due at once.
    _informar(s, 2, "F2", "SMDIF", minutos=5)
    (lote,) = copias.debidos(s, AHORA + timedelta(minutes=6), HOY, cal, HORA)
    assert (lote.textos, lote.completo) == (["copia F1", "copia F2"], True)
    assert [n for _, n, _ in lote.asm] == [1, 2]

    copias.marcar_enviadas(s, lote.ids, AHORA + timedelta(minutes=6))
    assert copias.debidos(s, AHORA + 10 * HORA, HOY, cal, HORA) == []
    assert s.scalar(select(CopiaPendiente.enviada_en).where(CopiaPendiente.folio == "F1"))


def test_una_dependencia_no_espera_a_otra(s: Session, cal: CalendarioHabil) -> None:
    _informar(s, 1, "F1", "SMDIF")
    _informar(s, 3, "F3", "TM", minutos=30)  # the TM's only ASM: complete
    (lote,) = copias.debidos(s, AHORA + timedelta(minutes=31), HOY, cal, HORA)
    assert (lote.dependencia, lote.textos, lote.completo) == (
        "Tesorería Municipal",
        ["copia F3"],
        True,
    )
    assert copias.debidos(s, AHORA + timedelta(minutes=0), HOY, cal, timedelta(0))[0].textos == [
        "copia F1"
    ]
