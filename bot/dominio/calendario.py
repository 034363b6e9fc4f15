"""Business days (días hábiles) of the municipality of Puebla.

A business day is Monday to Friday, except Mexico's official holidays (`holidays.MX`, which holds
only the federal days), the recurring municipal non-working days (Holy Thursday and Friday counted
from Easter, 5 May, 2 November, 12 December: computed for any year, so the calendar never runs
out) and the days of the municipal text file (each year's vacation periods, or a recurring day
that one year is worked).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

ZONA_PREDETERMINADA = "America/Mexico_City"

_UN_DIA = timedelta(days=1)
_FIN_DE_SEMANA = {5: "sábado", 6: "domingo"}
_MOTIVO_MUNICIPAL = "día inhábil municipal"


@lru_cache(maxsize=1)
def _mexico() -> Callable[..., holidays.HolidayBase]:
    """Mexico's holiday class, loaded by itself when it can be.

    Importing `holidays.countries` runs every one of its ~250 country modules (about 70 ms and
    8 MB, a good part of a command such as `asmbot anexo`), and Mexico is the only one used.
    Should the library lay its files out otherwise, it loads the ordinary way.
    """
    if "holidays.countries" not in sys.modules:  # already imported: nothing left to save
        ruta = Path(holidays.__file__).with_name("countries") / "mexico.py"
        spec = importlib.util.spec_from_file_location("bot.dominio._festivos_mx", ruta)
        if spec is not None and spec.loader is not None:
            try:
                modulo = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(modulo)
                clase: Callable[..., holidays.HolidayBase] = modulo.Mexico
                return clase
            except (ImportError, OSError, AttributeError):
                pass
    return lambda **opciones: holidays.country_holidays("MX", **opciones)


@lru_cache(maxsize=64)
def _festivos_oficiales(anio: int) -> dict[date, str]:
    """Federal holidays of one year with their Spanish names (building them is slow: cache)."""
    return dict(_mexico()(years=anio, language="es").items())


def _laborables_hasta(d: date) -> int:
    """Monday–Friday days from 0001-01-01 (a Monday) to d inclusive: counts without a loop."""
    semanas, resto = divmod(d.toordinal(), 7)
    return semanas * 5 + min(resto, 5)


# --- Recurring municipal days ----------------------------------------------------------------

# The municipality's own non-working days that come back every year (its official calendar);
# settable with ASMBOT_DIAS_INHABILES_RECURRENTES. `jueves_santo` and `viernes_santo` move with
# Easter; `MM-DD` is a fixed day.
RECURRENTES_PUEBLA = ("jueves_santo", "viernes_santo", "05-05", "11-02", "12-12")
_NOMBRES_RECURRENTES = {
    "jueves_santo": "Jueves Santo",
    "viernes_santo": "Viernes Santo",
    "05-05": "Batalla de Puebla",
    "11-02": "Día de Muertos",
    "12-12": "Día de la Virgen de Guadalupe",
}
_MES_DIA = re.compile(r"^(\d{2})-(\d{2})$")


def domingo_de_pascua(anio: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a, b, c = anio % 19, anio // 100, anio % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    mes, dia = divmod(h + el - 7 * m + 114, 31)
    return date(anio, mes, dia + 1)


def validar_recurrentes(claves: Iterable[str]) -> tuple[str, ...]:
    """The recurring days as given, or ValueError naming the one that cannot be read."""
    validas: list[str] = []
    for clave in (c.strip().lower() for c in claves):
        if not clave:
            continue
        if clave not in ("jueves_santo", "viernes_santo"):
            m = _MES_DIA.match(clave)
            try:
                if m is None:
                    raise ValueError
                date(2024, int(m[1]), int(m[2]))  # a leap year accepts 02-29
            except ValueError:
                raise ValueError(
                    f"«{clave}» no es un día recurrente; use jueves_santo, viernes_santo o MM-DD "
                    "(por ejemplo 05-05)"
                ) from None
        validas.append(clave)
    return tuple(validas)


def dias_recurrentes(anio: int, claves: Iterable[str]) -> dict[date, str]:
    """The recurring municipal days of one year with their names (02-29 only in leap years)."""
    pascua = domingo_de_pascua(anio)
    dias: dict[date, str] = {}
    for clave in claves:
        if clave == "jueves_santo":
            d = pascua - timedelta(days=3)
        elif clave == "viernes_santo":
            d = pascua - timedelta(days=2)
        else:
            mes, dia = int(clave[:2]), int(clave[3:])
            try:
                d = date(anio, mes, dia)
            except ValueError:
                continue
        dias[d] = _NOMBRES_RECURRENTES.get(clave, _MOTIVO_MUNICIPAL)
    return dias


class CalendarioHabil:
    """The business-day calendar: official holidays, recurring municipal days and the file's.

    `dias_inhabiles` are the file's non-working days; `recurrentes` the keys of the days that come
    back every year (RECURRENTES_PUEBLA, say); `habiles` the municipal days that one year are
    worked after all (the federal holidays are law and cannot be removed).
    """

    def __init__(
        self,
        dias_inhabiles: Iterable[date] = (),
        zona: str | ZoneInfo = ZONA_PREDETERMINADA,
        *,
        recurrentes: Iterable[str] = (),
        habiles: Iterable[date] = (),
    ) -> None:
        self._archivo = frozenset(dias_inhabiles)
        self._recurrentes = validar_recurrentes(recurrentes)
        self._habiles = frozenset(habiles)
        self._municipales_por_anio: dict[int, dict[date, str]] = {}
        self._zona = zona if isinstance(zona, ZoneInfo) else ZoneInfo(zona)
        # Per year, the sorted Monday–Friday days that are not worked: lets habiles_entre count
        # long spans by subtraction instead of walking them day by day.
        self._inhabiles_entre_semana: dict[int, list[date]] = {}

    @property
    def zona(self) -> ZoneInfo:
        return self._zona

    def motivo_inhabil(self, d: date) -> str | None:
        """Why d is not a business day (weekend first, then holiday, then municipal), or None."""
        if d.weekday() in _FIN_DE_SEMANA:
            return _FIN_DE_SEMANA[d.weekday()]
        festivo = _festivos_oficiales(d.year).get(d)
        if festivo is not None:
            return festivo
        return self._municipales(d.year).get(d)

    def es_habil(self, d: date) -> bool:
        return (
            d.weekday() < 5
            and d not in self._municipales(d.year)
            and d not in _festivos_oficiales(d.year)
        )

    def _municipales(self, anio: int) -> dict[date, str]:
        """The year's municipal non-working days: recurring ones and the file's, minus `habiles`."""
        dias = self._municipales_por_anio.get(anio)
        if dias is None:
            dias = dias_recurrentes(anio, self._recurrentes)
            for d in self._archivo:
                if d.year == anio:
                    dias.setdefault(d, _MOTIVO_MUNICIPAL)
            for d in self._habiles:
                dias.pop(d, None)
            self._municipales_por_anio[anio] = dias
        return dias

    def sumar_habiles(self, d: date, n: int) -> date:
        """The n-th business day after d (d itself never counts); n = 0 gives habil_o_siguiente(d).

        A negative n counts backwards: the |n|-th business day before d.
        """
        if n == 0:
            return self.habil_o_siguiente(d)
        paso = _UN_DIA if n > 0 else -_UN_DIA
        faltan = abs(n)
        while faltan:
            d += paso
            if self.es_habil(d):
                faltan -= 1
        return d

    def siguiente_habil(self, d: date) -> date:
        """The first business day strictly after d."""
        return self.sumar_habiles(d, 1)

    def habil_o_siguiente(self, d: date) -> date:
        while not self.es_habil(d):
            d += _UN_DIA
        return d

    def habiles_entre(self, desde: date, hasta: date) -> int:
        """Business days in (desde, hasta]; negative count of (hasta, desde] when hasta < desde."""
        if hasta < desde:
            return -self.habiles_entre(hasta, desde)
        return (
            _laborables_hasta(hasta) - _laborables_hasta(desde) - self._inhabiles_en(desde, hasta)
        )

    def primer_habil_del_mes(self, anio: int, mes: int) -> date:
        return self._en_el_mes(self.habil_o_siguiente(date(anio, mes, 1)), anio, mes)

    def ultimo_habil_del_mes(self, anio: int, mes: int) -> date:
        siguiente_mes = date(anio + 1, 1, 1) if mes == 12 else date(anio, mes + 1, 1)
        d = siguiente_mes - _UN_DIA
        while not self.es_habil(d):
            d -= _UN_DIA
        return self._en_el_mes(d, anio, mes)

    def ultimo_habil_de_abril(self, anio: int) -> date:
        """Deadline of external evaluations (Art. 13)."""
        return self.ultimo_habil_del_mes(anio, 4)

    def hoy(self, ahora: datetime | None = None) -> date:
        """Today's date in the calendar's time zone (`ahora`, timezone-aware, lets tests fix it)."""
        if ahora is None:
            return datetime.now(self._zona).date()
        if ahora.tzinfo is None or ahora.utcoffset() is None:
            raise ValueError("ahora debe tener zona horaria (datetime «aware»)")
        return ahora.astimezone(self._zona).date()

    def _inhabiles_en(self, desde: date, hasta: date) -> int:
        """Monday–Friday non-working days in (desde, hasta]."""
        total = 0
        for anio in range(desde.year, hasta.year + 1):
            dias = self._inhabiles_del_anio(anio)
            total += bisect_right(dias, hasta) - bisect_right(dias, desde)
        return total

    def _inhabiles_del_anio(self, anio: int) -> list[date]:
        dias = self._inhabiles_entre_semana.get(anio)
        if dias is None:
            todos = set(_festivos_oficiales(anio)) | set(self._municipales(anio))
            dias = sorted(d for d in todos if d.weekday() < 5)
            self._inhabiles_entre_semana[anio] = dias
        return dias

    @staticmethod
    def _en_el_mes(d: date, anio: int, mes: int) -> date:
        if (d.year, d.month) != (anio, mes):
            raise ValueError(f"{mes:02d}/{anio} no tiene días hábiles")
        return d


# --- The municipal file ---------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMA = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# "..", " a " and a spaced hyphen or dash separate a range; a bare hyphen belongs to ISO dates.
_SEPARADOR_RANGO = re.compile(r"\s*\.\.\s*|\s+a\s+|\s+[-–]\s+")
_AYUDA = "use AAAA-MM-DD o DD/MM/AAAA, o un rango «inicio..fin»"
# A longer range is almost surely a mistyped year, which would silently close years of days.
_RANGO_MAXIMO = timedelta(days=366)


def _fecha(texto: str, num_linea: int) -> date:
    error = ValueError(f"línea {num_linea}: «{texto}» no es una fecha; {_AYUDA}")
    if m := _ISO.match(texto):
        anio, mes, dia = m.groups()
    elif m := _DMA.match(texto):
        dia, mes, anio = m.groups()
    else:
        raise error
    try:
        return date(int(anio), int(mes), int(dia))
    except ValueError:
        raise error from None


@dataclass(frozen=True)
class ArchivoMunicipal:
    """What the municipal file says: days not worked, recurring days worked, years it covers."""

    inhabiles: frozenset[date] = frozenset()
    habiles: frozenset[date] = frozenset()
    anios: frozenset[int] = field(default=frozenset())


_HABIL = re.compile(r"^h[aá]bil\s+", re.IGNORECASE)


def anios_sin_calendario(anios_cubiertos: Collection[int], hoy: date) -> list[int]:
    """The current and next year when the file has no entry for them: their vacation periods
    (and any other day the municipality declares) are then unknown and count as business days."""
    return [a for a in (hoy.year, hoy.year + 1) if a not in anios_cubiertos]


def leer_archivo_municipal(texto: str) -> ArchivoMunicipal:
    """Parse the municipal file: one date or inclusive range per line, `#` starts a comment.

    Dates: `2025-04-17` or `17/04/2025`. Ranges: `2025-12-22..2026-01-02`,
    `2025-12-22 a 2026-01-02` or `22/12/2025 - 02/01/2026`. A line `hábil 2027-11-02` says a
    recurring day is worked that year. A line with only a year (`2028`) says the year was
    reviewed and has no day of its own.
    Raises ValueError naming the line when a line cannot be read.
    """
    dias: set[date] = set()
    habiles: set[date] = set()
    anios: set[int] = set()
    for num_linea, linea in enumerate(texto.splitlines(), start=1):
        contenido = linea.split("#", 1)[0].strip()
        if not contenido:
            continue
        if re.fullmatch(r"\d{4}", contenido):
            anios.add(int(contenido))
            continue
        if m := _HABIL.match(contenido):
            d = _fecha(contenido[m.end() :].strip(), num_linea)
            habiles.add(d)
            anios.add(d.year)
            continue
        partes = _SEPARADOR_RANGO.split(contenido)
        if len(partes) == 1:
            d = _fecha(contenido, num_linea)
            dias.add(d)
            anios.add(d.year)
            continue
        if len(partes) != 2:
            raise ValueError(
                f"línea {num_linea}: «{contenido}» tiene más de dos fechas; "
                "escriba una fecha o un rango «inicio..fin» por línea"
            )
        inicio, fin = _fecha(partes[0], num_linea), _fecha(partes[1], num_linea)
        if fin < inicio:
            raise ValueError(
                f"línea {num_linea}: el rango «{contenido}» termina antes de empezar; "
                "escriba primero la fecha inicial"
            )
        if fin - inicio > _RANGO_MAXIMO:
            raise ValueError(
                f"línea {num_linea}: el rango «{contenido}» abarca más de un año; revise los años"
            )
        while inicio <= fin:
            dias.add(inicio)
            anios.add(inicio.year)
            inicio += _UN_DIA
    return ArchivoMunicipal(frozenset(dias), frozenset(habiles), frozenset(anios))


def leer_dias_inhabiles(texto: str) -> set[date]:
    """Only the non-working days of the municipal file (see leer_archivo_municipal)."""
    return set(leer_archivo_municipal(texto).inhabiles)


def cargar_archivo_municipal(ruta: Path) -> ArchivoMunicipal:
    # utf-8-sig: plain UTF-8, and also the BOM that Windows editors put at the start.
    return leer_archivo_municipal(ruta.read_text(encoding="utf-8-sig"))


def cargar_dias_inhabiles(ruta: Path) -> set[date]:
    return set(cargar_archivo_municipal(ruta).inhabiles)


def ruta_dias_inhabiles_predeterminada() -> Path:
    """The municipal file shipped with the package (bot/datos/dias_inhabiles_puebla.txt)."""
    return Path(__file__).parents[1] / "datos" / "dias_inhabiles_puebla.txt"
