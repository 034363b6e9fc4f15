"""The valoración of an ASM (Art. 14), recorded by IMPLAN as a new version of the ASM.

A valoración closes the ASM: `asm_bloqueado` is the one test that /avance, /evidencia and the
imports ask before changing it. The coordinación may reopen it with a reason; both are versions
in the history, rows of `valoracion_asm` and entries of the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.estado import espera_valoracion
from bot.dominio.texto import limpiar
from bot.dominio.valoracion import (
    Hechos,
    Opcion,
    observacion_valoracion,
    opciones,
    validar_reapertura,
    validar_valoracion,
)
from bot.dominio.vocabulario import Rol, Valoracion
from bot.servicios import auditoria, registro
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.rechazos import Rechazado
from bot.servicios.usuarios import Persona
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Avance,
    Dependencia,
    Evidencia,
    Usuario,
    ValoracionAsm,
)


class ValoracionRechazada(Rechazado):
    """The valoración breaks a rule or the person may not record it; the message says why."""


@dataclass(frozen=True)
class ValoracionHecha:
    asm: EstadoAsm  # as it was before
    valoracion: Valoracion
    causas: str
    version_id: int
    institucion: str = ""
    declarada: bool = False


@dataclass(frozen=True)
class Reapertura:
    asm: EstadoAsm  # as it was before: with its valoración
    motivo: str
    version_id: int


@dataclass(frozen=True)
class Situacion:
    """What the coordinador sees before choosing: the state and each valoración's verdict."""

    asm: EstadoAsm
    hechos: Hechos
    opciones: list[Opcion]
    evidencias: list[tuple[int, str]]  # (evidencia id, file name), oldest first


def asm_bloqueado(session: Session, asm_id: int) -> bool:
    """True when the ASM has a valoración (Art. 14): nothing may change its avance or evidence
    until the coordinación reopens it. Reads the newest version, whatever its date."""
    valoracion = session.scalar(
        select(AsmVersion.valoracion)
        .where(AsmVersion.asm_id == asm_id)
        .order_by(AsmVersion.vigente_desde.desc(), AsmVersion.id.desc())
        .limit(1)
    )
    return valoracion is not None


def puede_valorar(session: Session, persona: Persona, asm_id: int) -> bool:
    """Only IMPLAN's coordinadores record the valoración; other attempts are audited."""
    if persona.rol is Rol.COORDINADOR:
        return True
    auditoria.registrar(
        session, f"usuario:{persona.id}", "acceso_denegado", "asm", asm_id,
        intento="valoracion", rol=persona.rol.value, dependencia_id=persona.dependencia_id,
    )  # fmt: skip
    return False


