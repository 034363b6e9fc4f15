from datetime import date

import pytest

from bot.dominio.reglas import requiere_observaciones, validar_avance

# --- validar_avance ----------------------------------------------------------------------


def test_avance_valido() -> None:
    assert validar_avance(40, None, None, 0) == []
    assert validar_avance(60, 40, None, 0) == []
    assert validar_avance(40, 40, None, 0) == []
    assert validar_avance(0, None, None, 0) == []
    assert validar_avance(100, 80, None, 1) == []


@pytest.mark.parametrize("nuevo", [-1, 101, 250])
def test_avance_fuera_de_rango(nuevo: int) -> None:
    problemas = validar_avance(nuevo, 40, None, 0)
    assert len(problemas) == 1
    assert "de 0 a 100" in problemas[0]


@pytest.mark.parametrize("justificacion", [None, "", "   \n"])
def test_avance_que_baja_requiere_justificacion(justificacion: str | None) -> None:
    assert validar_avance(30, 60, justificacion, 0) == [
        "El avance baja de 60 % a 30 %; escriba la justificación de la disminución."
    ]


def test_avance_que_baja_con_justificacion() -> None:
    assert validar_avance(30, 60, "Se canceló el contrato del proveedor.", 0) == []


def test_cien_por_ciento_requiere_evidencia() -> None:
    assert validar_avance(100, 80, None, 0) == [
        "Para registrar 100 % de avance, adjunte al menos una evidencia."
    ]


# --- requiere_observaciones --------------------------------------------------------------

HOY = date(2025, 6, 10)


def test_observaciones_cuando_baja() -> None:
    assert requiere_observaciones(30, 60, None, HOY)
    assert not requiere_observaciones(60, 60, None, HOY)
    assert not requiere_observaciones(60, None, None, HOY)


def test_observaciones_cuando_vencio() -> None:
    assert requiere_observaciones(80, 70, date(2025, 6, 9), HOY)
    assert not requiere_observaciones(80, 70, HOY, HOY)  # due today, not yet past
    assert not requiere_observaciones(80, 70, date(2025, 6, 30), HOY)
    assert not requiere_observaciones(100, 70, date(2025, 6, 9), HOY)
