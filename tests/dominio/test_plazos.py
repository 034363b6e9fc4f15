from dataclasses import dataclass
from datetime import date

import pytest

from bot.dominio.calendario import (
    RECURRENTES_PUEBLA,
    CalendarioHabil,
    cargar_dias_inhabiles,
    ruta_dias_inhabiles_predeterminada,
)
from bot.dominio.plazos import (
    dias_habiles_restantes,
    limite_atencion,
    periodo_de,
    plazo_entrega_avances_interna,
    plazo_evaluacion_externa,
    plazo_plan_accion,
    plazo_posicion_institucional,
    semaforo,
    validar_fecha_termino,
    validar_limite_atencion,
)
from bot.dominio.recordatorios import plazos_de_evaluacion
from bot.dominio.vocabulario import Clasificacion, Semaforo, TipoEvaluacion

CAL = CalendarioHabil(cargar_dias_inhabiles(ruta_dias_inhabiles_predeterminada()))
# With the recurring municipal days: the calendar for any year.
CAL_P = CalendarioHabil(
    cargar_dias_inhabiles(ruta_dias_inhabiles_predeterminada()), recurrentes=RECURRENTES_PUEBLA
)


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
    ("ejercicio_evaluado", "plazo"),
    # The April of the fiscal year after the evaluated one (Thu 30 Apr 2026, Fri 30 Apr 2027;
    # 30 Apr 2028 is a Sunday).
    [(2025, date(2026, 4, 30)), (2026, date(2027, 4, 30)), (2027, date(2028, 4, 28))],
)
def test_plazo_evaluacion_externa(ejercicio_evaluado: int, plazo: date) -> None:
    assert plazo_evaluacion_externa(ejercicio_evaluado, CAL) == plazo


def test_externa_de_2026_notificada_en_noviembre_no_vence_antes() -> None:
    # Before the fix: an external evaluation of 2026 notified 20/11/2026 got 30/04/2026.
    assert plazo_evaluacion_externa(2026, CAL, date(2026, 11, 20)) == date(2027, 4, 30)


def test_externa_notificada_despues_de_su_abril_toma_el_siguiente() -> None:
    # Our rule where the Lineamientos are silent: a report notified after that April.
    assert plazo_evaluacion_externa(2025, CAL, date(2026, 5, 4)) == date(2027, 4, 30)
    assert plazo_evaluacion_externa(2025, CAL, date(2026, 4, 30)) == date(2027, 4, 30)


@dataclass
class _Ev:
    tipo: str
    ejercicio_evaluado: int
    fecha_notificacion: date | None
    fecha_limite_atencion: date | None = None


@pytest.mark.parametrize("anio", range(2024, 2031))
@pytest.mark.parametrize("mes_dia", [(1, 2), (4, 29), (5, 2), (11, 20), (12, 31)])
@pytest.mark.parametrize("tipo", list(TipoEvaluacion))
def test_ningun_plazo_cae_antes_de_su_notificacion(
    anio: int, mes_dia: tuple[int, int], tipo: TipoEvaluacion
) -> None:
    notificacion = date(anio, *mes_dia)
    for ejercicio in (anio - 1, anio):
        fechas = [p.fecha for p in plazos_de_evaluacion(
            tipo, ejercicio, notificacion, notificacion, [Clasificacion.ESPECIFICO], CAL_P
        )]  # fmt: skip
        assert fechas and all(f > notificacion for f in fechas)
        limite = limite_atencion(_Ev(tipo.value, ejercicio, notificacion), CAL_P)
        assert limite is None or limite > notificacion


# --- Anexo A (f): the fecha límite de atención ------------------------------------------


def test_limite_atencion_externa_es_el_abril_siguiente() -> None:
    ev = _Ev("externa", 2026, date(2026, 11, 20), fecha_limite_atencion=date(2026, 12, 1))
    assert limite_atencion(ev, CAL) == date(2027, 4, 30)  # a stored date does not apply


@pytest.mark.parametrize("tipo", ["interna", "seguimiento"])
def test_limite_atencion_interna_la_fija_el_implan(tipo: str) -> None:
    assert limite_atencion(_Ev(tipo, 2025, date(2025, 12, 8)), CAL) is None
    ev = _Ev(tipo, 2025, date(2025, 12, 8), fecha_limite_atencion=date(2026, 6, 30))
    assert limite_atencion(ev, CAL) == date(2026, 6, 30)


def test_el_caso_del_13_de_noviembre_ya_permite_enviar_el_plan() -> None:
    # Report notified Fri 13/11/2026, ASM received Fri 27/11/2026. Art. 13's delivery is
    # 23/11/2026 (16 Nov is a holiday); it used to be the maximum fecha de término, already past
    # when the plan is due on 04/12/2026. Now the limit is IMPLAN's (none by default).
    notificacion, recepcion = date(2026, 11, 13), date(2026, 11, 27)
    assert plazo_entrega_avances_interna(notificacion, CAL) == date(2026, 11, 23)
    assert plazo_plan_accion(recepcion, Clasificacion.ESPECIFICO, CAL) == date(2026, 12, 4)
    maxima = limite_atencion(_Ev("interna", 2026, notificacion), CAL)
    assert validar_fecha_termino(date(2027, 6, 30), maxima) == []


def test_validar_limite_atencion() -> None:
    interna, externa = TipoEvaluacion.INTERNA, TipoEvaluacion.EXTERNA
    assert validar_limite_atencion(interna, None, date(2026, 11, 13)) == []
    assert validar_limite_atencion(interna, date(2027, 6, 30), date(2026, 11, 13)) == []
    antes = validar_limite_atencion(interna, date(2026, 11, 13), date(2026, 11, 13))
    assert antes and "posterior" in antes[0]
    assert "Art. 13" in validar_limite_atencion(externa, date(2027, 6, 30), None)[0]


def test_validar_fecha_termino() -> None:
    maxima = date(2025, 4, 30)
    assert validar_fecha_termino(date(2025, 5, 15), maxima) == [
        "La fecha de término 15/05/2025 excede la fecha límite de atención de la evaluación "
        "(30/04/2025); elija una fecha igual o anterior."
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
