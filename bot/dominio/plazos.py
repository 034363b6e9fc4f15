"""The deadlines of the Lineamientos (Arts. 8, 10 and 13), counted in business days of a CalendarioHabil."""

from __future__ import annotations

from datetime import date
from typing import Protocol

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
    # Art. 13: internal evaluations and monitoring reports deliver their progress with evidence
    # (by oficio, copy to the Contraloría) within 5 business days of the final report's
    # notification. A delivery: it does not limit the fecha de término of the ASM.
    return cal.sumar_habiles(fecha_notificacion_informe, DIAS_HABILES_PLAZO)


def plazo_evaluacion_externa(
    ejercicio_evaluado: int, cal: CalendarioHabil, fecha_notificacion: date | None = None
) -> date:
    """Art. 13: external evaluations show compliance by the last business day of April of the
    fiscal year that follows the evaluated one.

    No deadline may fall before the notification it counts from: a report notified after that
    April (late) gets the next April after its notification — a choice of ours, the Lineamientos
    do not foresee the case.
    """
    limite = cal.ultimo_habil_de_abril(ejercicio_evaluado + 1)
    while fecha_notificacion is not None and limite <= fecha_notificacion:
        limite = cal.ultimo_habil_de_abril(limite.year + 1)
    return limite


class FechasDeEvaluacion(Protocol):
    """What the deadlines read from an evaluation (the storage model has these attributes)."""

    @property
    def tipo(self) -> str: ...
    @property
    def ejercicio_evaluado(self) -> int: ...
    @property
    def fecha_notificacion(self) -> date | None: ...
    @property
    def fecha_limite_atencion(self) -> date | None: ...


def limite_atencion(evaluacion: FechasDeEvaluacion, cal: CalendarioHabil) -> date | None:
    """The evaluation's fecha límite de atención: the latest fecha de término its ASM may have
    (Anexo A, f). Externals: the April date of Art. 13. Internal evaluations and monitoring
    reports: the date IMPLAN set (the Lineamientos set none; Art. 2 lets IMPLAN decide), None
    when it set none."""
    if TipoEvaluacion(evaluacion.tipo) is TipoEvaluacion.EXTERNA:
        return plazo_evaluacion_externa(
            evaluacion.ejercicio_evaluado, cal, evaluacion.fecha_notificacion
        )
    return evaluacion.fecha_limite_atencion


def validar_limite_atencion(
    tipo: TipoEvaluacion, fijada: date | None, fecha_notificacion: date | None
) -> list[str]:
    """Problems with a fecha límite de atención that IMPLAN sets (Art. 2), as sentences."""
    if fijada is None:
        return []
    if tipo is TipoEvaluacion.EXTERNA:
        return [
            "En las evaluaciones externas la fecha límite de atención la fija el Art. 13 "
            "(último día hábil de abril del ejercicio siguiente); no la escriba."
        ]
    if fecha_notificacion is not None and fijada <= fecha_notificacion:
        return [
            f"La fecha límite de atención {formato_fecha(fijada)} no puede ser anterior ni igual "
            f"a la notificación del informe ({formato_fecha(fecha_notificacion)}); elija una "
            "fecha posterior."
        ]
    return []


def validar_fecha_termino(fecha: date, maxima: date | None) -> list[str]:
    # Anexo A (f): the fecha de término may not exceed the deadline of the Lineamientos.
    if maxima is not None and fecha > maxima:
        return [
            f"La fecha de término {formato_fecha(fecha)} excede la fecha límite de atención "
            f"de la evaluación ({formato_fecha(maxima)}); elija una fecha igual o anterior."
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
