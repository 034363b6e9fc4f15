import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.dominio.calendario import (
    CalendarioHabil,
    cargar_dias_inhabiles,
    leer_dias_inhabiles,
    ruta_dias_inhabiles_predeterminada,
)

MUNICIPALES = cargar_dias_inhabiles(ruta_dias_inhabiles_predeterminada())
CAL = CalendarioHabil(MUNICIPALES)
SOLO_FEDERAL = CalendarioHabil()

# A vacation period of our own (the shipped file has none).
VACACIONES = """
# Vacaciones de invierno
2025-12-22..2026-01-02
"""
CAL_VACACIONES = CalendarioHabil(MUNICIPALES | leer_dias_inhabiles(VACACIONES))


# --- es_habil / motivo_inhabil -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("dia", "motivo"),
    [
        (date(2025, 4, 19), "sábado"),
        (date(2025, 4, 20), "domingo"),
        (date(2025, 2, 3), "Día de la Constitución"),  # first Monday of February
        (date(2026, 2, 2), "Día de la Constitución"),
        (date(2025, 3, 17), "Natalicio de Benito Juárez"),  # third Monday of March
        (date(2025, 9, 16), "Día de la Independencia"),  # a Tuesday
        (date(2025, 11, 17), "Día de la Revolución"),  # third Monday of November
        (date(2026, 11, 16), "Día de la Revolución"),
        (date(2025, 12, 25), "Navidad"),
        (date(2025, 4, 17), "día inhábil municipal"),  # Jueves Santo
        (date(2025, 4, 18), "día inhábil municipal"),  # Viernes Santo
        (date(2025, 5, 5), "día inhábil municipal"),
        (date(2026, 11, 2), "día inhábil municipal"),  # a Monday
        (date(2025, 12, 12), "día inhábil municipal"),  # a Friday
    ],
)
def test_dias_inhabiles_y_su_motivo(dia: date, motivo: str) -> None:
    assert not CAL.es_habil(dia)
    assert CAL.motivo_inhabil(dia) == motivo


@pytest.mark.parametrize("dia", [date(2025, 4, 16), date(2025, 4, 21), date(2025, 9, 15)])
def test_dias_habiles_no_tienen_motivo(dia: date) -> None:
    assert CAL.es_habil(dia)
    assert CAL.motivo_inhabil(dia) is None


def test_municipal_en_fin_de_semana_se_explica_como_fin_de_semana() -> None:
    # 2 November 2025 is a Sunday: the weekend is the reason given.
    assert CAL.motivo_inhabil(date(2025, 11, 2)) == "domingo"


def test_sin_dias_municipales_solo_cuentan_los_federales() -> None:
    assert SOLO_FEDERAL.es_habil(date(2025, 4, 17))
    assert SOLO_FEDERAL.es_habil(date(2025, 12, 12))
    assert not SOLO_FEDERAL.es_habil(date(2025, 9, 16))


# --- sumar_habiles and friends -----------------------------------------------------------------


def test_sumar_habiles_semana_santa_2025() -> None:
    # Wed 16 Apr; 17–18 municipal, 19–20 weekend; 21, 22, 23, 24, 25.
    assert CAL.sumar_habiles(date(2025, 4, 16), 5) == date(2025, 4, 25)
    assert SOLO_FEDERAL.sumar_habiles(date(2025, 4, 16), 5) == date(2025, 4, 23)


def test_sumar_cero_habiles() -> None:
    assert CAL.sumar_habiles(date(2025, 4, 16), 0) == date(2025, 4, 16)
    assert CAL.sumar_habiles(date(2025, 4, 17), 0) == date(2025, 4, 21)


def test_sumar_desde_dia_inhabil_no_lo_cuenta() -> None:
    assert CAL.sumar_habiles(date(2025, 4, 17), 1) == date(2025, 4, 21)
    assert CAL.sumar_habiles(date(2025, 4, 19), 1) == date(2025, 4, 21)
    assert CAL.sumar_habiles(date(2025, 4, 19), 2) == date(2025, 4, 22)


def test_sumar_habiles_negativo_cuenta_hacia_atras() -> None:
    assert CAL.sumar_habiles(date(2025, 4, 21), -1) == date(2025, 4, 16)
    assert CAL.sumar_habiles(date(2025, 4, 30), -10) == date(2025, 4, 14)