def _fecha_reporte(registrado_en: datetime, periodo: date, cal: CalendarioHabil) -> date:
    """The day a % was reported: when it was registered, but never later than the end of the
    month it reports (an Anexo A imported late still says what was true at its cut-off)."""
    fin_de_mes = (periodo.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return min(cal.hoy(registrado_en), fin_de_mes)


def fecha_100(session: Session, asm_id: int, cal: CalendarioHabil) -> date | None:
    """The day 100 % was first reported: what Art. 14 «en tiempo» is judged on."""
    filas = session.execute(
        select(Avance.registrado_en, Avance.periodo).where(
            Avance.asm_id == asm_id, Avance.porcentaje == 100
        )
    ).all()
    return min((_fecha_reporte(r, p, cal) for r, p in filas), default=None)


def situacion(session: Session, asm_id: int, hoy: date, cal: CalendarioHabil) -> Situacion:
    estados = estado_actual(session, hoy, cal, asm_ids=[asm_id])
    if not estados:
        raise ValoracionRechazada("Ese ASM ya no está en el registro.")
    estado = estados[0]
    evidencias = [
        (i, n)
        for i, n in session.execute(
            select(Evidencia.id, Evidencia.nombre_original)
            .where(Evidencia.asm_id == asm_id)
            .order_by(Evidencia.id)
        )
    ]
    hechos = Hechos(
        clasificacion=estado.clasificacion,
        fecha_termino=estado.fecha_termino,
        avance=estado.avance,
        fecha_100=fecha_100(session, asm_id, cal),
        evidencias=len(evidencias),
        hoy=hoy,
    )
    return Situacion(estado, hechos, opciones(hechos), evidencias)


def comprobar(
    session: Session, asm_id: int, valoracion: Valoracion, hoy: date, cal: CalendarioHabil,
    *, causas: str = "", institucion: str = "", declarada: bool = False,
) -> EstadoAsm:  # fmt: skip
    """The ASM when the valoración fits its state; ValoracionRechazada otherwise."""
    s = situacion(session, asm_id, hoy, cal)
    if s.asm.valoracion is not None:
        raise ValoracionRechazada(
            f"El ASM ya está valorado como «{s.asm.valoracion.etiqueta}»; para cambiarlo, "
            f"reábralo con /reabrir {s.asm.numero}."
        )
    problemas = validar_valoracion(
        valoracion, s.hechos, causas=causas, institucion=institucion, declarada=declarada
    )
    if problemas:
        raise ValoracionRechazada(" ".join(problemas))
    return s.asm


def valorar(
    session: Session, persona: Persona, asm_id: int, valoracion: Valoracion, hoy: date,
    cal: CalendarioHabil, *, causas: str = "", institucion: str = "", declarada: bool = False,
) -> ValoracionHecha:  # fmt: skip
    if not puede_valorar(session, persona, asm_id):
        raise ValoracionRechazada("La valoración de los ASM la registra el IMPLAN.")
    causas = limpiar(causas).strip()[:2000] if valoracion is not Valoracion.ATENDIDO else ""
    institucion = limpiar(institucion).strip()[:500] if valoracion is Valoracion.NO_APLICA else ""
    declarada = declarada and valoracion is Valoracion.NO_ATENDIDO
    estado = comprobar(
        session, asm_id, valoracion, hoy, cal,
        causas=causas, institucion=institucion, declarada=declarada,
    )  # fmt: skip
    asm = session.get(Asm, asm_id)
    version = registro.version_vigente(session, asm_id, hoy)
    assert asm is not None and version is not None
    cambios: dict[str, object] = {"valoracion": valoracion.value}
    if linea := observacion_valoracion(valoracion, causas, institucion, declarada):
        # Art. 14 and Anexo A (j): the causes reach Observaciones, after what was there.
        previas = version.observaciones.strip()
        cambios["observaciones"] = f"{previas}\n{linea}" if previas else linea
    nueva = registro.nueva_version(
        session, asm, hoy, f"usuario:{persona.id}", origen="bot", usuario_id=persona.id, **cambios
    )
    version_id = (nueva or version).id
    session.add(
        ValoracionAsm(
            asm_id=asm_id, version_id=version_id, accion="valoracion",
            valoracion=valoracion.value, fecha=hoy, causas=causas, institucion=institucion,
            declarada=declarada, usuario_id=persona.id,
        )
    )  # fmt: skip
    auditoria.registrar(
        session, f"usuario:{persona.id}", "valoracion", "asm", asm_id,
        valoracion=valoracion.value, causas=causas, institucion=institucion,
        declarada=declarada, version_id=version_id,
    )  # fmt: skip
    return ValoracionHecha(estado, valoracion, causas, version_id, institucion, declarada)


def reabrir(
    session: Session, persona: Persona, asm_id: int, motivo: str, hoy: date,
    cal: CalendarioHabil,
) -> Reapertura:  # fmt: skip
    """Removes the valoración, with a reason: the ASM may be reported on again."""
    if not puede_valorar(session, persona, asm_id):
        raise ValoracionRechazada("Sólo la Coordinación del IMPLAN puede reabrir un ASM.")
    estados = estado_actual(session, hoy, cal, asm_ids=[asm_id])
    if not estados:
        raise ValoracionRechazada("Ese ASM ya no está en el registro.")
    estado = estados[0]
    motivo = motivo.strip()[:2000]
    problemas = validar_reapertura(estado.valoracion, motivo)
    if problemas:
        raise ValoracionRechazada(" ".join(problemas))
    asm = session.get_one(Asm, asm_id)
    nueva = registro.nueva_version(
        session, asm, hoy, f"usuario:{persona.id}", origen="bot", usuario_id=persona.id,
        valoracion=None,
    )  # fmt: skip
    assert nueva is not None  # the valoración was set, so something changed
    session.add(
        ValoracionAsm(
            asm_id=asm_id, version_id=nueva.id, accion="reapertura", valoracion=None, fecha=hoy,
            motivo=motivo, usuario_id=persona.id,
        )
    )  # fmt: skip
    auditoria.registrar(
        session, f"usuario:{persona.id}", "reapertura", "asm", asm_id,
        valoracion_anterior=estado.valoracion.value if estado.valoracion else None,
        motivo=motivo, version_id=nueva.id,
    )  # fmt: skip
    return Reapertura(estado, motivo, nueva.id)


def contraloria(session: Session) -> list[tuple[int, int]]:
    """(usuario id, Telegram id) of the active Contraloría: it gets a copy of each valoración
    and reopening, since they close or reopen an ASM."""
    filas = session.execute(
        select(Usuario.id, Usuario.telegram_id)
        .where(Usuario.activo, Usuario.rol == Rol.CONTRALORIA.value)
        .order_by(Usuario.id)
    ).all()
    return [(uid, tid) for uid, tid in filas]


# --- The queue for IMPLAN -------------------------------------------------------------------


@dataclass(frozen=True)
class Pendiente:
    """An ASM waiting for its valoración: at 100 %, or with its fecha de término passed."""

    asm: EstadoAsm
    dependencia: str
    desde: date  # since when it waits: the day of 100 %, or the fecha de término
    motivo: str  # "completo" or "vencido"
    evidencias: int


def pendientes_de_valoracion(session: Session, hoy: date, cal: CalendarioHabil) -> list[Pendiente]:
    """The queue: by dependencia, the longest waiting first. An ASM of several dependencias
    is listed under the first of them (by name), once."""
    candidatos = [
        a
        for a in estado_actual(session, hoy, cal)
        if espera_valoracion(a.valoracion, a.avance, a.fecha_termino, hoy)
    ]
    if not candidatos:
        return []
    ids = [a.asm_id for a in candidatos]
    deps: dict[int, list[str]] = defaultdict(list)
    for asm_id, nombre in session.execute(
        select(AsmResponsable.asm_id, func.coalesce(Dependencia.siglas, Dependencia.nombre))
        .join(Dependencia, Dependencia.id == AsmResponsable.dependencia_id)
        .where(AsmResponsable.asm_id.in_(ids))
    ):
        deps[asm_id].append(nombre)
    evidencias = dict(
        session.execute(
            select(Evidencia.asm_id, func.count())
            .where(Evidencia.asm_id.in_(ids))
            .group_by(Evidencia.asm_id)
        ).all()
    )
    completos: dict[int, date] = {}
    for asm_id, registrado_en, periodo in session.execute(
        select(Avance.asm_id, Avance.registrado_en, Avance.periodo).where(
            Avance.asm_id.in_(ids), Avance.porcentaje == 100
        )
    ):
        d = _fecha_reporte(registrado_en, periodo, cal)
        completos[asm_id] = min(d, completos.get(asm_id, d))
    cola = []
    for a in candidatos:
        if a.avance == 100:
            desde, motivo = completos.get(a.asm_id, hoy), "completo"
        else:
            assert a.fecha_termino is not None
            desde, motivo = a.fecha_termino, "vencido"
        dependencia = min(deps.get(a.asm_id) or ["Sin dependencia asignada"])
        cola.append(Pendiente(a, dependencia, desde, motivo, evidencias.get(a.asm_id, 0)))
    cola.sort(key=lambda p: (p.dependencia, p.desde, p.asm.programa_clave, p.asm.numero))
    return cola


def valoracion_de(session: Session, asm_ids: list[int]) -> dict[int, ValoracionAsm]:
    """The last valoración recorded for each ASM that has one in force (for publication)."""
    if not asm_ids:
        return {}
    filas = session.scalars(
        select(ValoracionAsm)
        .where(ValoracionAsm.asm_id.in_(asm_ids))
        .order_by(ValoracionAsm.asm_id, ValoracionAsm.id)
    )
    ultimas: dict[int, ValoracionAsm] = {}
    for f in filas:
        ultimas[f.asm_id] = f
    return {k: v for k, v in ultimas.items() if v.accion == "valoracion"}
