"""One set of numbers: *vencido*, *en riesgo*, *al corriente*, *informó este mes* and *cerrado*.

/resumen, the weekly digest, the month-end warning and the Anexo A summary sheet all count with
these functions, so they agree on the same day. Our own definitions (the Lineamientos define
none): an ASM with a valoración (Art. 14) is closed and counted apart, never as late; the others
follow the semáforo on the fecha de término in force.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.dominio.vocabulario import Semaforo, Valoracion


class Situacion(StrEnum):
    CERRADO = "cerrado"  # has a valoración
    VENCIDO = "vencido"  # fecha de término in force passed below 100 %
    EN_RIESGO = "en_riesgo"  # few business days left, below 100 %
    AL_CORRIENTE = "al_corriente"  # the rest, including 100 % still waiting for its valoración


def situacion(valoracion: Valoracion | None, semaforo: Semaforo) -> Situacion:
    if valoracion is not None:
        return Situacion.CERRADO
    if semaforo is Semaforo.VENCIDO:
        return Situacion.VENCIDO
    if semaforo is Semaforo.EN_RIESGO:
        return Situacion.EN_RIESGO
    return Situacion.AL_CORRIENTE


def informo_en(periodo_avance: date | None, mes: date) -> bool:
    """Informó este mes: its last % de avance reports `mes` (its first day) or later."""
    return periodo_avance is not None and periodo_avance >= mes


def por_informar(valoracion: Valoracion | None, avance: int | None) -> bool:
    """Still expected to report monthly: not closed and not at 100 %."""
    return valoracion is None and (avance is None or avance < 100)


def espera_valoracion(
    valoracion: Valoracion | None, avance: int | None, fecha_termino: date | None, hoy: date
) -> bool:
    """In IMPLAN's queue (Art. 14): no valoración, and at 100 % or past its fecha de término."""
    if valoracion is not None:
        return False
    return avance == 100 or (fecha_termino is not None and hoy > fecha_termino)


class EnElMes(StrEnum):
    """Where an ASM stands on this month's report: the four columns of /resumen."""

    INFORMO = "informo"  # reported this month, or at 100 % waiting for its valoración
    FALTA = "falta"  # still to report this month
    VENCIDO = "vencido"  # still to report, and its fecha de término in force passed
    CERRADO = "cerrado"  # has a valoración (Art. 14)


def en_el_mes(
    valoracion: Valoracion | None,
    semaforo: Semaforo,
    avance: int | None,
    periodo_avance: date | None,
    mes: date,
) -> EnElMes:
    """Our definition (the Lineamientos only ask for a monthly update, Anexo A i): the month's
    missing reports are FALTA plus VENCIDO, the same ASM the month-end warning lists."""
    if valoracion is not None:
        return EnElMes.CERRADO
    if not por_informar(valoracion, avance) or informo_en(periodo_avance, mes):
        return EnElMes.INFORMO
    return EnElMes.VENCIDO if semaforo is Semaforo.VENCIDO else EnElMes.FALTA


@dataclass(frozen=True)
class Conteo:
    asm: int = 0
    cerrados: int = 0
    vencidos: int = 0
    en_riesgo: int = 0
    al_corriente: int = 0
    informaron_mes: int = 0  # among the ASM not closed


def contar(filas: Iterable[tuple[Valoracion | None, Semaforo, date | None]], mes: date) -> Conteo:
    """Counts (valoración, semáforo, periodo of the last avance) rows for `mes`."""
    n = {s: 0 for s in Situacion}
    informaron = total = 0
    for valoracion, semaforo, periodo in filas:
        total += 1
        s = situacion(valoracion, semaforo)
        n[s] += 1
        informaron += s is not Situacion.CERRADO and informo_en(periodo, mes)
    return Conteo(
        asm=total,
        cerrados=n[Situacion.CERRADO],
        vencidos=n[Situacion.VENCIDO],
        en_riesgo=n[Situacion.EN_RIESGO],
        al_corriente=n[Situacion.AL_CORRIENTE],
        informaron_mes=informaron,
    )