@pytest.mark.parametrize(
    ("dia", "siguiente"),
    [
        (date(2025, 4, 16), date(2025, 4, 21)),  # Holy week
        (date(2026, 1, 30), date(2026, 2, 3)),  # Friday before the first Monday of Feb.
        (date(2025, 9, 15), date(2025, 9, 17)),  # 16 September
        (date(2025, 11, 14), date(2025, 11, 18)),  # third Monday of November
        (date(2025, 12, 11), date(2025, 12, 15)),  # 12 December (Friday)
        (date(2026, 10, 30), date(2026, 11, 3)),  # 2 November 2026 (Monday)
        (date(2025, 4, 21), date(2025, 4, 22)),  # ordinary Monday
    ],
)
def test_siguiente_habil(dia: date, siguiente: date) -> None:
    assert CAL.siguiente_habil(dia) == siguiente


def test_habil_o_siguiente() -> None:
    assert CAL.habil_o_siguiente(date(2025, 4, 22)) == date(2025, 4, 22)
    assert CAL.habil_o_siguiente(date(2025, 12, 12)) == date(2025, 12, 15)


def test_vacaciones_del_archivo_municipal() -> None:
    assert CAL_VACACIONES.motivo_inhabil(date(2025, 12, 22)) == "día inhábil municipal"
    assert CAL_VACACIONES.siguiente_habil(date(2025, 12, 19)) == date(2026, 1, 5)
    # Thu 18 Dec: 19 Dec, then 5, 6, 7, 8 Jan.
    assert CAL_VACACIONES.sumar_habiles(date(2025, 12, 18), 5) == date(2026, 1, 8)
    assert CAL_VACACIONES.ultimo_habil_del_mes(2025, 12) == date(2025, 12, 19)
    assert CAL_VACACIONES.primer_habil_del_mes(2026, 1) == date(2026, 1, 5)


# --- habiles_entre -------------------------------------------------------------------------


def test_habiles_entre() -> None:
    assert CAL.habiles_entre(date(2025, 4, 16), date(2025, 4, 25)) == 5
    assert CAL.habiles_entre(date(2025, 4, 25), date(2025, 4, 16)) == -5
    assert CAL.habiles_entre(date(2025, 4, 16), date(2025, 4, 16)) == 0
    assert CAL.habiles_entre(date(2025, 4, 16), date(2025, 4, 20)) == 0
    # Across the new year: 26, 29, 30, 31 Dec; 2, 5 Jan (25 Dec and 1 Jan are holidays).
    assert CAL.habiles_entre(date(2025, 12, 24), date(2026, 1, 5)) == 6
    assert CAL_VACACIONES.habiles_entre(date(2025, 12, 19), date(2026, 1, 5)) == 1


def test_habiles_entre_coincide_con_contar_dia_por_dia() -> None:
    # The fast count (by subtraction) must agree with the obvious walk, over every weekday
    # offset and across year ends with vacations.
    inicio = date(2024, 12, 1)
    for desde_offset in range(0, 60, 3):
        desde = inicio + timedelta(days=desde_offset)
        for largo in range(0, 420, 7):
            hasta = desde + timedelta(days=largo)
            esperado = sum(
                CAL_VACACIONES.es_habil(desde + timedelta(days=i)) for i in range(1, largo + 1)
            )
            assert CAL_VACACIONES.habiles_entre(desde, hasta) == esperado
            assert CAL_VACACIONES.habiles_entre(hasta, desde) == -esperado


def test_habiles_entre_es_inverso_de_sumar_habiles() -> None:
    for n in (1, 5, 10, 37, 250):
        assert CAL.habiles_entre(date(2025, 4, 16), CAL.sumar_habiles(date(2025, 4, 16), n)) == n


# --- months ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("anio", "mes", "primero"),
    [
        (2025, 1, date(2025, 1, 2)),  # 1 January
        (2026, 2, date(2026, 2, 3)),  # Sunday 1, then the first Monday of February
        (2025, 11, date(2025, 11, 3)),  # Saturday 1, Sunday 2
        (2026, 11, date(2026, 11, 3)),  # Sunday 1, municipal Monday 2
        (2025, 4, date(2025, 4, 1)),
    ],
)
def test_primer_habil_del_mes(anio: int, mes: int, primero: date) -> None:
    assert CAL.primer_habil_del_mes(anio, mes) == primero


