"""The municipal calendar does not run out: recurring days for any year, the file adds and
removes days, and the years it does not cover are reported."""

from datetime import date

import pytest

from bot.dominio.calendario import (
    RECURRENTES_PUEBLA,
    CalendarioHabil,
    anios_sin_calendario,
    cargar_archivo_municipal,
    domingo_de_pascua,
    leer_archivo_municipal,
    ruta_dias_inhabiles_predeterminada,
    validar_recurrentes,
)
from bot.dominio.plazos import plazo_plan_accion, plazo_posicion_institucional
from bot.dominio.vocabulario import Clasificacion

ARCHIVO = cargar_archivo_municipal(ruta_dias_inhabiles_predeterminada())
CAL = CalendarioHabil(ARCHIVO.inhabiles, recurrentes=RECURRENTES_PUEBLA, habiles=ARCHIVO.habiles)
SOLO_ARCHIVO = CalendarioHabil(ARCHIVO.inhabiles)


@pytest.mark.parametrize(
    ("anio", "pascua"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2028, date(2028, 4, 16)),
        (2029, date(2029, 4, 1)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_domingo_de_pascua(anio: int, pascua: date) -> None:
    assert domingo_de_pascua(anio) == pascua


def test_jueves_santo_de_2028_ya_no_cuenta_como_habil() -> None:
    # The shipped file stops at 2027: before, Holy Thursday 2028 silently was a business day.
    assert SOLO_ARCHIVO.es_habil(date(2028, 4, 13))
    assert not CAL.es_habil(date(2028, 4, 13))
    assert CAL.motivo_inhabil(date(2028, 4, 13)) == "Jueves Santo"
    assert CAL.motivo_inhabil(date(2028, 4, 14)) == "Viernes Santo"
    # Notified Tue 11 April 2028: 12, (13–14 Holy week, weekend), 17, 18, 19, 20.
    assert plazo_posicion_institucional(date(2028, 4, 11), CAL) == date(2028, 4, 20)


@pytest.mark.parametrize(
    ("notificacion", "plazo"),
    [
        # Fri 28 Apr 2028: (1 May federal), 2, 3, 4, (5 May municipal), 8, 9.
        (date(2028, 4, 28), date(2028, 5, 9)),
        # Wed 15 Sep 2027: (16 Sep), 17, 20, 21, 22, 23.
        (date(2027, 9, 15), date(2027, 9, 23)),
        # Tue 31 Oct 2028: 1, (2 Nov), 3, 6, 7, 8.
        (date(2028, 10, 31), date(2028, 11, 8)),
        # Fri 17 Nov 2028: (20 Nov, third Monday), 21, 22, 23, 24, 27.
        (date(2028, 11, 17), date(2028, 11, 27)),
        # Fri 8 Dec 2028: 11, (12 Dec), 13, 14, 15, 18.
        (date(2028, 12, 8), date(2028, 12, 18)),
        # 2035: Holy week on 22–23 March; Fri 16 Mar 2035 → (19 Mar, third Monday), 20, 21,
        # (22–23), 26, 27, 28.
        (date(2035, 3, 16), date(2035, 3, 28)),
    ],
)
def test_plazos_en_anios_que_el_archivo_no_tiene(notificacion: date, plazo: date) -> None:
    assert plazo_posicion_institucional(notificacion, CAL) == plazo


def test_el_archivo_agrega_vacaciones_y_quita_un_dia() -> None:
    archivo = leer_archivo_municipal(
        "2028-12-18..2028-12-29  # vacaciones de invierno\nhábil 2028-11-02  # se labora\n"
    )
    cal = CalendarioHabil(
        archivo.inhabiles, recurrentes=RECURRENTES_PUEBLA, habiles=archivo.habiles
    )
    # Fri 8 Dec 2028: 11, (12), 13, 14, 15, (18–29 vacations, 1 Jan), 2 Jan 2029.
    assert plazo_plan_accion(date(2028, 12, 8), Clasificacion.ESPECIFICO, cal) == date(2029, 1, 2)
    # 2 Nov 2028 is worked that year: Tue 31 Oct → 1, 2, 3, 6, 7.
    assert cal.es_habil(date(2028, 11, 2))
    assert plazo_posicion_institucional(date(2028, 10, 31), cal) == date(2028, 11, 7)
    # A federal holiday is law: the file cannot make it a business day.
    ley = leer_archivo_municipal("habil 2028-05-01\n")
    assert not CalendarioHabil(habiles=ley.habiles).es_habil(date(2028, 5, 1))
    assert archivo.anios == {2028}


def test_anios_sin_calendario() -> None:
    assert anios_sin_calendario(ARCHIVO.anios, date(2026, 12, 2)) == []
    assert anios_sin_calendario(ARCHIVO.anios, date(2027, 3, 1)) == [2028]
    assert anios_sin_calendario(ARCHIVO.anios, date(2029, 1, 1)) == [2029, 2030]
    # A year reviewed without days of its own is written as the bare year.
    assert anios_sin_calendario(leer_archivo_municipal("2028\n").anios, date(2027, 6, 1)) == [2027]


def test_recurrentes_configurables() -> None:
    assert validar_recurrentes(["jueves_santo", " 05-05 ", ""]) == ("jueves_santo", "05-05")
    with pytest.raises(ValueError, match="13-40"):
        validar_recurrentes(["13-40"])
    sin_5_de_mayo = CalendarioHabil(recurrentes=("jueves_santo",))
    assert sin_5_de_mayo.es_habil(date(2028, 5, 5))
    assert not sin_5_de_mayo.es_habil(date(2028, 4, 13))
