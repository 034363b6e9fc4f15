"""The scheduler's rules, on Puebla's real calendar: no clock, no database, no Telegram."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.dominio.calendario import (
    CalendarioHabil,
    cargar_dias_inhabiles,
    ruta_dias_inhabiles_predeterminada,
)
from bot.dominio.periodos import Trimestre
from bot.dominio.recordatorios import (
    Plazo,
    RiesgoDependencia,
    TipoMensual,
    TipoPlazo,
    dia_de_resumen,
    en_horario,
    mensuales_debidos,
    ordenar_riesgos,
    plazos_de_evaluacion,
    primer_habil_de_la_semana,
    resumen_pendiente,
    semana_iso,
    siguiente_apertura,
    trimestre_a_enviar,
    umbral_de_aviso,
    vencimiento_reciente,
)
from bot.dominio.vocabulario import Clasificacion, TipoEvaluacion

CAL = CalendarioHabil(cargar_dias_inhabiles(ruta_dias_inhabiles_predeterminada()))
MX = ZoneInfo("America/Mexico_City")
HORARIO = (time(9, 0), time(18, 0))
UMBRALES = (10, 5, 1)

INICIO, CIERRE, ESCALAMIENTO = TipoMensual.INICIO, TipoMensual.CIERRE, TipoMensual.ESCALAMIENTO


def local(
    anio: int, mes: int, dia: int, hora: int = 0, minuto: int = 0, segundo: int = 0
) -> datetime:
    return datetime(anio, mes, dia, hora, minuto, segundo, tzinfo=MX)


# --- Office hours ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ahora", "dentro"),
    [
        (local(2026, 11, 18, 8, 59, 59), False),
        (local(2026, 11, 18, 9, 0), True),  # the opening minute is inside
        (local(2026, 11, 18, 17, 59, 59), True),
        (local(2026, 11, 18, 18, 0), False),  # the closing minute is outside
        (local(2026, 11, 21, 11, 0), False),  # Saturday
        (local(2026, 2, 2, 11, 0), False),  # first Monday of February
        (local(2026, 4, 2, 11, 0), False),  # Holy Thursday (municipal file)
        (local(2026, 9, 16, 11, 0), False),  # Independence day
        (datetime(2026, 11, 18, 15, 30, tzinfo=UTC), True),  # 9:30 in Mexico City
        (datetime(2026, 11, 19, 0, 30, tzinfo=UTC), False),  # 18:30 of the 18th there
    ],
)
def test_en_horario(ahora: datetime, dentro: bool) -> None:
    assert en_horario(ahora, CAL, HORARIO) is dentro


@pytest.mark.parametrize(
    ("ahora", "apertura"),
    [
        (local(2026, 11, 18, 10, 15), local(2026, 11, 18, 10, 15)),  # already open
        (local(2026, 11, 18, 7, 0), local(2026, 11, 18, 9, 0)),  # later the same day
        (local(2026, 11, 18, 18, 0), local(2026, 11, 19, 9, 0)),  # closed: next day
        (local(2026, 11, 13, 19, 0), local(2026, 11, 17, 9, 0)),  # Fri → Tue (16 Revolución)
        (local(2026, 1, 30, 18, 30), local(2026, 2, 3, 9, 0)),  # Fri → Tue (2 Feb)
        (local(2026, 4, 1, 18, 30), local(2026, 4, 6, 9, 0)),  # Wed → Mon (Holy week)
        (local(2026, 9, 16, 8, 0), local(2026, 9, 17, 9, 0)),  # a holiday morning
    ],
)
def test_siguiente_apertura(ahora: datetime, apertura: datetime) -> None:
    resultado = siguiente_apertura(ahora, CAL, HORARIO)
    assert resultado == apertura
    assert resultado.tzinfo == ahora.tzinfo
    assert en_horario(resultado, CAL, HORARIO)


def test_siguiente_apertura_conserva_la_zona_del_argumento() -> None:
    # 9:00 of the holiday Monday 2 Feb in Mexico City is 15:00 UTC; it opens on Tuesday.
    resultado = siguiente_apertura(datetime(2026, 2, 2, 15, 0, tzinfo=UTC), CAL, HORARIO)
    assert resultado == datetime(2026, 2, 3, 15, 0, tzinfo=UTC)
    assert resultado.tzinfo is UTC


def test_una_hora_sin_zona_es_un_error() -> None:
    with pytest.raises(ValueError, match="zona horaria"):
        en_horario(datetime(2026, 11, 18, 10, 0), CAL, HORARIO)


# --- Monthly update ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hoy", "debidos"),
    [
        # November 2026: Mon 2 (Día de Muertos) is not worked, the month opens on Tue 3; its last
        # business day is Mon 30, so the closing reminder (3 business days before) is on Wed 25.
        (date(2026, 11, 1), set()),
        (date(2026, 11, 2), set()),
        (date(2026, 11, 3), {INICIO}),
        (date(2026, 11, 24), {INICIO}),
        (date(2026, 11, 25), {CIERRE}),
        (date(2026, 11, 27), {CIERRE}),
        (date(2026, 11, 30), {ESCALAMIENTO}),
        # February 2026 opens on Tue 3: Mon 2 is the Constitution day.
        (date(2026, 2, 2), set()),
        (date(2026, 2, 3), {INICIO}),
        # January 2026 ends on a Saturday: the last business day is Fri 30, and the escalation
        # is still due over the weekend (the round itself only runs on business days).
        (date(2026, 1, 27), {CIERRE}),  # 28, 29, 30: three business days before the 30th
        (date(2026, 1, 26), {INICIO}),
        (date(2026, 1, 30), {ESCALAMIENTO}),
        (date(2026, 1, 31), {ESCALAMIENTO}),
        # May 2026 ends on a Sunday (last business day Fri 29); Tue 5 May is municipal.
        (date(2026, 5, 26), {CIERRE}),
        (date(2026, 5, 29), {ESCALAMIENTO}),
        # April 2026: Holy Thursday and Friday (2–3) do not move the start (Wed 1).
        (date(2026, 4, 1), {INICIO}),
        (date(2026, 4, 27), {CIERRE}),  # 28, 29, 30
    ],
)
def test_mensuales_debidos(hoy: date, debidos: set[TipoMensual]) -> None:
    assert mensuales_debidos(hoy, CAL, 3) == debidos


def test_aviso_de_cierre_configurable() -> None:
    # Five business days before Mon 30: 27, 26, 25, 24, 23 → from Mon 23 on.
    assert mensuales_debidos(date(2026, 11, 23), CAL, 5) == {CIERRE}
    assert mensuales_debidos(date(2026, 11, 20), CAL, 5) == {INICIO}
    # 0: the closing reminder would fall on the last day, where the escalation replaces it.
    assert mensuales_debidos(date(2026, 11, 27), CAL, 0) == {INICIO}
    assert mensuales_debidos(date(2026, 11, 30), CAL, 0) == {ESCALAMIENTO}


# --- Deadlines ---------------------------------------------------------------------------------

TERMINO = date(2026, 12, 15)  # a Tuesday; Sat 12 Dec (municipal) changes nothing


@pytest.mark.parametrize(
    ("hoy", "umbral"),
    [
        (date(2026, 11, 30), None),  # 11 business days left
        (date(2026, 12, 1), 10),  # exactly 10
        (date(2026, 12, 2), 10),  # 9: still the 10-day reminder (sent once by its clave)
        (date(2026, 12, 7), 10),  # 6
        (date(2026, 12, 8), 5),
        (date(2026, 12, 10), 5),  # back after downtime since the 1st: only the 5-day one
        (date(2026, 12, 14), 1),
        (date(2026, 12, 15), 1),  # the day itself (0 left) still gets the last reminder
        (date(2026, 12, 16), None),  # passed: see vencimiento_reciente
    ],
)
def test_umbral_de_aviso(hoy: date, umbral: int | None) -> None:
    assert umbral_de_aviso(TERMINO, hoy, CAL, UMBRALES) == umbral


def test_umbral_cuenta_dias_habiles_alrededor_de_festivos() -> None:
    # Holy week: from Wed 1 April to Mon 6 April 2026 there is one business day (Thu 2 and
    # Fri 3 are municipal non-working days), not three.
    assert umbral_de_aviso(date(2026, 4, 6), date(2026, 4, 1), CAL, UMBRALES) == 1
    # 16 September 2026 is a Wednesday: from Tuesday 15 to Thursday 17 is one business day.
    assert umbral_de_aviso(date(2026, 9, 17), date(2026, 9, 15), CAL, UMBRALES) == 1
    # First Monday of February: from Fri 30 Jan to Tue 3 Feb 2026, one business day.
    assert umbral_de_aviso(date(2026, 2, 3), date(2026, 1, 30), CAL, UMBRALES) == 1


def test_umbrales_configurables() -> None:
    assert umbral_de_aviso(TERMINO, date(2026, 12, 8), CAL, (3,)) is None
    assert umbral_de_aviso(TERMINO, date(2026, 12, 10), CAL, [1, 3]) == 3  # any order
    assert umbral_de_aviso(TERMINO, date(2026, 12, 15), CAL, (0, 2)) == 0
    assert umbral_de_aviso(TERMINO, date(2026, 12, 15), CAL, ()) is None


@pytest.mark.parametrize(
    ("hoy", "reciente"),
    [
        (date(2026, 10, 30), False),  # the deadline itself has not passed
        (date(2026, 10, 31), True),  # the Saturday after
        (date(2026, 11, 3), True),  # Mon 2 Nov is not worked: one business day later
        (date(2026, 11, 9), True),  # 3, 4, 5, 6, 9: five business days
        (date(2026, 11, 10), False),  # six: too old to announce
    ],
)
def test_vencimiento_reciente(hoy: date, reciente: bool) -> None:
    assert vencimiento_reciente(date(2026, 10, 30), hoy, CAL) is reciente


def test_vencimiento_reciente_ventana_configurable() -> None:
    assert vencimiento_reciente(date(2026, 10, 30), date(2026, 11, 10), CAL, dias=6)
    assert not vencimiento_reciente(date(2026, 10, 30), date(2026, 11, 4), CAL, dias=1)


# --- Deadlines of an evaluation ----------------------------------------------------------------

ESPECIFICO, INTERGUB = Clasificacion.ESPECIFICO, Clasificacion.INTERGUBERNAMENTAL


def test_plazos_de_una_evaluacion_interna_en_semana_santa() -> None:
    # Notified Mon 30 March 2026: 31, 1, (2–3 Holy week), 6, 7, 8 → 8 April (Arts. 8 and 13).
    # ASM received Wed 1 April: (2–3), 6, 7, 8, 9, 10 → 10 April (Art. 10).
    plazos = plazos_de_evaluacion(
        TipoEvaluacion.INTERNA, 2026, date(2026, 3, 30), date(2026, 4, 1), [ESPECIFICO], CAL
    )
    assert plazos == [
        Plazo(TipoPlazo.POSICION_INSTITUCIONAL, date(2026, 4, 8)),
        Plazo(TipoPlazo.PLAN_ACCION, date(2026, 4, 10)),
        Plazo(TipoPlazo.ENTREGA_AVANCES, date(2026, 4, 8)),
    ]


def test_plazos_de_una_evaluacion_externa() -> None:
    plazos = plazos_de_evaluacion(
        TipoEvaluacion.EXTERNA, 2026, None, date(2026, 4, 1), [INTERGUB, ESPECIFICO], CAL
    )
    # Art. 13: the last business day of April of the year after the evaluated (Fri 30/04/2027).
    assert plazos == [
        Plazo(TipoPlazo.PLAN_ACCION, date(2026, 4, 10)),
        Plazo(TipoPlazo.EVALUACION_EXTERNA, date(2027, 4, 30)),
    ]


def test_sin_plan_cuando_todos_son_intergubernamentales() -> None:
    plazos = plazos_de_evaluacion(
        TipoEvaluacion.EXTERNA, 2026, None, date(2026, 4, 1), [INTERGUB, INTERGUB], CAL
    )
    assert [p.tipo for p in plazos] == [TipoPlazo.EVALUACION_EXTERNA]
    # Without ASM loaded yet there is no plan to ask for either.
    assert plazos_de_evaluacion(TipoEvaluacion.INTERNA, 2026, None, date(2026, 4, 1), [], CAL) == []


def test_informe_de_seguimiento_cuenta_como_interna() -> None:
    plazos = plazos_de_evaluacion(
        TipoEvaluacion.SEGUIMIENTO, 2026, date(2026, 9, 11), None, [ESPECIFICO], CAL
    )
    # Fri 11 Sep 2026: 14, 15, (16 Independence), 17, 18, 21.
    assert plazos == [
        Plazo(TipoPlazo.POSICION_INSTITUCIONAL, date(2026, 9, 21)),
        Plazo(TipoPlazo.ENTREGA_AVANCES, date(2026, 9, 21)),
    ]


# --- Weekly digest -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hoy", "es_el_dia"),
    [
        (date(2026, 11, 23), True),  # an ordinary Monday
        (date(2026, 11, 24), False),
        (date(2026, 2, 2), False),  # first Monday of February: a holiday
        (date(2026, 2, 3), True),  # ... so the digest goes on Tuesday
        (date(2026, 2, 4), False),
        (date(2026, 11, 16), False),  # Revolución (third Monday of November)
        (date(2026, 11, 17), True),
        (date(2026, 11, 22), False),  # Sunday
    ],
)
def test_dia_de_resumen(hoy: date, es_el_dia: bool) -> None:
    assert dia_de_resumen(hoy, CAL) is es_el_dia


def test_resumen_pendiente_recupera_el_de_la_semana() -> None:
    # Missed on Tuesday 3 Feb 2026, it is still due that week (and only that week's).
    assert not resumen_pendiente(date(2026, 2, 2), CAL)
    assert resumen_pendiente(date(2026, 2, 3), CAL)
    assert resumen_pendiente(date(2026, 2, 6), CAL)
    assert semana_iso(date(2026, 2, 3)) == semana_iso(date(2026, 2, 6)) == "2026-W06"
    assert semana_iso(date(2026, 2, 9)) == "2026-W07"


def test_semana_sin_dias_habiles() -> None:
    sin_semana = CalendarioHabil([date(2026, 12, d) for d in range(21, 26)])
    assert primer_habil_de_la_semana(date(2026, 12, 23), sin_semana) is None
    assert not resumen_pendiente(date(2026, 12, 23), sin_semana)
    assert not dia_de_resumen(date(2026, 12, 23), sin_semana)


def test_semana_iso_en_cambio_de_anio() -> None:
    assert semana_iso(date(2027, 1, 1)) == "2026-W53"


def test_ordenar_riesgos() -> None:
    filas = [
        RiesgoDependencia("TM", 0, 3),
        RiesgoDependencia("SMDIF", 2, 0),
        RiesgoDependencia("SSC", 2, 1),
        RiesgoDependencia("ABC", 0, 3),
    ]
    assert [f.dependencia for f in ordenar_riesgos(filas)] == ["SSC", "SMDIF", "ABC", "TM"]


# --- Quarterly Anexo A -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hoy", "trimestre"),
    [
        (date(2026, 1, 1), None),  # New Year: the quarter has not opened yet
        (date(2026, 1, 2), Trimestre(2025, 4)),
        (date(2026, 3, 31), Trimestre(2025, 4)),  # from then on: catch-up after downtime
        (date(2026, 4, 1), Trimestre(2026, 1)),
        (date(2026, 4, 3), Trimestre(2026, 1)),  # Holy Friday, same quarter
        (date(2026, 10, 1), Trimestre(2026, 3)),
        (date(2027, 10, 1), Trimestre(2027, 3)),
    ],
)
def test_trimestre_a_enviar(hoy: date, trimestre: Trimestre | None) -> None:
    assert trimestre_a_enviar(hoy, CAL) == trimestre


def test_trimestre_abre_despues_de_un_fin_de_semana() -> None:
    # 1 July 2028 is a Saturday: the third quarter opens on Monday 3 July.
    assert trimestre_a_enviar(date(2028, 7, 1), CAL) is None
    assert trimestre_a_enviar(date(2028, 7, 3), CAL) == Trimestre(2028, 2)


# --- Reminders that know the state ---------------------------------------------------------


def test_aviso_de_plazo_se_detiene_al_cumplirse() -> None:
    from bot.dominio.recordatorios import AvisoPlazo, aviso_de_plazo

    plazo = date(2026, 12, 4)  # Friday
    umbrales = (10, 5, 1)
    # Thu 3 Dec: one business day left.
    assert aviso_de_plazo(plazo, False, date(2026, 12, 3), CAL, umbrales) == (
        AvisoPlazo.RECORDATORIO, 1,
    )  # fmt: skip
    assert aviso_de_plazo(plazo, True, date(2026, 12, 3), CAL, umbrales) is None
    # Passed and not met: VENCIDO while recent, then nothing; met: nothing.
    assert aviso_de_plazo(plazo, False, date(2026, 12, 7), CAL, umbrales) == (
        AvisoPlazo.VENCIDO, None,
    )  # fmt: skip
    assert aviso_de_plazo(plazo, True, date(2026, 12, 7), CAL, umbrales) is None
    assert aviso_de_plazo(plazo, False, date(2027, 1, 29), CAL, umbrales) is None


def test_obligaciones_ordenadas_la_mas_proxima_primero() -> None:
    from bot.dominio.recordatorios import Obligacion, ordenar_obligaciones

    a = Obligacion(TipoPlazo.PLAN_ACCION, date(2026, 12, 4), 2, "SEDEM", "X")
    b = Obligacion(TipoPlazo.POSICION_INSTITUCIONAL, date(2026, 11, 20), -8, "TM", "Y")
    c = Obligacion(TipoPlazo.TERMINO, date(2026, 12, 4), 2, "ADM", "Z")
    assert ordenar_obligaciones([a, b, c]) == [b, c, a]
    assert a.articulo == "Art. 10" and b.articulo == "Art. 8" and c.articulo == "Anexo A, inciso f"