@pytest.mark.parametrize(
    ("anio", "mes", "ultimo"),
    [
        (2025, 5, date(2025, 5, 30)),  # ends on Saturday
        (2025, 8, date(2025, 8, 29)),  # ends on Sunday
        (2025, 11, date(2025, 11, 28)),  # ends on Sunday
        (2026, 1, date(2026, 1, 30)),  # ends on Saturday
        (2025, 12, date(2025, 12, 31)),  # Wednesday
        (2024, 3, date(2024, 3, 27)),  # Sunday 31, Holy Thursday and Friday 28–29
    ],
)
def test_ultimo_habil_del_mes(anio: int, mes: int, ultimo: date) -> None:
    assert CAL.ultimo_habil_del_mes(anio, mes) == ultimo


@pytest.mark.parametrize(
    ("anio", "ultimo"),
    [
        (2024, date(2024, 4, 30)),  # Tuesday
        (2025, date(2025, 4, 30)),  # Wednesday
        (2026, date(2026, 4, 30)),  # Thursday
        (2027, date(2027, 4, 30)),  # Friday
        (2028, date(2028, 4, 28)),  # 30 April is a Sunday
    ],
)
def test_ultimo_habil_de_abril(anio: int, ultimo: date) -> None:
    assert CAL.ultimo_habil_de_abril(anio) == ultimo


def test_mes_sin_dias_habiles_es_un_error() -> None:
    febrero = {date(2026, 2, 1) + timedelta(days=i) for i in range(28)}
    cal = CalendarioHabil(febrero)
    with pytest.raises(ValueError, match="02/2026"):
        cal.ultimo_habil_del_mes(2026, 2)
    with pytest.raises(ValueError, match="02/2026"):
        cal.primer_habil_del_mes(2026, 2)


# --- time zone ---------------------------------------------------------------------------


def test_hoy_usa_la_zona_del_calendario() -> None:
    ahora = datetime(2025, 6, 1, 3, 0, tzinfo=UTC)  # 21:00 of 31 May in Mexico City
    assert CAL.hoy(ahora) == date(2025, 5, 31)
    assert CAL.hoy(datetime(2025, 6, 1, 6, 0, tzinfo=UTC)) == date(2025, 6, 1)


def test_zona_configurable() -> None:
    cancun = CalendarioHabil(zona="America/Cancun")  # UTC-5 all year
    ahora = datetime(2025, 6, 1, 5, 30, tzinfo=UTC)
    assert cancun.hoy(ahora) == date(2025, 6, 1)
    assert CAL.hoy(ahora) == date(2025, 5, 31)
    assert cancun.zona == ZoneInfo("America/Cancun")
    assert CalendarioHabil(zona=ZoneInfo("America/Tijuana")).zona == ZoneInfo("America/Tijuana")
    assert CAL.zona == ZoneInfo("America/Mexico_City")


def test_hoy_rechaza_fecha_hora_sin_zona() -> None:
    with pytest.raises(ValueError, match="zona horaria"):
        CAL.hoy(datetime(2025, 6, 1, 3, 0))


def test_hoy_sin_argumento_es_la_fecha_actual_en_mexico() -> None:
    antes = datetime.now(ZoneInfo("America/Mexico_City")).date()
    hoy = CAL.hoy()
    despues = datetime.now(ZoneInfo("America/Mexico_City")).date()
    assert hoy in {antes, despues}


# --- the municipal file ------------------------------------------------------------------


def test_leer_fechas_y_rangos() -> None:
    texto = """# Calendario 2025

2025-04-17  # Jueves Santo
18/04/2025  # Viernes Santo
2025-12-22..2025-12-24
2025-12-29 a 2025-12-31   # fin de año
30/07/2025 - 01/08/2025
5/5/2025
   # sólo un comentario
2025-11-10 – 2025-11-11
"""
    assert leer_dias_inhabiles(texto) == {
        date(2025, 4, 17),
        date(2025, 4, 18),
        date(2025, 12, 22),
        date(2025, 12, 23),
        date(2025, 12, 24),
        date(2025, 12, 29),
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2025, 7, 30),
        date(2025, 7, 31),
        date(2025, 8, 1),
        date(2025, 5, 5),
        date(2025, 11, 10),
        date(2025, 11, 11),
    }


