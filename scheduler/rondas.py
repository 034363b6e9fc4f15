"""A round of reminders: what is due at a moment, to whom, with what text.

`planear` reads the database and returns outbox messages; it writes nothing. The caller puts them
in the outbox with `bot.servicios.salida.encolar`, which keeps only claves it has not seen, so planning the
same round twice, after a restart or on a second instance, sends nothing twice.

Claves (recipient, kind, subject, period):
    mensual_inicio:u12:2026-11            mensual_cierre:u12:2026-11
    escalamiento:u3:2026-11               informado:u12:2026-11
    plazo:u12:asm42:termino:2026-12-15:5  vencido:u12:asm42:termino:2026-12-15
    plazo:u12:eval7:posicion:2026-11-25:1 vencido:u12:eval7:plan:2026-12-04
    escalado:u3:eval7:plan:2026-12-04:d5  semanal:u3:2026-W47
    anexo_trimestral:u3:2026T3
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.dominio.calendario import CalendarioHabil, anios_sin_calendario
from bot.dominio.estado import contar, espera_valoracion
from bot.dominio.periodos import Trimestre, primer_dia_del_mes
from bot.dominio.recordatorios import (
    AvisoPlazo,
    FaltanteMensual,
    RiesgoDependencia,
    TipoMensual,
    TipoPlazo,
    aviso_de_plazo,
    mensuales_debidos,
    ordenar_riesgos,
    resumen_pendiente,
    semana_iso,
    umbral_de_aviso,
    vencimiento_reciente,
)
from bot.dominio.vocabulario import Rol, TipoEvaluacion
from bot.mensajes import callbacks
from bot.mensajes import evaluaciones as textos_ev
from bot.mensajes import recordatorios as textos
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.evaluaciones import obligaciones_de_evaluaciones
from bot.servicios.salida import Mensaje
from bot.servicios.usuarios import alcanzable
from storage.models import (
    Asm,
    AsmResponsable,
    Dependencia,
    Evaluacion,
    Programa,
    Usuario,
)

Botones = Sequence[Sequence[tuple[str, str]]]

INFORMAR_AVANCE: Botones = [[(textos.BOTON_INFORMAR, callbacks.dato(callbacks.AVANCE, "ini"))]]

# Evaluations whose dates are older than this cannot have a 5-business-day deadline ahead, even
# across a long vacation period; the external ones are chosen by their fiscal year instead.
_VENTANA_EVALUACIONES = timedelta(days=60)


def _informar_asm(asm_id: int) -> Botones:
    return [[(textos.BOTON_INFORMAR, callbacks.dato(callbacks.AVANCE, "a", asm_id))]]


@dataclass(frozen=True)
class _Persona:
    usuario_id: int
    chat_id: int


@dataclass
class _Ronda:
    """What a round needs, read once: a few queries whatever the number of people and ASM."""

    hoy: date
    estados: list[EstadoAsm]
    dependencias_de: dict[int, set[int]]  # asm_id → responsible dependencias
    asm_de_evaluacion: dict[int, list[int]]  # evaluacion_id → asm_ids
    asm_sin_evaluacion: dict[int, list[int]]  # programa_id → asm_ids not tied to an evaluation
    enlaces: dict[int, list[_Persona]]  # dependencia_id → reachable active enlaces
    coordinadores: list[_Persona]
    nombres: dict[int, str]  # dependencia_id → siglas, or name when it has none
    abiertos_de: dict[int, list[EstadoAsm]] = field(default_factory=dict)  # filled below

    def __post_init__(self) -> None:
        for a in self.estados:
            if a.abierto:
                for dep in sorted(self.dependencias_de.get(a.asm_id, ())):
                    self.abiertos_de.setdefault(dep, []).append(a)

    @property
    def mes(self) -> date:
        return primer_dia_del_mes(self.hoy)

    @property
    def periodo(self) -> str:
        return f"{self.hoy:%Y-%m}"

    def enlaces_de(self, dependencias: set[int]) -> list[_Persona]:
        return [p for dep in sorted(dependencias) for p in self.enlaces.get(dep, [])]


def _cargar(session: Session, hoy: date, cal: CalendarioHabil) -> _Ronda:
    dependencias_de: dict[int, set[int]] = defaultdict(set)
    asm_de_evaluacion: dict[int, list[int]] = defaultdict(list)
    asm_sin_evaluacion: dict[int, list[int]] = defaultdict(list)
    vistos: set[int] = set()
    filas = session.execute(
        select(Asm.id, Asm.programa_id, Asm.evaluacion_id, AsmResponsable.dependencia_id)
        .outerjoin(AsmResponsable, AsmResponsable.asm_id == Asm.id)
        .order_by(Asm.id)
    )
    for asm_id, programa_id, evaluacion_id, dependencia_id in filas:
        if dependencia_id is not None:
            dependencias_de[asm_id].add(dependencia_id)
        if asm_id in vistos:  # one row per responsable
            continue
        vistos.add(asm_id)
        if evaluacion_id is None:
            asm_sin_evaluacion[programa_id].append(asm_id)
        else:
            asm_de_evaluacion[evaluacion_id].append(asm_id)

    enlaces: dict[int, list[_Persona]] = defaultdict(list)
    coordinadores: list[_Persona] = []
    personas = session.execute(
        select(Usuario.id, Usuario.telegram_id, Usuario.rol, Usuario.dependencia_id)
        .where(alcanzable(), Usuario.rol.in_([Rol.ENLACE.value, Rol.COORDINADOR.value]))
        .order_by(Usuario.id)
    )
    for usuario_id, telegram_id, rol, dependencia in personas:
        persona = _Persona(usuario_id, telegram_id)
        if rol == Rol.COORDINADOR.value:
            coordinadores.append(persona)
        elif dependencia is not None:
            enlaces[dependencia].append(persona)

    nombres = {
        dep_id: siglas or nombre
        for dep_id, siglas, nombre in session.execute(
            select(Dependencia.id, Dependencia.siglas, Dependencia.nombre)
        )
    }
    return _Ronda(
        hoy=hoy,
        estados=estado_actual(session, hoy, cal),
        dependencias_de=dependencias_de,
        asm_de_evaluacion=asm_de_evaluacion,
        asm_sin_evaluacion=asm_sin_evaluacion,
        enlaces=enlaces,
        coordinadores=coordinadores,
        nombres=nombres,
    )


def planear(
    session: Session, ahora: datetime, cal: CalendarioHabil, settings: Settings
) -> list[Mensaje]:
    """Every reminder due at `ahora` (aware), for `bot.servicios.salida.encolar`. Writes nothing.

    Nothing on a day that is not a business day: what was due then is still due on the next one.
    """
    hoy = cal.hoy(ahora)
    if not cal.es_habil(hoy):
        return []
    ronda = _cargar(session, hoy, cal)
    mensajes = _mensuales(ronda, cal, settings.dias_aviso_cierre)
    mensajes += _plazos_de_termino(ronda, cal, settings.umbrales_plazo)
    mensajes += _plazos_de_evaluaciones(session, ronda, cal, settings.umbrales_plazo)
    if resumen_pendiente(hoy, cal):
        mensajes += _resumen_semanal(ronda, anios_sin_calendario(settings.anios_calendario, hoy))
    return mensajes


# --- Monthly update (Anexo A, i) -----------------------------------------------------------


def _mensuales(ronda: _Ronda, cal: CalendarioHabil, dias_aviso_cierre: int) -> list[Mensaje]:
    debidos = mensuales_debidos(ronda.hoy, cal, dias_aviso_cierre)
    if not debidos:
        return []
    mes, periodo = ronda.mes, ronda.periodo
    ultimo = cal.ultimo_habil_del_mes(mes.year, mes.month)
    sin_avance = {
        dep: pendientes
        for dep, abiertos in sorted(ronda.abiertos_de.items())
        if (pendientes := [a for a in abiertos if not a.reportado_en(mes)])
    }

    mensajes: list[Mensaje] = []
    if TipoMensual.INICIO in debidos or TipoMensual.CIERRE in debidos:
        tipo = TipoMensual.INICIO if TipoMensual.INICIO in debidos else TipoMensual.CIERRE
        dias = cal.habiles_entre(ronda.hoy, ultimo)
        for dep, pendientes in sin_avance.items():
            texto = (
                textos.mensual_inicio(mes, pendientes)
                if tipo is TipoMensual.INICIO
                else textos.mensual_cierre(mes, ultimo, dias, pendientes)
            )
            mensajes += [
                _mensaje(f"{tipo.value}:u{p.usuario_id}:{periodo}", tipo.value, p, texto)
                for p in ronda.enlaces.get(dep, [])
            ]

    if TipoMensual.ESCALAMIENTO in debidos and sin_avance and ronda.coordinadores:
        faltantes = sorted(
            (
                FaltanteMensual(
                    dependencia=ronda.nombres.get(dep, str(dep)),
                    sin_avance=len(pendientes),
                    abiertos=len(ronda.abiertos_de[dep]),
                    con_enlace=bool(ronda.enlaces.get(dep)),
                    dependencia_id=dep,
                )
                for dep, pendientes in sin_avance.items()
            ),
            key=lambda f: f.dependencia,
        )
        texto = textos.escalamiento(mes, ultimo, faltantes)
        # Nobody to tell at a dependencia without an active enlace: offer its invitation.
        invitar = [
            [(textos.boton_invitar(f.dependencia), callbacks.dato(callbacks.RESUMEN, "inv", d))]
            for f in faltantes
            if not f.con_enlace and (d := f.dependencia_id) is not None
        ][: textos.MAX_BOTONES_INVITAR]
        mensajes += [
            _mensaje(
                f"escalamiento:u{p.usuario_id}:{periodo}", "escalamiento", p, texto, invitar or None
            )
            for p in ronda.coordinadores
        ]
        # Only when some coordinador will actually read the list is the enlace told so.
        for dep, pendientes in sin_avance.items():
            texto = textos.informado(mes, ultimo, pendientes)
            mensajes += [
                _mensaje(f"informado:u{p.usuario_id}:{periodo}", "informado", p, texto)
                for p in ronda.enlaces.get(dep, [])
            ]
    return mensajes


# --- Deadlines (Arts. 8, 10, 13) -----------------------------------------------------------------


def _plazos_de_termino(
    ronda: _Ronda, cal: CalendarioHabil, umbrales: Sequence[int]
) -> list[Mensaje]:
    """Each open ASM's fecha de término (Anexo A, f): before it, and once when it passed."""
    mensajes: list[Mensaje] = []
    for a in ronda.estados:
        if a.fecha_termino is None or not a.abierto:
            continue
        sujeto = f"asm{a.asm_id}:termino:{a.fecha_termino.isoformat()}"
        destinatarios = ronda.enlaces_de(ronda.dependencias_de.get(a.asm_id, set()))
        umbral = umbral_de_aviso(a.fecha_termino, ronda.hoy, cal, umbrales)
        if umbral is not None:
            dias = cal.habiles_entre(ronda.hoy, a.fecha_termino)
            tipo, texto, sujeto = "plazo", textos.plazo_termino(a, dias), f"{sujeto}:{umbral}"
        elif vencimiento_reciente(a.fecha_termino, ronda.hoy, cal):
            tipo, texto = "vencido", textos.vencido_termino(a)
        else:
            continue
        mensajes += [
            _mensaje(f"{tipo}:u{p.usuario_id}:{sujeto}", tipo, p, texto, _informar_asm(a.asm_id))
            for p in destinatarios
        ]
    return mensajes


