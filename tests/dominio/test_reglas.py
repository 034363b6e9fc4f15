from datetime import date

import pytest

from bot.dominio.reglas import requiere_observaciones, validar_avance, validar_valoracion
from bot.dominio.vocabulario import Clasificacion, Valoracion

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


# --- validar_valoracion (Art. 14) --------------------------------------------------------


def test_atendido_valido() -> None:
    assert validar_valoracion(Valoracion.ATENDIDO, Clasificacion.ESPECIFICO, 100, 2, None) == []


def test_atendido_requiere_cien_por_ciento() -> None:
    problemas = validar_valoracion(Valoracion.ATENDIDO, Clasificacion.ESPECIFICO, 80, 1, None)
    assert problemas == [
        "Para valorar «Atendido» el avance debe ser 100 % (el avance es 80 %); "
        "registre el avance completo o elija otra valoración."
    ]
    sin_avance = validar_valoracion(Valoracion.ATENDIDO, Clasificacion.ESPECIFICO, None, 1, None)
    assert len(sin_avance) == 1
    assert "sin avance registrado" in sin_avance[0]


def test_atendido_requiere_evidencia() -> None:
    assert validar_valoracion(Valoracion.ATENDIDO, Clasificacion.INSTITUCIONAL, 100, 0, None) == [
        "Para valorar «Atendido», adjunte al menos una evidencia documental."
    ]
    assert len(validar_valoracion(Valoracion.ATENDIDO, Clasificacion.ESPECIFICO, 50, 0, "")) == 2


@pytest.mark.parametrize("observaciones", [None, "", "  "])
def test_no_atendido_requiere_causas(observaciones: str | None) -> None:
    problemas = validar_valoracion(
        Valoracion.NO_ATENDIDO, Clasificacion.ESPECIFICO, 40, 0, observaciones
    )
    assert problemas == [
        "Para valorar «No atendido», escriba en Observaciones las causas que impidieron el "
        "cumplimiento."
    ]


def test_no_atendido_con_causas() -> None:
    causas = "No se asignó presupuesto para la capacitación."
    assert validar_valoracion(Valoracion.NO_ATENDIDO, Clasificacion.ESPECIFICO, 40, 0, causas) == []


@pytest.mark.parametrize(
    "clasificacion", [Clasificacion.INTERINSTITUCIONAL, Clasificacion.INTERGUBERNAMENTAL]
)
def test_no_aplica_para_colaboraciones(clasificacion: Clasificacion) -> None:
    assert validar_valoracion(Valoracion.NO_APLICA, clasificacion, 20, 0, None) == []


@pytest.mark.parametrize(
    ("clasificacion", "nombre"),
    [(Clasificacion.ESPECIFICO, "específico"), (Clasificacion.INSTITUCIONAL, "institucional")],
)
def test_no_aplica_no_procede_para_la_propia_dependencia(
    clasificacion: Clasificacion, nombre: str
) -> None:
    assert validar_valoracion(Valoracion.NO_APLICA, clasificacion, 20, 0, "Causas externas") == [
        "«No aplica» sólo procede para ASM interinstitucionales o intergubernamentales "
        f"(causas ajenas a la dependencia); este ASM es {nombre}. "
        "Elija «Atendido» o «No atendido»."
    ]
