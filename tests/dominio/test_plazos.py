from datetime import date

import pytest

from bot.dominio.calendario import (
    CalendarioHabil,
    cargar_dias_inhabiles,
    ruta_dias_inhabiles_predeterminada,
)
from bot.dominio.plazos import (
    dias_habiles_restantes,
    fecha_termino_maxima,
    periodo_de,
    plazo_entrega_avances_interna,
    plazo_evaluacion_externa,
    plazo_plan_accion,
    plazo_posicion_institucional,
    semaforo,
    validar_fecha_termino,
)
from bot.dominio.vocabulario import Clasificacion, Semaforo, TipoEvaluacion

CAL = CalendarioHabil(cargar_dias_inhabiles(ruta_dias_inhabiles_predeterminada()))


# --- Art. 8 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notificacion", "plazo"),
    [
        # Wed; 17–18 Holy week, weekend; 21, 22, 23, 24, 25.
        (date(2025, 4, 16), date(2025, 4, 25)),
        # Fri; Mon 3 Feb is a holiday; 4, 5, 6, 7, 10.
        (date(2025, 1, 31), date(2025, 2, 10)),
        # Thu; 12, 15, (16 Sep), 17, 18, 19.
        (date(2025, 9, 11), date(2025, 9, 19)),
        # Notified on a Saturday: the count starts on Monday 21 April.
        (date(2025, 4, 19), date(2025, 4, 25)),
    ],
)
def test_plazo_posicion_institucional(notificacion: date, plazo: date) -> None:
    assert plazo_posicion_institucional(notificacion, CAL) == plazo


# --- Art. 10 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clasificacion",
    [Clasificacion.ESPECIFICO, Clasificacion.INSTITUCIONAL, Clasificacion.INTERINSTITUCIONAL],
)
def test_plazo_plan_accion(clasificacion: Clasificacion) -> None:
    # Mon 10 Nov 2025; 11, 12, 13, 14, (17 Revolución), 18.
    assert plazo_plan_accion(date(2025, 11, 10), clasificacion, CAL) == date(2025, 11, 18)


def test_intergubernamental_no_requiere_plan() -> None:
    assert plazo_plan_accion(date(2025, 11, 10), Clasificacion.INTERGUBERNAMENTAL, CAL) is None


# --- Art. 13 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notificacion", "plazo"),
    [
        # Mon 8 Dec 2025; 9, 10, 11, (12 Dec), 15, 16.
        (date(2025, 12, 8), date(2025, 12, 16)),
        # Wed 28 Oct 2026; 29, 30, (weekend, Mon 2 Nov), 3, 4, 5.
        (date(2026, 10, 28), date(2026, 11, 5)),
    ],
)
def test_plazo_entrega_avances_interna(notificacion: date, plazo: date) -> None:
    assert plazo_entrega_avances_interna(notificacion, CAL) == plazo


@pytest.mark.parametrize(
    ("ejercicio", "plazo"),
    [(2025, date(2025, 4, 30)), (2026, date(2026, 4, 30)), (2028, date(2028, 4, 28))],
)
def test_plazo_evaluacion_externa(ejercicio: int, plazo: date) -> None:
    assert plazo_evaluacion_externa(ejercicio, CAL) == plazo


# --- Anexo A (f) -------------------------------------------------------------------------


def test_fecha_termino_maxima_externa_ignora_la_notificacion() -> None:
    for notificacion in (None, date(2025, 12, 8)):
        maxima = fecha_termino_maxima(TipoEvaluacion.EXTERNA, 2026, notificacion, CAL)
        assert maxima == date(2026, 4, 30)


@pytest.mark.parametrize("tipo", [TipoEvaluacion.INTERNA, TipoEvaluacion.SEGUIMIENTO])
def test_fecha_termino_maxima_interna_y_seguimiento(tipo: TipoEvaluacion) -> None:
    assert fecha_termino_maxima(tipo, 2025, date(2025, 12, 8), CAL) == date(2025, 12, 16)
    assert fecha_termino_maxima(tipo, 2025, None, CAL) is None


def test_validar_fecha_termino() -> None:
    maxima = date(2025, 4, 30)
    assert validar_fecha_termino(date(2025, 5, 15), maxima) == [
        "La fecha de término 15/05/2025 excede el plazo de los Lineamientos (30/04/2025); "
        "elija una fecha igual o anterior."
    ]
    assert validar_fecha_termino(maxima, maxima) == []
    assert validar_fecha_termino(date(2025, 3, 1), maxima) == []
    assert validar_fecha_termino(date(2030, 1, 1), None) == []


# --- Anexo A (i) -------------------------------------------------------------------------


def test_periodo_de() -> None:
    assert periodo_de(date(2025, 6, 17)) == date(2025, 6, 1)
    assert periodo_de(date(2025, 12, 31)) == date(2025, 12, 1)
    assert periodo_de(date(2026, 1, 1)) == date(2026, 1, 1)


# --- semáforo ----------------------------------------------------------------------------

TERMINO = date(2025, 4, 30)  # Wednesday; the ten business days before it include Holy week


def test_semaforo_completo_siempre_a_tiempo() -> None:
    assert semaforo(TERMINO, 100, date(2025, 6, 1), CAL) is Semaforo.A_TIEMPO


def test_semaforo_sin_fecha_de_termino() -> None:
    assert semaforo(None, 10, date(2025, 6, 1), CAL) is Semaforo.A_TIEMPO
    assert semaforo(None, None, date(2025, 6, 1), CAL) is Semaforo.A_TIEMPO


def test_semaforo_vencido() -> None:
    assert semaforo(TERMINO, 99, date(2025, 5, 1), CAL) is Semaforo.VENCIDO
    assert semaforo(TERMINO, None, date(2025, 5, 1), CAL) is Semaforo.VENCIDO


def test_semaforo_en_riesgo_y_su_limite() -> None:
    # (14 Apr, 30 Apr] has 10 business days: 15, 16, 21–25, 28–30 (17–18 are Holy week).
    assert semaforo(TERMINO, 50, date(2025, 4, 14), CAL) is Semaforo.EN_RIESGO
    assert semaforo(TERMINO, 50, date(2025, 4, 11), CAL) is Semaforo.A_TIEMPO
    assert semaforo(TERMINO, 50, TERMINO, CAL) is Semaforo.EN_RIESGO
    # Without the municipal Holy week the same day has 12 business days left.
    assert semaforo(TERMINO, 50, date(2025, 4, 14), CalendarioHabil()) is Semaforo.A_TIEMPO


def test_semaforo_dias_riesgo_configurable() -> None:
    assert semaforo(TERMINO, 0, TERMINO, CAL, dias_riesgo=0) is Semaforo.EN_RIESGO
    assert semaforo(TERMINO, 0, date(2025, 4, 29), CAL, dias_riesgo=0) is Semaforo.A_TIEMPO
    assert semaforo(TERMINO, 0, date(2025, 4, 1), CAL, dias_riesgo=30) is Semaforo.EN_RIESGO


def test_dias_habiles_restantes() -> None:
    assert dias_habiles_restantes(None, date(2025, 4, 14), CAL) is None
    assert dias_habiles_restantes(TERMINO, date(2025, 4, 14), CAL) == 10
    assert dias_habiles_restantes(TERMINO, TERMINO, CAL) == 0
    # Past: (30 Apr, 6 May] holds 2 May and 6 May (1 May holiday, 5 May municipal).
    assert dias_habiles_restantes(TERMINO, date(2025, 5, 6), CAL) == -2