def test_rango_que_cruza_el_anio() -> None:
    dias = leer_dias_inhabiles("22/12/2025 - 02/01/2026")
    assert len(dias) == 12
    assert min(dias) == date(2025, 12, 22)
    assert max(dias) == date(2026, 1, 2)


def test_rango_de_un_solo_dia() -> None:
    assert leer_dias_inhabiles("2025-05-05..2025-05-05") == {date(2025, 5, 5)}


def test_texto_vacio() -> None:
    assert leer_dias_inhabiles("") == set()
    assert leer_dias_inhabiles("# nada\n\n") == set()


def test_error_de_fecha_nombra_la_linea() -> None:
    texto = "# encabezado\n2025-04-17\n2025-13-01  # mes 13\n"
    with pytest.raises(ValueError) as error:
        leer_dias_inhabiles(texto)
    assert str(error.value) == (
        "línea 3: «2025-13-01» no es una fecha; "
        "use AAAA-MM-DD o DD/MM/AAAA, o un rango «inicio..fin»"
    )


@pytest.mark.parametrize(
    ("linea", "fragmento"),
    [
        ("mañana", "«mañana» no es una fecha"),
        ("31/02/2025", "«31/02/2025» no es una fecha"),
        ("2025/04/17", "«2025/04/17» no es una fecha"),
        ("2025-12-22..2026-01-40", "«2026-01-40» no es una fecha"),
        ("2026-01-02..2025-12-22", "termina antes de empezar"),
        ("2025-01-01..2025-01-05..2025-01-09", "más de dos fechas"),
        ("2025-12-22..2062-01-02", "más de un año"),
    ],
)
def test_errores_del_archivo(linea: str, fragmento: str) -> None:
    with pytest.raises(ValueError) as error:
        leer_dias_inhabiles(f"2025-04-17\n{linea}\n")
    assert str(error.value).startswith("línea 2: ")
    assert fragmento in str(error.value)


def test_cargar_archivo_utf8(tmp_path: Path) -> None:
    ruta = tmp_path / "inhabiles.txt"
    ruta.write_text("\ufeff2025-05-05  # Batalla de Puebla, día inhábil\n", encoding="utf-8")
    assert cargar_dias_inhabiles(ruta) == {date(2025, 5, 5)}


def test_archivo_predeterminado() -> None:
    ruta = ruta_dias_inhabiles_predeterminada()
    assert ruta.name == "dias_inhabiles_puebla.txt"
    assert ruta.is_file()
    assert {date(2026, 4, 2), date(2026, 11, 2), date(2026, 12, 12)} <= MUNICIPALES
    assert {d.year for d in MUNICIPALES} == {2024, 2025, 2026, 2027}
    # Holy Thursday and Friday, 5 May, 2 November and 12 December of four years.
    assert len(MUNICIPALES) == 20
    for anio, jueves in [(2024, 28), (2025, 17), (2026, 2), (2027, 25)]:
        mes = 3 if jueves > 20 else 4
        assert date(anio, mes, jueves).weekday() == 3
        assert date(anio, mes, jueves) in MUNICIPALES
        assert date(anio, mes, jueves + 1) in MUNICIPALES


def test_los_festivos_federales_cargan_solo_mexico_y_son_los_de_la_biblioteca() -> None:
    # In a fresh interpreter: this test process may have imported holidays.countries already.
    codigo = (
        "import json, sys\n"
        "from bot.dominio.calendario import _festivos_oficiales\n"
        "dias = {a: _festivos_oficiales(a) for a in range(2023, 2032)}\n"
        "otros = sorted(m for m in sys.modules if m.startswith('holidays.countries'))\n"
        "import holidays\n"
        "biblioteca = {a: dict(holidays.country_holidays('MX', years=a, language='es').items())\n"
        "              for a in dias}\n"
        "print(json.dumps([otros, dias == biblioteca, len(dias[2024])]))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", codigo], capture_output=True, text=True, check=True, timeout=60
    )
    otros, iguales, num_2024 = json.loads(r.stdout)
    assert otros == []  # not the ~250 country modules of holidays.countries
    assert iguales
    assert num_2024 == 8  # 2024 adds the transmisión del Poder Ejecutivo Federal (1 October)