def _plazos_de_evaluaciones(
    session: Session, ronda: _Ronda, cal: CalendarioHabil, umbrales: Sequence[int]
) -> list[Mensaje]:
    """Arts. 8, 10 and 13, to the enlaces of the dependencias with open ASM of the evaluation.

    Reminders stop once the obligation is met (posición uploaded, plan sent, first delivery with
    evidence received). One that passed unmet is told once to the enlaces and escalated once to
    the coordinadores.
    """
    hoy = ronda.hoy
    programas = {
        ev_id: (clave, nombre, TipoEvaluacion(tipo), ejercicio)
        for ev_id, clave, nombre, tipo, ejercicio in session.execute(
            select(
                Evaluacion.id, Programa.clave, Programa.nombre, Evaluacion.tipo,
                Evaluacion.ejercicio_evaluado,
            ).join(Programa, Programa.id == Evaluacion.programa_id)
        )
    }  # fmt: skip
    mensajes: list[Mensaje] = []
    for o in obligaciones_de_evaluaciones(session, cal, hoy):
        aviso = aviso_de_plazo(o.fecha, o.cumplida, hoy, cal, umbrales)
        if aviso is None:
            continue
        clase, umbral = aviso
        clave_prog, nombre_prog, tipo_ev, ejercicio = programas[o.evaluacion_id]
        sujeto = f"eval{o.evaluacion_id}:{o.tipo.value}:{o.fecha.isoformat()}"
        destinatarios = ronda.enlaces.get(o.dependencia_id, [])
        # Progress is reported in the bot; a posición or a plan is delivered by oficio.
        botones = (
            INFORMAR_AVANCE
            if o.tipo in (TipoPlazo.ENTREGA_AVANCES, TipoPlazo.EVALUACION_EXTERNA)
            else None
        )
        if clase is AvisoPlazo.RECORDATORIO:
            dias = cal.habiles_entre(hoy, o.fecha)
            texto = textos.plazo_evaluacion(
                o.tipo, o.fecha, dias, tipo_ev, ejercicio, clave_prog, nombre_prog
            )
            mensajes += [
                _mensaje(f"plazo:u{p.usuario_id}:{sujeto}:{umbral}", "plazo", p, texto, botones)
                for p in destinatarios
            ]
            continue
        texto = textos_ev.plazo_vencido(o.tipo, o.fecha, o.asunto)
        mensajes += [
            _mensaje(f"vencido:u{p.usuario_id}:{sujeto}", "vencido", p, texto, botones)
            for p in destinatarios
        ]
        dependencia = ronda.nombres.get(o.dependencia_id, str(o.dependencia_id))
        texto = textos_ev.escalado(o.tipo, o.fecha, dependencia, o.asunto)
        mensajes += [
            _mensaje(
                f"escalado:u{p.usuario_id}:{sujeto}:d{o.dependencia_id}", "escalado", p, texto, None
            )
            for p in ronda.coordinadores
        ]
    return mensajes


