"""When the scheduler reminds, and of what: pure rules over a CalendarioHabil.

No clock, no database, no Telegram: every rule takes `hoy` (or a local `ahora`) and the calendar,
so tests fix the date. Rules say what is *due* from a day on rather than *on* a day: the outbox
keys each message by what it is about, so a round that runs again (or late, after downtime) sends
each reminder once and the missed ones still go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.dominio.plazos import (
    plazo_entrega_avances_interna,
    plazo_evaluacion_externa,
    plazo_plan_accion,
    plazo_posicion_institucional,
)
from bot.dominio.vocabulario import Clasificacion, TipoEvaluacion

# A deadline that passed more than this many business days ago is not announced any more (after
# a long downtime an old "it expired" notice is noise).
DIAS_AVISO_VENCIDO = 5


# --- Office hours ------------------------------------------------------------------------------


def _local(ahora: datetime, cal: CalendarioHabil) -> datetime:
    if ahora.tzinfo is None or ahora.utcoffset() is None:
        raise ValueError("ahora debe tener zona horaria (datetime «aware»)")
    return ahora.astimezone(cal.zona)


def en_horario(ahora_local: datetime, cal: CalendarioHabil, horario: tuple[time, time]) -> bool:
    """A business day and inside office hours [inicio, fin) — the issue: reminders go only then."""
    local = _local(ahora_local, cal)
    inicio, fin = horario
    return cal.es_habil(local.date()) and inicio <= local.time() < fin


def siguiente_apertura(
    ahora_local: datetime, cal: CalendarioHabil, horario: tuple[time, time]
) -> datetime:
    """The first moment from `ahora_local` on that is inside office hours (itself if it is).

    Returned in `ahora_local`'s time zone.
    """
    if en_horario(ahora_local, cal, horario):
        return ahora_local
    local = _local(ahora_local, cal)
    inicio = horario[0]
    dia = local.date()
    if not (cal.es_habil(dia) and local.time() < inicio):
        dia = cal.siguiente_habil(dia)
    return datetime.combine(dia, inicio, tzinfo=cal.zona).astimezone(ahora_local.tzinfo)


# --- Monthly update (Anexo A, i: the % de avance is updated every month) ------------------------


class TipoMensual(StrEnum):
    INICIO = "mensual_inicio"  # to enlaces, from the first business day of the month
    CIERRE = "mensual_cierre"  # to enlaces, a few business days before the month ends
    ESCALAMIENTO = "escalamiento"  # to coordinadores (and "you were reported" to late enlaces)


def mensuales_debidos(hoy: date, cal: CalendarioHabil, dias_aviso_cierre: int) -> set[TipoMensual]:
    """The monthly reminder due on `hoy`: at most one, the latest stage reached this month.

    INICIO from the first business day of the month, CIERRE from `dias_aviso_cierre` business
    days before its last business day, ESCALAMIENTO from the last business day to the end of the
    month. A later stage replaces the earlier one, so after downtime an enlace gets one reminder,
    not three at once (the ones already sent are in the outbox and are not sent again).
    """
    primero = cal.primer_habil_del_mes(hoy.year, hoy.month)
    ultimo = cal.ultimo_habil_del_mes(hoy.year, hoy.month)
    cierre = cal.sumar_habiles(ultimo, -dias_aviso_cierre)
    if hoy >= ultimo:
        return {TipoMensual.ESCALAMIENTO}
    if hoy >= cierre:
        return {TipoMensual.CIERRE}
    if hoy >= primero:
        return {TipoMensual.INICIO}
    return set()


# --- Deadlines (Arts. 8, 10, 13 and the fecha de término, Anexo A f) ----------------


def umbral_de_aviso(
    fecha_limite: date, hoy: date, cal: CalendarioHabil, umbrales: Iterable[int]
) -> int | None:
    """The reminder threshold crossed on `hoy` (10, 5 or 1 business days before, by default).

    With d business days left (0 on the day itself), the smallest threshold ≥ d, while
    0 ≤ d ≤ max(umbrales). The tightest one wins, so after downtime only it is sent.
    """
    umbrales = sorted(umbrales)
    d = cal.habiles_entre(hoy, fecha_limite)
    if not umbrales or not 0 <= d <= umbrales[-1]:
        return None
    return next(u for u in umbrales if u >= d)


def vencimiento_reciente(
    fecha_limite: date, hoy: date, cal: CalendarioHabil, dias: int = DIAS_AVISO_VENCIDO
) -> bool:
    """The deadline passed within the last `dias` business days (the issue: a notice when a
    deadline passed; one long forgotten is not announced again)."""
    return hoy > fecha_limite and cal.habiles_entre(fecha_limite, hoy) <= dias


class TipoPlazo(StrEnum):
    POSICION_INSTITUCIONAL = "posicion"  # Art. 8
    PLAN_ACCION = "plan"  # Art. 10
    ENTREGA_AVANCES = "entrega"  # Art. 13, internal evaluations and monitoring reports
    EVALUACION_EXTERNA = "externa"  # Art. 13, external evaluations
    TERMINO = "termino"  # an ASM's fecha de término (Anexo A, f)

    @property
    def articulo(self) -> str:
        return _ARTICULOS[self]


_ARTICULOS = {
    TipoPlazo.POSICION_INSTITUCIONAL: "Art. 8",
    TipoPlazo.PLAN_ACCION: "Art. 10",
    TipoPlazo.ENTREGA_AVANCES: "Art. 13",
    TipoPlazo.EVALUACION_EXTERNA: "Art. 13",
    TipoPlazo.TERMINO: "Anexo A, inciso f",
}


@dataclass(frozen=True)
class Plazo:
    tipo: TipoPlazo
    fecha: date


def plazos_de_evaluacion(
    tipo: TipoEvaluacion,
    ejercicio_evaluado: int,
    fecha_notificacion: date | None,
    fecha_recepcion_asm: date | None,
    clasificaciones: Iterable[Clasificacion],
    cal: CalendarioHabil,
) -> list[Plazo]:
    """The deadlines an evaluation sets for a dependencia, as far as its dates are known.

    `fecha_recepcion_asm` is when the dependencia received its ASM (Art. 10's clock).
    """
    plazos: list[Plazo] = []
    if fecha_notificacion is not None:
        # Art. 8: posición institucional, 5 business days after the results are notified.
        plazos.append(
            Plazo(
                TipoPlazo.POSICION_INSTITUCIONAL,
                plazo_posicion_institucional(fecha_notificacion, cal),
            )
        )
    if fecha_recepcion_asm is not None:
        # Art. 10: a plan within 5 business days of receipt, unless every ASM is
        # intergubernamental (those need none).
        fechas = [plazo_plan_accion(fecha_recepcion_asm, c, cal) for c in set(clasificaciones)]
        fecha_plan = min((d for d in fechas if d is not None), default=None)
        if fecha_plan is not None:
            plazos.append(Plazo(TipoPlazo.PLAN_ACCION, fecha_plan))
    if tipo is TipoEvaluacion.EXTERNA:
        # Art. 13: compliance by the last business day of April of the year after the evaluated.
        plazos.append(
            Plazo(
                TipoPlazo.EVALUACION_EXTERNA,
                plazo_evaluacion_externa(ejercicio_evaluado, cal, fecha_notificacion),
            )
        )
    elif fecha_notificacion is not None:
        # Art. 13: internal evaluations and monitoring reports deliver progress with evidence
        # within 5 business days of the final report.
        plazos.append(
            Plazo(TipoPlazo.ENTREGA_AVANCES, plazo_entrega_avances_interna(fecha_notificacion, cal))
        )
    return plazos


class AvisoPlazo(StrEnum):
    RECORDATORIO = "plazo"  # a threshold before the deadline was crossed
    VENCIDO = "vencido"  # passed and not met: told once to the enlace, escalated once


def aviso_de_plazo(
    fecha: date, cumplido: bool, hoy: date, cal: CalendarioHabil, umbrales: Iterable[int]
) -> tuple[AvisoPlazo, int | None] | None:
    """What a deadline calls for on `hoy`, knowing whether the obligation was met.

    Nothing once it is met (the posición uploaded, the plan sent, the first delivery with
    evidence received): reminding of what was done is noise. Before the deadline, the threshold
    crossed (see umbral_de_aviso); after it, VENCIDO while the passing is recent, so the outbox
    sends it once even after downtime.
    """
    if cumplido:
        return None
    umbral = umbral_de_aviso(fecha, hoy, cal, umbrales)
    if umbral is not None:
        return AvisoPlazo.RECORDATORIO, umbral
    if vencimiento_reciente(fecha, hoy, cal):
        return AvisoPlazo.VENCIDO, None
    return None


@dataclass(frozen=True)
class Obligacion:
    """An open obligation of a dependencia, for `asmbot plazos` and /calendario."""

    tipo: TipoPlazo
    fecha: date
    dias_restantes: int  # business days from today (0 on the day, negative once past)
    dependencia: str
    asunto: str  # the evaluation or the ASM it is about

    @property
    def articulo(self) -> str:
        return self.tipo.articulo


def ordenar_obligaciones(obligaciones: Iterable[Obligacion]) -> list[Obligacion]:
    """Soonest first; ties by dependencia, subject and article, so the list is stable."""
    orden = list(TipoPlazo)  # the Lineamientos' order: Art. 8, 10, 13, then the fecha de término
    return sorted(
        obligaciones, key=lambda o: (o.fecha, o.dependencia, o.asunto, orden.index(o.tipo))
    )


# --- Weekly digest and quarterly Anexo A -------------------------------------------------------


def primer_habil_de_la_semana(hoy: date, cal: CalendarioHabil) -> date | None:
    """The first business day of `hoy`'s ISO week, or None when the week has none."""
    lunes = hoy - timedelta(days=hoy.weekday())
    primero = cal.habil_o_siguiente(lunes)
    return primero if primero.isocalendar()[:2] == hoy.isocalendar()[:2] else None


def dia_de_resumen(hoy: date, cal: CalendarioHabil) -> bool:
    """The issue's weekly digest goes on Monday, or on the next business day of the same week
    when Monday is not one (the first Monday of February, say)."""
    return primer_habil_de_la_semana(hoy, cal) == hoy


def resumen_pendiente(hoy: date, cal: CalendarioHabil) -> bool:
    """The week's digest is due from its day on (so a round missed on Monday runs on Tuesday)."""
    primero = primer_habil_de_la_semana(hoy, cal)
    return primero is not None and hoy >= primero


def semana_iso(hoy: date) -> str:
    """`2026-W47`: the period of a weekly digest."""
    anio, semana, _ = hoy.isocalendar()
    return f"{anio}-W{semana:02d}"


def trimestre_a_enviar(hoy: date, cal: CalendarioHabil) -> Trimestre | None:
    """From the first business day of a quarter on, the quarter that ended (its consolidated
    Anexo A goes to the coordinadores, per the issue); None before that day."""
    actual = Trimestre.de_fecha(hoy)
    primero = cal.primer_habil_del_mes(actual.inicio.year, actual.inicio.month)
    return actual.anterior() if hoy >= primero else None


# --- What the texts summarise --------------------------------------------------------------


@dataclass(frozen=True)
class FaltanteMensual:
    """A dependencia that has not reported every open ASM this month (escalation)."""

    dependencia: str
    sin_avance: int
    abiertos: int
    con_enlace: bool  # False: nobody at the bot to remind, the coordination must call
    dependencia_id: int | None = None  # for the «Invitar enlace de …» button


@dataclass(frozen=True)
class RiesgoDependencia:
    """A line of the weekly digest."""

    dependencia: str
    vencidos: int
    en_riesgo: int


def ordenar_riesgos(filas: Sequence[RiesgoDependencia]) -> list[RiesgoDependencia]:
    """Worst first: most late, then most at risk, then by name."""
    return sorted(filas, key=lambda f: (-f.vencidos, -f.en_riesgo, f.dependencia))
