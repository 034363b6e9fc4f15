"""One conversation confirms one report, whatever the number of processes pressing at once."""

import threading
import time
from datetime import date

import pytest
from sqlalchemy import select

from bot.dominio.calendario import CalendarioHabil
from bot.servicios.catalogo import Catalogo
from bot.servicios.seguimiento import AvanceYaGuardado, guardar_avance
from bot.servicios.usuarios import persona_activa
from storage.db import unit_of_work
from storage.models import Asm, Avance, Usuario
from tests.arnes import sembrar
from tests.conftest import Db

HOY = date(2026, 11, 18)


def _preparar(db: Db) -> int:
    with unit_of_work(db.sesiones) as s:
        sembrar(s)
        dif = Catalogo(s).buscar("SMDIF")
        assert dif is not None
        s.add(Usuario(telegram_id=501, nombre="Ana", rol="enlace", dependencia_id=dif.id))
        return s.scalars(select(Asm.id).where(Asm.numero == 1)).one()


def _confirmar(db: Db, asm_id: int, cal: CalendarioHabil, clave: str) -> str:
    with unit_of_work(db.sesiones) as s:
        persona = persona_activa(s, 501)
        assert persona is not None
        return guardar_avance(s, persona, asm_id, 60, "Mesa", [], HOY, cal, clave=clave).folio


def test_two_sessions_confirming_one_draft_store_one_report(db: Db, cal: CalendarioHabil) -> None:
    asm_id = _preparar(db)
    resultados: list[str | Exception] = []
    guardado = threading.Event()

    def primera() -> None:
        with unit_of_work(db.sesiones) as s:
            persona = persona_activa(s, 501)
            assert persona is not None
            recibo = guardar_avance(s, persona, asm_id, 60, "Mesa", [], HOY, cal, clave="k1")
            guardado.set()  # the second starts while this one has not committed
            time.sleep(0.5)
            resultados.append(recibo.folio)

    def segunda() -> None:
        guardado.wait(5)
        try:
            resultados.append(_confirmar(db, asm_id, cal, "k1"))
        except AvanceYaGuardado as e:
            resultados.append(e)

    hilos = [threading.Thread(target=primera), threading.Thread(target=segunda)]
    for h in hilos:
        h.start()
    for h in hilos:
        h.join(20)
    folios = [r for r in resultados if isinstance(r, str)]
    repetidos = [r for r in resultados if isinstance(r, AvanceYaGuardado)]
    assert len(folios) == 1 and len(repetidos) == 1, resultados
    assert repetidos[0].folio == folios[0]
    with db.sesiones() as s:
        assert len(s.scalars(select(Avance).where(Avance.origen == "bot")).all()) == 1
    # A retried update, later: refused the same way, and says where the report is.
    with pytest.raises(AvanceYaGuardado, match=folios[0]):
        _confirmar(db, asm_id, cal, "k1")
    # Another conversation is another report.
    assert _confirmar(db, asm_id, cal, "k2") != folios[0]