# --- Weekly digest and quarterly Anexo A ---------------------------------------------------


def _resumen_semanal(ronda: _Ronda, anios_sin_calendario: Sequence[int] = ()) -> list[Mensaje]:
    """Late and at-risk open ASM by dependencia, to the coordinadores, once a week; and a warning
    when the municipal calendar file has no entry for this year or the next."""
    if not ronda.coordinadores:
        return []
    filas = []
    for dep, abiertos in ronda.abiertos_de.items():
        c = contar(((a.valoracion, a.semaforo, a.periodo_avance) for a in abiertos), ronda.mes)
        if c.vencidos or c.en_riesgo:
            filas.append(
                RiesgoDependencia(ronda.nombres.get(dep, str(dep)), c.vencidos, c.en_riesgo)
            )
    # The totals count each ASM once, as /resumen does (one set of numbers).
    total = contar(((a.valoracion, a.semaforo, a.periodo_avance) for a in ronda.estados), ronda.mes)
    por_valorar = sum(
        espera_valoracion(a.valoracion, a.avance, a.fecha_termino, ronda.hoy) for a in ronda.estados
    )
    lunes = ronda.hoy - timedelta(days=ronda.hoy.weekday())
    texto = textos.resumen_semanal(lunes, ordenar_riesgos(filas), total, por_valorar)
    if anios_sin_calendario:
        texto += "\n\n" + textos_ev.calendario_incompleto(anios_sin_calendario)
    semana = semana_iso(ronda.hoy)
    return [
        _mensaje(f"semanal:u{p.usuario_id}:{semana}", "semanal", p, texto, None)
        for p in ronda.coordinadores
    ]


