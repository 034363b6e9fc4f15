"""The coordination's dashboard (/resumen): average avance and semáforo by dependencia.

Plain data over the register as of today, for the chart (bot.mensajes.graficas) and the caption.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.estado import Conteo, contar
from bot.dominio.periodos import primer_dia_del_mes
from bot.servicios.consultas import EstadoAsm, estado_actual
from storage.models import AsmResponsable, Dependencia

SIN_DEPENDENCIA = "Sin dependencia asignada"
LARGO_ETIQUETA = 12  # characters of a bar label that fit beside the chart on a phone


@dataclass(frozen=True)
class ResumenDependencia:
    nombre: str
    etiqueta: str  # siglas, or the name cut short: the chart's bar label
    asm: int
    avance_promedio: float  # an ASM without any avance counts as 0 %
    a_tiempo: int
    en_riesgo: int
    vencidos: int
    reportados_mes: int
    nunca_reporto: bool  # none of its ASM has any avance
    cerrados: int = 0  # with a valoración (Art. 14), counted apart


@dataclass(frozen=True)
class Resumen:
    hoy: date
    mes: date  # first day of the month whose reports are counted
    asm: int
    reportados_mes: int
    en_riesgo: int
    vencidos: int
    dependencias: list[ResumenDependencia]  # lowest average avance first: who needs attention
    cerrados: int = 0  # with a valoración (Art. 14), counted apart

    @property
    def sin_reporte(self) -> list[str]:
        """Names of the dependencias that never reported any avance."""
        return sorted(d.nombre for d in self.dependencias if d.nunca_reporto)


def resumen(session: Session, hoy: date, cal: CalendarioHabil) -> Resumen:
    """Today's summary. An ASM of several dependencias (Art. 9) counts for each of them, and
    once in the totals."""
    asms = estado_actual(session, hoy, cal)
    mes = primer_dia_del_mes(hoy)
    responsables: dict[int, list[tuple[str, str]]] = defaultdict(list)
    consulta = (
        select(AsmResponsable.asm_id, Dependencia.nombre, Dependencia.siglas)
        .join(Dependencia, Dependencia.id == AsmResponsable.dependencia_id)
        .distinct()  # one row per dependencia, even when several of its units answer
    )
    for asm_id, nombre, siglas in session.execute(consulta):
        responsables[asm_id].append((nombre, _corto(siglas or nombre)))

    por_dependencia: dict[tuple[str, str], list[EstadoAsm]] = defaultdict(list)
    for a in asms:
        for dep in responsables.get(a.asm_id) or [(SIN_DEPENDENCIA, "Sin dep.")]:
            por_dependencia[dep].append(a)
    filas = [
        _fila(nombre, etiqueta, grupo, mes) for (nombre, etiqueta), grupo in por_dependencia.items()
    ]
    filas.sort(key=lambda d: (d.avance_promedio, -d.vencidos, d.etiqueta))
    total = _contar(asms, mes)
    return Resumen(
        hoy=hoy,
        mes=mes,
        asm=len(asms),
        reportados_mes=total.informaron_mes,
        en_riesgo=total.en_riesgo,
        vencidos=total.vencidos,
        dependencias=filas,
        cerrados=total.cerrados,
    )


def _fila(nombre: str, etiqueta: str, asms: Sequence[EstadoAsm], mes: date) -> ResumenDependencia:
    c = _contar(asms, mes)
    return ResumenDependencia(
        nombre=nombre,
        etiqueta=etiqueta,
        asm=len(asms),
        avance_promedio=sum(a.avance or 0 for a in asms) / len(asms),
        a_tiempo=c.al_corriente,
        en_riesgo=c.en_riesgo,
        vencidos=c.vencidos,
        reportados_mes=c.informaron_mes,
        nunca_reporto=all(a.periodo_avance is None for a in asms),
        cerrados=c.cerrados,
    )


def _contar(asms: Sequence[EstadoAsm], mes: date) -> Conteo:
    """The one set of numbers (bot.dominio.estado): closed ASM apart, never late."""
    return contar(((a.valoracion, a.semaforo, a.periodo_avance) for a in asms), mes)


def _corto(texto: str) -> str:
    texto = " ".join(texto.split())
    return texto if len(texto) <= LARGO_ETIQUETA else texto[: LARGO_ETIQUETA - 1] + "…"
