"""The deadlines of the Lineamientos (Arts. 8, 10 and 13), counted in business days of a CalendarioHabil."""

from __future__ import annotations

from datetime import date

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import formato_fecha, primer_dia_del_mes
from bot.dominio.vocabulario import Clasificacion, Semaforo, TipoEvaluacion

# "5 días hábiles" in Arts. 8, 10 and 13; the day of notification or receipt itself never counts.
DIAS_HABILES_PLAZO = 5
DIAS_RIESGO_PREDETERMINADOS = 10


def plazo_posicion_institucional(fecha_notificacion: date, cal: CalendarioHabil) -> date:
    # Art. 8: the posición institucional, within 5 business days of the results' notification.
    return cal.sumar_habiles(fecha_notificacion, DIAS_HABILES_PLAZO)


def plazo_plan_accion(
    fecha_recepcion: date, clasificacion: Clasificacion, cal: CalendarioHabil
) -> date | None:
    # Art. 10: specific, institutional and inter-institutional ASM need an action plan within
    # 5 business days of their receipt; intergovernmental ones need none.
    if clasificacion is Clasificacion.INTERGUBERNAMENTAL:
        return None
    return cal.sumar_habiles(fecha_recepcion, DIAS_HABILES_PLAZO)


def plazo_entrega_avances_interna(fecha_notificacion_informe: date, cal: CalendarioHabil) -> date:
    # Art. 13: progress with evidence (internal evaluations), within 5 business days of the
    # notification of the final report.
    return cal.sumar_habiles(fecha_notificacion_informe, DIAS_HABILES_PLAZO)


def plazo_evaluacion_externa(ejercicio: int, cal: CalendarioHabil) -> date:
    # Art. 13: external evaluations show compliance by the last business day of April of the
    # fiscal year.
    return cal.ultimo_habil_de_abril(ejercicio)


def fecha_termino_maxima(
    tipo: TipoEvaluacion,
    ejercicio: int,
    fecha_notificacion_informe: date | None,
    cal: CalendarioHabil,
) -> date | None:
    """The latest fecha de término the Lineamientos allow (Anexo A, f); None when not known yet."""
    if tipo is TipoEvaluacion.EXTERNA:
        return plazo_evaluacion_externa(ejercicio, cal)
    # Internal evaluations and monitoring reports: Art. 13, counted from the final report.
    if fecha_notificacion_informe is None:
        return None
    return plazo_entrega_avances_interna(fecha_notificacion_informe, cal)


def validar_fecha_termino(fecha: date, maxima: date | None) -> list[str]:
    # Anexo A (f): the fecha de término may not exceed the deadline of the Lineamientos.
    if maxima is not None and fecha > maxima:
        return [
            f"La fecha de término {formato_fecha(fecha)} excede el plazo de los Lineamientos "
            f"({formato_fecha(maxima)}); elija una fecha igual o anterior."
        ]
    return []


def periodo_de(d: date) -> date:
    """The month a % de avance belongs to, as its first day (updated monthly: Anexo A, i)."""
    return primer_dia_del_mes(d)


def dias_habiles_restantes(
    fecha_termino: date | None, hoy: date, cal: CalendarioHabil
) -> int | None:
    """Business days from hoy to fecha_termino (0 on the day itself, negative once past)."""
    if fecha_termino is None:
        return None
    return cal.habiles_entre(hoy, fecha_termino)


def semaforo(
    fecha_termino: date | None,
    avance: int | None,
    hoy: date,
    cal: CalendarioHabil,
    dias_riesgo: int = DIAS_RIESGO_PREDETERMINADOS,
) -> Semaforo:
    """Traffic light of an ASM. Our own definition: the Lineamientos do not define one.

    - A_TIEMPO when the avance is 100 %, or when there is no fecha de término;
    - VENCIDO when hoy is after the fecha de término and the avance is below 100 % (or unknown);
    - EN_RIESGO when at most `dias_riesgo` business days remain (hoy excluded, fecha de término
      included: 0 on the day itself) and the avance is below 100 %;
    - A_TIEMPO otherwise.
    """
    if avance == 100 or fecha_termino is None:
        return Semaforo.A_TIEMPO
    if hoy > fecha_termino:
        return Semaforo.VENCIDO
    if cal.habiles_entre(hoy, fecha_termino) <= dias_riesgo:
        return Semaforo.EN_RIESGO
    return Semaforo.A_TIEMPO