def mensajes_anexo_trimestral(
    session: Session, trimestre: Trimestre, documento: str
) -> list[Mensaje]:
    """The consolidated Anexo A of a quarter that ended, for each reachable coordinador.

    `documento` is the file the caller generated (relative to the data directory); use
    `bot.dominio.recordatorios.trimestre_a_enviar` to know which quarter is due.
    """
    coordinadores = session.execute(
        select(Usuario.id, Usuario.telegram_id)
        .where(alcanzable(), Usuario.rol == Rol.COORDINADOR.value)
        .order_by(Usuario.id)
    )
    texto = textos.anexo_trimestral(trimestre)
    return [
        Mensaje(
            clave=f"anexo_trimestral:u{usuario_id}:{trimestre}",
            tipo="anexo_trimestral",
            chat_id=chat_id,
            texto=texto,
            usuario_id=usuario_id,
            documento=documento,
        )
        for usuario_id, chat_id in coordinadores
    ]


def _mensaje(
    clave: str, tipo: str, p: _Persona, texto: str, botones: Botones | None = INFORMAR_AVANCE
) -> Mensaje:
    return Mensaje(
        clave=clave,
        tipo=tipo,
        chat_id=p.chat_id,
        texto=texto,
        usuario_id=p.usuario_id,
        botones=botones,
    )
