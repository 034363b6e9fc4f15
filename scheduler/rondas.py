"""A round of reminders: what is due at a moment, to whom, with what text.

`planear` reads the database and returns outbox messages; it writes nothing. The caller puts them
in the outbox with `bot.servicios.salida.encolar`, which keeps only claves it has not seen, so planning the
same round twice, after a restart or on a second instance, sends nothing twice.

Claves (recipient, kind, subject, period):
    mensual_inicio:u12:2026-11            mensual_cierre:u12:2026-11
    escalamiento:u3:2026-11               informado:u12:2026-11
    plazo:u12:asm42:termino:2026-12-15:5  vencido:u12:asm42:termino:2026-12-15
    plazo:u12:eval7:posicion:2026-11-25:1 semanal:u3:2026-W47
    anexo_trimestral:u3:2026T3
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.estado import contar, espera_valoracion
from bot.dominio.periodos import Trimestre, primer_dia_del_mes
from bot.dominio.recordatorios import (
    FaltanteMensual,
    RiesgoDependencia,
    TipoMensual,
    TipoPlazo,
    mensuales_debidos,
    ordenar_riesgos,
    plazos_de_evaluacion,
    resumen_pendiente,
    semana_iso,
    umbral_de_aviso,
    vencimiento_reciente,
)
from bot.dominio.vocabulario import Rol, TipoEvaluacion
from bot.mensajes import callbacks
from bot.mensajes import recordatorios as textos
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.salida import Mensaje
from storage.models import (
    Asm,
    AsmResponsable,
    Dependencia,
    Evaluacion,
    PosicionInstitucional,
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
        .where(
            Usuario.activo.is_(True),
            Usuario.inalcanzable_desde.is_(None),  # blocked the bot: Telegram answers 403
            Usuario.rol.in_([Rol.ENLACE.value, Rol.COORDINADOR.value]),
        )
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
        mensajes += _resumen_semanal(ronda)
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
                )
                for dep, pendientes in sin_avance.items()
            ),
            key=lambda f: f.dependencia,
        )
        texto = textos.escalamiento(mes, ultimo, faltantes)
        mensajes += [
            _mensaje(f"escalamiento:u{p.usuario_id}:{periodo}", "escalamiento", p, texto, None)
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


def _con_posicion(session: Session, evaluacion_id: int) -> set[int]:
    """The dependencias that already uploaded their posición institucional for the evaluation."""
    return set(
        session.scalars(
            select(PosicionInstitucional.dependencia_id).where(
                PosicionInstitucional.evaluacion_id == evaluacion_id
            )
        )
    )


def _plazos_de_evaluaciones(
    session: Session, ronda: _Ronda, cal: CalendarioHabil, umbrales: Sequence[int]
) -> list[Mensaje]:
    """Arts. 8, 10 and 13, to the enlaces of the dependencias with open ASM of the evaluation.

    Only reminders before the deadline, as a posición or a plan may still go by oficio; a
    dependencia that uploaded its posición with /posicion is not reminded of it again.
    """
    hoy = ronda.hoy
    desde = hoy - _VENTANA_EVALUACIONES
    consulta = (
        select(Evaluacion, Programa.clave, Programa.nombre)
        .join(Programa, Programa.id == Evaluacion.programa_id)
        .where(
            or_(
                Evaluacion.fecha_notificacion >= desde,
                Evaluacion.fecha_recepcion_asm >= desde,
                and_(
                    Evaluacion.tipo == TipoEvaluacion.EXTERNA.value,
                    Evaluacion.ejercicio >= hoy.year,
                ),
            )
        )
        .order_by(Evaluacion.id)
    )
    por_id = {a.asm_id: a for a in ronda.estados}
    mensajes: list[Mensaje] = []
    for ev, programa_clave, programa_nombre in session.execute(consulta):
        # ASM tied to the evaluation; for older data without that link, the programa's ASM.
        ids = ronda.asm_de_evaluacion.get(ev.id) or ronda.asm_sin_evaluacion.get(ev.programa_id, [])
        asm = [por_id[i] for i in ids if i in por_id]
        dependencias = {
            dep for a in asm if a.abierto for dep in ronda.dependencias_de.get(a.asm_id, ())
        }
        destinatarios = ronda.enlaces_de(dependencias)
        if not destinatarios:
            continue
        tipo_ev = TipoEvaluacion(ev.tipo)
        plazos = plazos_de_evaluacion(
            tipo_ev,
            ev.ejercicio,
            ev.fecha_notificacion,
            ev.fecha_recepcion_asm,
            [a.clasificacion for a in asm],
            cal,
        )
        for plazo in plazos:
            umbral = umbral_de_aviso(plazo.fecha, hoy, cal, umbrales)
            if umbral is None:
                continue
            dias = cal.habiles_entre(hoy, plazo.fecha)
            texto = textos.plazo_evaluacion(
                plazo.tipo,
                plazo.fecha,
                dias,
                tipo_ev,
                ev.ejercicio,
                programa_clave,
                programa_nombre,
            )
            # Progress is reported in the bot; a posición or a plan is delivered by oficio.
            botones = (
                INFORMAR_AVANCE
                if plazo.tipo in (TipoPlazo.ENTREGA_AVANCES, TipoPlazo.EVALUACION_EXTERNA)
                else None
            )
            sujeto = f"eval{ev.id}:{plazo.tipo.value}:{plazo.fecha.isoformat()}:{umbral}"
            para = destinatarios
            if plazo.tipo is TipoPlazo.POSICION_INSTITUCIONAL:
                # Art. 8: a dependencia that already uploaded its posición with /posicion is done.
                para = ronda.enlaces_de(dependencias - _con_posicion(session, ev.id))
            mensajes += [
                _mensaje(f"plazo:u{p.usuario_id}:{sujeto}", "plazo", p, texto, botones)
                for p in para
            ]
    return mensajes


# --- Weekly digest and quarterly Anexo A ---------------------------------------------------


def _resumen_semanal(ronda: _Ronda) -> list[Mensaje]:
    """Late and at-risk open ASM by dependencia, to the coordinadores, once a week."""
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
        .where(
            Usuario.activo.is_(True),
            Usuario.inalcanzable_desde.is_(None),
            Usuario.rol == Rol.COORDINADOR.value,
        )
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
