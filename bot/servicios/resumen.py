"""The coordination's dashboard (/resumen): by dependencia, the month's reports (informó, falta,
vencido abierto, cerrado) and the average avance; who is missing, a reminder to them through the
outbox.

Plain data over the register as of today, for the chart (bot.mensajes.graficas) and the caption.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.estado import Conteo, EnElMes, contar, en_el_mes
from bot.dominio.periodos import primer_dia_del_mes
from bot.dominio.vocabulario import Rol
from bot.servicios import salida
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.permisos import exigir_coordinador
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.usuarios import Persona, alcanzable
from storage.models import AsmResponsable, Dependencia, Usuario

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
    dependencia_id: int | None = None  # None: the ASM without a dependencia
    informo: int = 0  # this month (bot.dominio.estado.EnElMes)
    falta: int = 0
    vencido_abierto: int = 0

    @property
    def faltan(self) -> int:
        """ASM still to report this month."""
        return self.falta + self.vencido_abierto


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

    @property
    def faltan(self) -> int:
        """Dependencias with some ASM still to report this month."""
        return sum(1 for d in self.dependencias if d.faltan and d.dependencia_id is not None)


def resumen(session: Session, hoy: date, cal: CalendarioHabil) -> Resumen:
    """Today's summary. An ASM of several dependencias (Art. 9) counts for each of them, and
    once in the totals."""
    asms = estado_actual(session, hoy, cal)
    mes = primer_dia_del_mes(hoy)
    por_dependencia = _por_dependencia(session, asms)
    filas = [
        _fila(dep_id, nombre, etiqueta, grupo, mes)
        for (dep_id, nombre, etiqueta), grupo in por_dependencia.items()
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


_Dep = tuple[int | None, str, str]  # id, name, bar label


def _por_dependencia(session: Session, asms: Sequence[EstadoAsm]) -> dict[_Dep, list[EstadoAsm]]:
    responsables: dict[int, list[_Dep]] = defaultdict(list)
    consulta = (
        select(AsmResponsable.asm_id, Dependencia.id, Dependencia.nombre, Dependencia.siglas)
        .join(Dependencia, Dependencia.id == AsmResponsable.dependencia_id)
        .distinct()  # one row per dependencia, even when several of its units answer
    )
    for asm_id, dep_id, nombre, siglas in session.execute(consulta):
        responsables[asm_id].append((dep_id, nombre, _corto(siglas or nombre)))

    por_dependencia: dict[_Dep, list[EstadoAsm]] = defaultdict(list)
    for a in asms:
        for dep in responsables.get(a.asm_id) or [(None, SIN_DEPENDENCIA, "Sin dep.")]:
            por_dependencia[dep].append(a)
    return por_dependencia


def _en_el_mes(a: EstadoAsm, mes: date) -> EnElMes:
    return en_el_mes(a.valoracion, a.semaforo, a.avance, a.periodo_avance, mes)


def _fila(
    dep_id: int | None, nombre: str, etiqueta: str, asms: Sequence[EstadoAsm], mes: date
) -> ResumenDependencia:
    c = _contar(asms, mes)
    n = Counter(_en_el_mes(a, mes) for a in asms)
    return ResumenDependencia(
        dependencia_id=dep_id,
        informo=n[EnElMes.INFORMO],
        falta=n[EnElMes.FALTA],
        vencido_abierto=n[EnElMes.VENCIDO],
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


# --- Who is missing, and a reminder from the coordination ---------------------------------


@dataclass(frozen=True)
class Faltante:
    """A dependencia with ASM still to report this month."""

    dependencia_id: int
    nombre: str
    etiqueta: str
    pendientes: list[EstadoAsm]  # FALTA and VENCIDO, in program order
    vencidos: int
    enlaces: list[str]  # names of its active enlaces that the bot can reach


def quien_falta(session: Session, hoy: date, cal: CalendarioHabil) -> list[Faltante]:
    """The dependencias missing some report this month, most missing first, with their enlaces.
    ASM without a dependencia are left out: nobody could be reminded of them."""
    mes = primer_dia_del_mes(hoy)
    enlaces = _enlaces(session)
    faltantes = []
    for (dep_id, nombre, etiqueta), grupo in _por_dependencia(
        session, estado_actual(session, hoy, cal)
    ).items():
        pendientes = [a for a in grupo if _en_el_mes(a, mes) in (EnElMes.FALTA, EnElMes.VENCIDO)]
        if dep_id is None or not pendientes:
            continue
        vencidos = sum(_en_el_mes(a, mes) is EnElMes.VENCIDO for a in pendientes)
        nombres = [n for _, _, n in enlaces.get(dep_id, [])]
        faltantes.append(Faltante(dep_id, nombre, etiqueta, pendientes, vencidos, nombres))
    faltantes.sort(key=lambda f: (-len(f.pendientes), f.etiqueta))
    return faltantes


def _enlaces(
    session: Session, dependencia_id: int | None = None
) -> dict[int, list[tuple[int, int, str]]]:
    """dependencia → (usuario id, Telegram id, name) of its active, reachable enlaces."""
    consulta = (
        select(Usuario.dependencia_id, Usuario.id, Usuario.telegram_id, Usuario.nombre)
        .where(alcanzable(), Usuario.rol == Rol.ENLACE.value, Usuario.dependencia_id.is_not(None))
        .order_by(Usuario.id)
    )
    if dependencia_id is not None:
        consulta = consulta.where(Usuario.dependencia_id == dependencia_id)
    enlaces: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for dep, uid, tid, nombre in session.execute(consulta):
        if dep is not None:  # excluded by the query; says so to the type checker
            enlaces[dep].append((uid, tid, nombre))
    return enlaces


class NadaQueRecordar(Rechazado):
    """The dependencia has no ASM left to report this month."""


class SinEnlace(Rechazado):
    """Nobody at the dependencia can receive the reminder: it needs an invitation."""


@dataclass(frozen=True)
class Recordado:
    dependencia: str
    enlaces: int  # how many were to get it
    nuevos: int  # 0: each of them was already reminded today


Redaccion = Callable[[date, Sequence[EstadoAsm]], str]
Botones = Sequence[Sequence[tuple[str, str]]]


def recordar(
    session: Session, persona: Persona, dependencia_id: int, hoy: date, cal: CalendarioHabil,
    ahora: datetime, redactar: Redaccion, botones: Botones | None = None, *, dato: str | None = None,
) -> Recordado:  # fmt: skip
    """A coordinador reminds one dependencia's enlaces of this month's missing reports, through
    the outbox: once a day per enlace, however many times the button is pressed."""
    exigir_coordinador(session, persona, dato)
    dep = session.get(Dependencia, dependencia_id)
    if dep is None:
        raise BotonVencido()
    nombre = dep.siglas or dep.nombre
    mes = primer_dia_del_mes(hoy)
    pendientes = [
        a
        for a in estado_actual(session, hoy, cal, dependencia_id=dependencia_id)
        if _en_el_mes(a, mes) in (EnElMes.FALTA, EnElMes.VENCIDO)
    ]
    if not pendientes:
        raise NadaQueRecordar(f"{nombre} ya informó el avance de todos sus ASM de este mes.")
    enlaces = _enlaces(session, dependencia_id).get(dependencia_id, [])
    if not enlaces:
        raise SinEnlace(
            f"{nombre} no tiene enlace activo en el bot. Pulse «Invitar enlace de {nombre}»."
        )
    texto = redactar(mes, pendientes)
    nuevos = salida.encolar(
        session,
        [
            salida.Mensaje(
                clave=f"recordatorio_coordinacion:u{uid}:{hoy.isoformat()}",
                tipo="recordatorio_coordinacion",
                chat_id=tid,
                usuario_id=uid,
                texto=texto,
                botones=botones,
                solo_en_horario=False,  # a person asked for it now
            )
            for uid, tid, _ in enlaces
        ],
        ahora,
    )
    return Recordado(nombre, len(enlaces), nuevos)
