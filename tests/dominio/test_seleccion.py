"""Art. 7 (selection criteria) and Art. 9 (classification by the actors involved)."""

import pytest

from bot.dominio.seleccion import (
    Responsable,
    clasificacion_sugerida,
    criterios_no_cumplidos,
    problemas_de_clasificacion,
    problemas_de_seleccion,
)
from bot.dominio.vocabulario import Clasificacion

TODOS = {"claridad": True, "relevancia": True, "justificacion": True, "factibilidad": True}
UNA_UNIDAD = [Responsable(1, 10)]
DOS_AREAS = [Responsable(1, 10), Responsable(1, 11)]
DOS_DEPENDENCIAS = [Responsable(1, 10), Responsable(2, None)]


def test_los_cuatro_criterios_uno_por_uno() -> None:
    assert problemas_de_seleccion(TODOS) == []
    assert criterios_no_cumplidos({**TODOS, "justificacion": False}) == ["Justificación"]
    # Not checked is not met.
    assert criterios_no_cumplidos({"claridad": True}) == [
        "Relevancia", "Justificación", "Factibilidad",
    ]  # fmt: skip
    (problema,) = problemas_de_seleccion({**TODOS, "factibilidad": None})
    assert "Factibilidad" in problema and "no seleccionada" in problema


@pytest.mark.parametrize(
    ("clasificacion", "responsables", "gobierno"),
    [
        (Clasificacion.ESPECIFICO, UNA_UNIDAD, None),
        (Clasificacion.INSTITUCIONAL, DOS_AREAS, None),
        (Clasificacion.INTERINSTITUCIONAL, DOS_DEPENDENCIAS, None),
        (Clasificacion.INTERGUBERNAMENTAL, UNA_UNIDAD, "Gobierno del Estado de Puebla"),
    ],
)
def test_clasificaciones_consistentes(
    clasificacion: Clasificacion, responsables: list[Responsable], gobierno: str | None
) -> None:
    assert problemas_de_clasificacion(clasificacion, responsables, gobierno) == []
    assert clasificacion_sugerida(responsables, gobierno) is clasificacion


@pytest.mark.parametrize(
    ("clasificacion", "responsables", "gobierno", "sugerida"),
    [
        (Clasificacion.ESPECIFICO, DOS_AREAS, None, "Institucional"),
        (Clasificacion.INSTITUCIONAL, UNA_UNIDAD, None, "Específico"),
        (Clasificacion.INSTITUCIONAL, DOS_DEPENDENCIAS, None, "Interinstitucional"),
        (Clasificacion.INTERINSTITUCIONAL, DOS_AREAS, None, "Institucional"),
        (Clasificacion.INTERGUBERNAMENTAL, DOS_DEPENDENCIAS, "  ", "Interinstitucional"),
        (Clasificacion.ESPECIFICO, UNA_UNIDAD, "Gobierno federal", "Intergubernamental"),
    ],
)
def test_clasificaciones_inconsistentes_dicen_por_que(
    clasificacion: Clasificacion, responsables: list[Responsable], gobierno: str | None,
    sugerida: str,
) -> None:  # fmt: skip
    (problema,) = problemas_de_clasificacion(clasificacion, responsables, gobierno)
    assert f"«{clasificacion.etiqueta}» no corresponde" in problema
    assert "(Art. 9)" in problema and f"corresponde «{sugerida}»" in problema


def test_sin_responsables() -> None:
    (problema,) = problemas_de_clasificacion(Clasificacion.ESPECIFICO, [])
    assert "al menos una dependencia" in problema
