"""Art. 7 (selection criteria), Art. 9 (classification by the actors involved) and the order of
the month's pending run."""

from datetime import date

import pytest

from bot.dominio.seleccion import (
    Responsable,
    clasificacion_sugerida,
    criterios_no_cumplidos,
    orden_de_pendiente,
    pendiente_del_mes,
    problemas_de_clasificacion,
    problemas_de_seleccion,
)
from bot.dominio.vocabulario import Clasificacion, Valoracion

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


# --- The month's pending run --------------------------------------------------------------


def test_due_this_month_is_open_below_100_and_not_yet_reported() -> None:
    nov, oct_ = date(2026, 11, 1), date(2026, 10, 1)
    assert pendiente_del_mes(None, 40, oct_, nov)
    assert pendiente_del_mes(None, None, None, nov)  # never reported
    assert not pendiente_del_mes(None, 40, nov, nov)  # already this month
    assert not pendiente_del_mes(None, 100, oct_, nov)  # concluded
    assert not pendiente_del_mes(Valoracion.NO_ATENDIDO, 40, oct_, nov)  # closed (Art. 14)


def test_the_run_puts_overdue_first_then_the_nearest_date_then_undated() -> None:
    hoy = date(2026, 11, 18)
    asm = {
        "lejano": (date(2027, 3, 1), "E001", 1),
        "sin_fecha": (None, "A000", 1),
        "vencido_reciente": (date(2026, 11, 10), "E009", 4),
        "vencido_antiguo": (date(2026, 6, 30), "M001", 2),
        "cercano": (date(2026, 12, 15), "E002", 7),
        "cercano_mismo_dia": (date(2026, 12, 15), "E002", 3),
        "hoy": (hoy, "Z999", 1),  # due today is not overdue yet
    }
    orden = sorted(asm, key=lambda k: orden_de_pendiente(asm[k][0], hoy, *asm[k][1:]))
    assert orden == [
        "vencido_antiguo", "vencido_reciente", "hoy", "cercano_mismo_dia", "cercano", "lejano",
        "sin_fecha",
    ]  # fmt: skip
