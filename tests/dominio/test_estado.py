"""The month's columns of /resumen (bot.dominio.estado.en_el_mes)."""

from datetime import date

from bot.dominio.estado import EnElMes, en_el_mes
from bot.dominio.vocabulario import Semaforo, Valoracion

NOV = date(2026, 11, 1)
OCT = date(2026, 10, 1)


def test_cerrado_antes_que_todo() -> None:
    assert en_el_mes(Valoracion.ATENDIDO, Semaforo.VENCIDO, 100, OCT, NOV) is EnElMes.CERRADO


def test_informo_este_mes_o_espera_valoracion() -> None:
    assert en_el_mes(None, Semaforo.VENCIDO, 60, NOV, NOV) is EnElMes.INFORMO
    assert en_el_mes(None, Semaforo.A_TIEMPO, 100, OCT, NOV) is EnElMes.INFORMO  # nothing to report


def test_falta_o_vencido() -> None:
    assert en_el_mes(None, Semaforo.A_TIEMPO, 40, OCT, NOV) is EnElMes.FALTA
    assert en_el_mes(None, Semaforo.EN_RIESGO, None, None, NOV) is EnElMes.FALTA
    assert en_el_mes(None, Semaforo.VENCIDO, 60, OCT, NOV) is EnElMes.VENCIDO
