"""Evaluations (Art. 6), their recommendations and ASM (Arts. 7, 9), and the obligations they set
(Arts. 8, 10, 13): the register and the deadline listing.

Each refusal is its own exception (a subclass of EvaluacionRechazada) whose text says what to do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.dominio.plazos import (
    limite_atencion,
    plazo_entrega_avances_interna,
    plazo_evaluacion_externa,
    plazo_plan_accion,
    plazo_posicion_institucional,
    validar_limite_atencion,
)
from bot.dominio.recordatorios import Obligacion, TipoPlazo, ordenar_obligaciones
from bot.dominio.seleccion import (
    Criterio,
    Responsable,
    problemas_de_clasificacion,
    problemas_de_seleccion,
)
from bot.dominio.texto import plural
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Prioridad, Rol, TipoEvaluacion
from bot.servicios import auditoria, registro
from bot.servicios.consultas import estado_actual
from bot.servicios.rechazos import Rechazado
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Avance,
    Dependencia,
    Evaluacion,
    Evidencia,
    PosicionInstitucional,
    Programa,
    Recomendacion,
    Usuario,
)


class EvaluacionRechazada(Rechazado):
    """A refusal; its text is for the person."""


class EvaluacionNoEncontrada(EvaluacionRechazada):
    pass


class ProgramaDesconocido(EvaluacionRechazada):
    pass


class LimiteAtencionInvalido(EvaluacionRechazada):
    pass


class RecomendacionNoEncontrada(EvaluacionRechazada):
    pass


class RecomendacionYaResuelta(EvaluacionRechazada):
    pass


class CriteriosNoCumplidos(EvaluacionRechazada):
    pass


class ClasificacionInconsistente(EvaluacionRechazada):
    pass


class ResponsableDesconocido(EvaluacionRechazada):
    pass


class SinAsmPorEnviar(EvaluacionRechazada):
    pass


# --- The register ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ResumenEvaluacion:
    id: int
    tipo: TipoEvaluacion
    programa_clave: str
    programa_nombre: str
    ejercicio_evaluado: int
    evaluador: str
    fecha_notificacion: date | None
    limite_atencion: date | None
    recomendaciones: int
    asm: int
    faltantes: tuple[str, ...]  # what is still to be completed, in words

    @property
    def titulo(self) -> str:
        return self.tipo.titulo(self.ejercicio_evaluado, self.programa_clave)


def _evaluacion(session: Session, evaluacion_id: int) -> Evaluacion:
    ev = session.get(Evaluacion, evaluacion_id)
    if ev is None:
        raise EvaluacionNoEncontrada(
            f"No hay evaluación con ID {evaluacion_id}; vea la lista con /evaluaciones."
        )
    return ev


def _programa(session: Session, clave: str) -> Programa:
    programa = session.scalar(select(Programa).where(Programa.clave == clave.strip()))
    if programa is None:
        raise ProgramaDesconocido(
            f"No existe el Pp o fondo «{clave}»; revise la clave o impórtelo primero."
        )
    return programa


def _revisar_limite(tipo: TipoEvaluacion, limite: date | None, notificacion: date | None) -> None:
    problemas = validar_limite_atencion(tipo, limite, notificacion)
    if problemas:
        raise LimiteAtencionInvalido(" ".join(problemas))


def registrar_evaluacion(
    session: Session,
    *,
    tipo: TipoEvaluacion,
    programa_clave: str,
    ejercicio_evaluado: int,
    fecha_notificacion: date | None,
    actor: str,
    fecha_limite_atencion: date | None = None,
    evaluador: str = "",
) -> int:
    programa = _programa(session, programa_clave)
    _revisar_limite(tipo, fecha_limite_atencion, fecha_notificacion)
    ev = Evaluacion(
        programa_id=programa.id,
        tipo=tipo.value,
        ejercicio_evaluado=ejercicio_evaluado,
        evaluador=evaluador.strip()[:300],
        fecha_notificacion=fecha_notificacion,
        fecha_limite_atencion=fecha_limite_atencion,
    )
    session.add(ev)
    session.flush()
    auditoria.registrar(
        session, actor, "crear", "evaluacion", ev.id, tipo=tipo.value, programa=programa.clave,
        ejercicio_evaluado=ejercicio_evaluado, evaluador=ev.evaluador,
        fecha_notificacion=_iso(fecha_notificacion), fecha_limite_atencion=_iso(fecha_limite_atencion),
    )  # fmt: skip
    return ev.id


_NO_CAMBIA: Any = object()


@dataclass(frozen=True)
class CambioLimite:
    """The fecha límite de atención changed: who must be told (usuario id, Telegram id)."""

    evaluacion_id: int
    titulo: str
    antes: date | None
    despues: date | None
    destinatarios: tuple[tuple[int, int], ...]


def editar_evaluacion(
    session: Session,
    evaluacion_id: int,
    actor: str,
    ahora: datetime,
    cal: CalendarioHabil,
    *,
    fecha_notificacion: date | None = _NO_CAMBIA,
    fecha_limite_atencion: date | None = _NO_CAMBIA,
    evaluador: str = _NO_CAMBIA,
    ejercicio_evaluado: int = _NO_CAMBIA,
) -> CambioLimite | None:
    """Changes what is given; audited. When the fecha límite de atención in force changed, says
    whom to tell: the enlaces of the dependencias whose ASM come from the evaluation."""
    ev = _evaluacion(session, evaluacion_id)
    tipo = TipoEvaluacion(ev.tipo)
    antes = {
        "fecha_notificacion": ev.fecha_notificacion,
        "fecha_limite_atencion": ev.fecha_limite_atencion,
        "evaluador": ev.evaluador,
        "ejercicio_evaluado": ev.ejercicio_evaluado,
    }
    limite_antes = limite_atencion(ev, cal)
    nuevos = {
        "fecha_notificacion": fecha_notificacion,
        "fecha_limite_atencion": fecha_limite_atencion,
        "evaluador": evaluador,
        "ejercicio_evaluado": ejercicio_evaluado,
    }
    cambios = {k: v for k, v in nuevos.items() if v is not _NO_CAMBIA and v != antes[k]}
    if not cambios:
        return None
    notificacion: date | None = cambios.get("fecha_notificacion", ev.fecha_notificacion)  # type: ignore[assignment]
    limite: date | None = cambios.get("fecha_limite_atencion", ev.fecha_limite_atencion)  # type: ignore[assignment]
    if "fecha_limite_atencion" in cambios or "fecha_notificacion" in cambios:
        _revisar_limite(tipo, limite, notificacion)
    for k, v in cambios.items():
        setattr(ev, k, v.strip()[:300] if isinstance(v, str) else v)
    session.flush()
    auditoria.registrar(
        session, actor, "editar", "evaluacion", ev.id,
        cambios={k: [_iso(antes[k]), _iso(v)] for k, v in cambios.items()},
    )  # fmt: skip
    limite_despues = limite_atencion(ev, cal)
    if limite_despues == limite_antes:
        return None
    return CambioLimite(
        evaluacion_id=ev.id,
        titulo=tipo.titulo(ev.ejercicio_evaluado, ev.programa.clave),
        antes=limite_antes,
        despues=limite_despues,
        destinatarios=tuple(_enlaces(session, _dependencias_de_evaluacion(session, ev.id))),
    )


def guardar_informe(
    session: Session, evaluacion_id: int, sha256: str, ruta: str, nombre: str, actor: str
) -> None:
    """The final report's file, stored like evidence (content-addressed under the data folder)."""
    ev = _evaluacion(session, evaluacion_id)
    ev.informe_sha256, ev.informe_ruta, ev.informe_nombre = sha256, ruta, nombre[:300]
    auditoria.registrar(session, actor, "informe", "evaluacion", ev.id, sha256=sha256)


def limite_para_importar(
    session: Session, evaluacion_id: int | None, cal: CalendarioHabil
) -> date | None:
    """The fecha límite de atención an import into this evaluation must respect (Anexo A, f)."""
    if evaluacion_id is None:
        return None
    return limite_atencion(_evaluacion(session, evaluacion_id), cal)


def evaluacion_para_importar(session: Session, programa_id: int, ejercicio: int) -> int | None:
    """The one evaluation of the Pp and fiscal year, chosen without asking; None when there is
    none or more than one (then the person chooses)."""
    ids = session.scalars(
        select(Evaluacion.id).where(
            Evaluacion.programa_id == programa_id, Evaluacion.ejercicio_evaluado == ejercicio
        )
    ).all()
    return ids[0] if len(ids) == 1 else None


def lista_evaluaciones(
    session: Session, cal: CalendarioHabil, hoy: date
) -> list[ResumenEvaluacion]:
    evaluaciones = session.scalars(
        select(Evaluacion).order_by(Evaluacion.ejercicio_evaluado.desc(), Evaluacion.id.desc())
    ).all()
    return [_resumen(session, ev, cal, hoy) for ev in evaluaciones]


def sin_evaluacion(session: Session) -> int:
    """ASM that belong to no evaluation (older data, or imported before it was registered)."""
    return (
        session.scalar(select(func.count()).select_from(Asm).where(Asm.evaluacion_id.is_(None)))
        or 0
    )


def _resumen(
    session: Session, ev: Evaluacion, cal: CalendarioHabil, hoy: date
) -> ResumenEvaluacion:
    recomendaciones = session.scalars(
        select(Recomendacion).where(Recomendacion.evaluacion_id == ev.id)
    ).all()
    asm_ids = session.scalars(select(Asm.id).where(Asm.evaluacion_id == ev.id)).all()
    return ResumenEvaluacion(
        id=ev.id,
        tipo=TipoEvaluacion(ev.tipo),
        programa_clave=ev.programa.clave,
        programa_nombre=ev.programa.nombre,
        ejercicio_evaluado=ev.ejercicio_evaluado,
        evaluador=ev.evaluador,
        fecha_notificacion=ev.fecha_notificacion,
        limite_atencion=limite_atencion(ev, cal),
        recomendaciones=len(recomendaciones),
        asm=len(asm_ids),
        faltantes=tuple(_faltantes(session, ev, recomendaciones, asm_ids, hoy)),
    )


def _faltantes(
    session: Session,
    ev: Evaluacion,
    recomendaciones: Sequence[Recomendacion],
    asm_ids: Sequence[int],
    hoy: date,
) -> list[str]:
    faltan: list[str] = []
    if ev.fecha_notificacion is None:
        faltan.append("la fecha de notificación del informe final")
    if TipoEvaluacion(ev.tipo) is not TipoEvaluacion.EXTERNA and ev.fecha_limite_atencion is None:
        faltan.append("la fecha límite de atención (la fija el IMPLAN)")
    pendientes = sum(r.asm_id is None and r.motivo_no_seleccion is None for r in recomendaciones)
    if pendientes:
        faltan.append(f"decidir {plural(pendientes, 'recomendación')} (Art. 7)")
    sin_enviar = 0
    for asm_id in asm_ids:
        asm = session.get(Asm, asm_id)
        version = registro.version_vigente(session, asm_id, hoy)
        if asm is None or version is None:
            continue
        n = asm.numero
        if asm.fecha_recepcion is None:
            sin_enviar += 1
        if not version.prioridad:
            faltan.append(f"ASM {n}: prioridad")
        if not all(
            (version.claridad, version.relevancia, version.justificacion, version.factibilidad)
        ):
            faltan.append(f"ASM {n}: criterios del Art. 7")
        if any(not r.motivo_participacion for r in asm.responsables):
            faltan.append(f"ASM {n}: motivo de participación de sus responsables")
        # From an import the classification is flagged, not refused (Art. 9).
        problemas = problemas_de_clasificacion(
            Clasificacion(version.clasificacion), _responsables(asm), asm.gobierno_externo
        )
        faltan += [f"ASM {n}: {p}" for p in problemas]
    if sin_enviar:
        faltan.append(f"enviar {sin_enviar} ASM a la dependencia")
    return faltan


def _responsables(asm: Asm) -> list[Responsable]:
    return [Responsable(r.dependencia_id, r.unidad_id) for r in asm.responsables]


# --- Recommendations and ASM -----------------------------------------------------------------


@dataclass(frozen=True)
class ResponsableNuevo:
    """A responsable given by a coordinador: dependencia by siglas or name, with its motivo."""

    dependencia: str
    motivo: str
    unidad: str | None = None


def agregar_recomendacion(session: Session, evaluacion_id: int, texto: str, actor: str) -> int:
    ev = _evaluacion(session, evaluacion_id)
    texto = texto.strip()
    if not texto:
        raise EvaluacionRechazada("Escriba el texto de la recomendación.")
    numero = (
        session.scalar(
            select(func.max(Recomendacion.numero)).where(Recomendacion.evaluacion_id == ev.id)
        )
        or 0
    ) + 1
    rec = Recomendacion(evaluacion_id=ev.id, numero=numero, texto=texto[:4000])
    session.add(rec)
    session.flush()
    auditoria.registrar(session, actor, "crear", "recomendacion", rec.id, evaluacion_id=ev.id)
    return rec.id


def _recomendacion(session: Session, recomendacion_id: int) -> Recomendacion:
    rec = session.get(Recomendacion, recomendacion_id)
    if rec is None:
        raise RecomendacionNoEncontrada("Esa recomendación ya no existe; vuelva a /evaluaciones.")
    if rec.asm_id is not None or rec.motivo_no_seleccion is not None:
        raise RecomendacionYaResuelta("Esa recomendación ya se decidió; vuelva a /evaluaciones.")
    return rec


def _criterios(rec: Recomendacion, criterios: dict[str, bool]) -> None:
    for c in Criterio:
        if c.value in criterios:
            setattr(rec, c.value, bool(criterios[c.value]))


def no_seleccionar(
    session: Session, recomendacion_id: int, criterios: dict[str, bool], motivo: str, actor: str
) -> None:
    """Kept as no seleccionada, with its reason (Art. 9, last paragraph)."""
    rec = _recomendacion(session, recomendacion_id)
    if not motivo.strip():
        raise EvaluacionRechazada("Escriba el motivo por el que no se selecciona.")
    _criterios(rec, criterios)
    rec.motivo_no_seleccion = motivo.strip()[:2000]
    auditoria.registrar(
        session, actor, "no_seleccionar", "recomendacion", rec.id,
        criterios={c.value: getattr(rec, c.value) for c in Criterio}, motivo=rec.motivo_no_seleccion,
    )  # fmt: skip


def _dependencia(session: Session, texto: str) -> Dependencia:
    t = texto.strip()
    dep = session.scalar(
        select(Dependencia).where(
            (func.lower(Dependencia.siglas) == t.lower()) | (Dependencia.nombre == t)
        )
    )
    if dep is None:
        raise ResponsableDesconocido(
            f"No conozco la dependencia «{t}»; escriba sus siglas tal como están en el catálogo."
        )
    return dep


def seleccionar(
    session: Session,
    recomendacion_id: int,
    *,
    criterios: dict[str, bool],
    clasificacion: Clasificacion,
    prioridad: Prioridad,
    responsables: Sequence[ResponsableNuevo],
    actor: str,
    hoy: date,
    gobierno_externo: str | None = None,
    usuario_id: int | None = None,
) -> int:
    """The recommendation becomes an ASM of the evaluation's Pp: refused when a criterion of
    Art. 7 is not met or the classification does not match its responsables (Art. 9)."""
    rec = _recomendacion(session, recomendacion_id)
    problemas = problemas_de_seleccion(dict(criterios))
    if problemas:
        raise CriteriosNoCumplidos(" ".join(problemas))
    deps = [(_dependencia(session, r.dependencia), r) for r in responsables]
    unidades = [_unidad(d, r.unidad) for d, r in deps]
    problemas = problemas_de_clasificacion(
        clasificacion,
        [Responsable(d.id, u) for (d, _), u in zip(deps, unidades, strict=True)],
        gobierno_externo,
    )
    if problemas:
        raise ClasificacionInconsistente(" ".join(problemas))
    if any(not r.motivo.strip() for r in responsables):
        raise EvaluacionRechazada(
            "Escriba el motivo de participación de cada responsable (Art. 9)."
        )
    ev = _evaluacion(session, rec.evaluacion_id)
    numero = (
        session.scalar(select(func.max(Asm.numero)).where(Asm.programa_id == ev.programa_id)) or 0
    ) + 1
    asm = Asm(
        programa_id=ev.programa_id,
        numero=numero,
        evaluacion_id=ev.id,
        gobierno_externo=(gobierno_externo or "").strip()[:300] or None,
    )
    session.add(asm)
    session.flush()
    for (d, r), u in zip(deps, unidades, strict=True):
        session.add(
            AsmResponsable(
                asm_id=asm.id, dependencia_id=d.id, unidad_id=u,
                motivo_participacion=r.motivo.strip()[:2000],
            )
        )  # fmt: skip
    area = "; ".join(d.nombre + (f" / {r.unidad}" if r.unidad else "") for d, r in deps)
    registro.nueva_version(
        session, asm, hoy, actor, origen="bot", usuario_id=usuario_id,
        texto=rec.texto, clasificacion=clasificacion.value, prioridad=prioridad.value,
        claridad=True, relevancia=True, justificacion=True, factibilidad=True,
        area_responsable=area, estado_plan=EstadoPlan.BORRADOR.value,
    )  # fmt: skip
    _criterios(rec, criterios)
    rec.asm_id = asm.id
    auditoria.registrar(session, actor, "seleccionar", "recomendacion", rec.id, asm_id=asm.id)
    return asm.id


def _unidad(dep: Dependencia, nombre: str | None) -> int | None:
    if not nombre:
        return None
    for u in dep.unidades:
        if u.nombre.lower() == nombre.strip().lower():
            return u.id
    raise ResponsableDesconocido(
        f"«{nombre}» no es una unidad administrativa de {dep.siglas or dep.nombre}."
    )


@dataclass(frozen=True)
class AvisoRecepcion:
    dependencia_id: int
    numeros: tuple[int, ...]  # Núm. of the ASM it received
    plazo_plan: date | None  # Art. 10; None when all are intergubernamentales
    destinatarios: tuple[tuple[int, int], ...]  # its enlaces: (usuario id, Telegram id)


@dataclass(frozen=True)
class EnvioAsm:
    evaluacion_id: int
    titulo: str
    fecha_recepcion: date
    limite_atencion: date | None
    enviados: int
    avisos: tuple[AvisoRecepcion, ...]

    @property
    def plazo_plan(self) -> date | None:
        return min((a.plazo_plan for a in self.avisos if a.plazo_plan), default=None)


def enviar_asm(
    session: Session, evaluacion_id: int, actor: str, ahora: datetime, cal: CalendarioHabil
) -> EnvioAsm:
    """Sends the evaluation's ASM not sent yet: today is their fecha de recepción (Art. 10), and
    each enlace of the dependencias answering for them is told, with the plan's deadline."""
    ev = _evaluacion(session, evaluacion_id)
    hoy = cal.hoy(ahora)
    pendientes = session.scalars(
        select(Asm)
        .where(Asm.evaluacion_id == ev.id, Asm.fecha_recepcion.is_(None))
        .order_by(Asm.numero)
    ).all()
    if not pendientes:
        raise SinAsmPorEnviar("No hay ASM por enviar en esta evaluación.")
    por_dependencia: dict[int, list[tuple[int, Clasificacion]]] = defaultdict(list)
    for asm in pendientes:
        asm.fecha_recepcion = hoy
        version = registro.version_vigente(session, asm.id, hoy)
        clasif = Clasificacion(version.clasificacion) if version else Clasificacion.ESPECIFICO
        for r in asm.responsables:
            por_dependencia[r.dependencia_id].append((asm.numero, clasif))
    session.flush()
    auditoria.registrar(
        session, actor, "enviar_asm", "evaluacion", ev.id,
        asm=[a.id for a in pendientes], fecha_recepcion=hoy.isoformat(),
    )  # fmt: skip
    avisos: list[AvisoRecepcion] = []
    for dep_id, suyos in sorted(por_dependencia.items()):
        fechas = [plazo_plan_accion(hoy, c, cal) for _, c in suyos]
        avisos.append(
            AvisoRecepcion(
                dependencia_id=dep_id,
                numeros=tuple(n for n, _ in suyos),
                plazo_plan=min((f for f in fechas if f is not None), default=None),
                destinatarios=tuple(_enlaces(session, {dep_id})),
            )
        )
    return EnvioAsm(
        evaluacion_id=ev.id,
        titulo=TipoEvaluacion(ev.tipo).titulo(ev.ejercicio_evaluado, ev.programa.clave),
        fecha_recepcion=hoy,
        limite_atencion=limite_atencion(ev, cal),
        enviados=len(pendientes),
        avisos=tuple(avisos),
    )


# --- Obligations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EstadoObligacion:
    """One obligation of one dependencia for one evaluation, and whether it was met."""

    evaluacion_id: int
    dependencia_id: int
    tipo: TipoPlazo
    fecha: date
    cumplida: bool
    asunto: str  # the evaluation, in words


@dataclass
class _AsmDeRonda:
    asm_id: int
    evaluacion_id: int | None
    programa_id: int
    fecha_recepcion: date | None
    dependencias: set[int] = field(default_factory=set)


def obligaciones_de_evaluaciones(
    session: Session, cal: CalendarioHabil, hoy: date, dependencia_id: int | None = None
) -> list[EstadoObligacion]:
    """Arts. 8, 10 and 13 for each dependencia with open ASM of each evaluation, met or not.

    Met: the posición uploaded (Art. 8); every ASM needing a plan has had its plan sent
    (Art. 10); a progress report with evidence arrived after the notification (Art. 13).
    ASM tied to no evaluation count, for older data, under the evaluations of their Pp.
    """
    estados = {a.asm_id: a for a in estado_actual(session, hoy, cal)}
    asm: dict[int, _AsmDeRonda] = {}
    for asm_id, ev_id, prog_id, recepcion, dep in session.execute(
        select(Asm.id, Asm.evaluacion_id, Asm.programa_id, Asm.fecha_recepcion,
               AsmResponsable.dependencia_id)
        .outerjoin(AsmResponsable, AsmResponsable.asm_id == Asm.id)
    ):  # fmt: skip
        fila = asm.setdefault(asm_id, _AsmDeRonda(asm_id, ev_id, prog_id, recepcion))
        if dep is not None:
            fila.dependencias.add(dep)
    de_evaluacion: dict[int, list[_AsmDeRonda]] = defaultdict(list)
    sin_evaluacion: dict[int, list[_AsmDeRonda]] = defaultdict(list)
    for a in asm.values():
        if a.evaluacion_id is None:
            sin_evaluacion[a.programa_id].append(a)
        else:
            de_evaluacion[a.evaluacion_id].append(a)
    posiciones = set(
        session.execute(
            select(PosicionInstitucional.evaluacion_id, PosicionInstitucional.dependencia_id)
        )
    )
    # Versions are append-only: a plan ever sent (then observed or approved) was delivered.
    enviados = set(
        session.scalars(
            select(AsmVersion.asm_id).where(AsmVersion.estado_plan != EstadoPlan.BORRADOR.value)
        )
    )
    con_evidencia: dict[int, date] = {}
    for asm_id, cuando in session.execute(
        select(Avance.asm_id, func.max(Avance.registrado_en))
        .join(Evidencia, Evidencia.avance_id == Avance.id)
        .group_by(Avance.asm_id)
    ):
        con_evidencia[asm_id] = cal.hoy(cuando)

    resultado: list[EstadoObligacion] = []
    for ev in session.scalars(select(Evaluacion).order_by(Evaluacion.id)):
        tipo = TipoEvaluacion(ev.tipo)
        suyos = de_evaluacion.get(ev.id) or sin_evaluacion.get(ev.programa_id, [])
        abiertos = [a for a in suyos if a.asm_id in estados and estados[a.asm_id].abierto]
        deps = {d for a in abiertos for d in a.dependencias}
        if dependencia_id is not None:
            deps &= {dependencia_id}
        asunto = tipo.titulo(ev.ejercicio_evaluado, ev.programa.clave)
        notif = ev.fecha_notificacion
        for dep in sorted(deps):
            de_dep = [a for a in abiertos if dep in a.dependencias]

            def agregar(t: TipoPlazo, fecha: date, cumplida: bool) -> None:
                resultado.append(EstadoObligacion(ev.id, dep, t, fecha, cumplida, asunto))  # noqa: B023

            if notif is not None:
                agregar(
                    TipoPlazo.POSICION_INSTITUCIONAL,
                    plazo_posicion_institucional(notif, cal),
                    (ev.id, dep) in posiciones,
                )
            con_plan = [
                a for a in de_dep
                if a.fecha_recepcion is not None
                and estados[a.asm_id].clasificacion is not Clasificacion.INTERGUBERNAMENTAL
            ]  # fmt: skip
            recepciones = [a.fecha_recepcion for a in con_plan if a.fecha_recepcion]
            # Art. 10: counted from the first receipt; intergubernamentales were left out above.
            fecha_plan = (
                plazo_plan_accion(min(recepciones), Clasificacion.ESPECIFICO, cal)
                if recepciones
                else None
            )
            if fecha_plan is not None:
                agregar(
                    TipoPlazo.PLAN_ACCION,
                    fecha_plan,
                    all(a.asm_id in enviados for a in con_plan),
                )
            if tipo is TipoEvaluacion.EXTERNA:
                agregar(
                    TipoPlazo.EVALUACION_EXTERNA,
                    plazo_evaluacion_externa(ev.ejercicio_evaluado, cal, notif),
                    False,  # open ASM remain: compliance is not shown yet
                )
            elif notif is not None:
                agregar(
                    TipoPlazo.ENTREGA_AVANCES,
                    plazo_entrega_avances_interna(notif, cal),
                    any(con_evidencia.get(a.asm_id, date.min) >= notif for a in suyos
                        if dep in a.dependencias),
                )  # fmt: skip
    return resultado


def obligaciones_abiertas(
    session: Session, cal: CalendarioHabil, hoy: date, dependencia_id: int | None = None
) -> list[Obligacion]:
    """Every obligation not met yet — evaluations' and each open ASM's fecha de término —, with
    its article and business days left, soonest first (`asmbot plazos`, /calendario)."""
    nombres: dict[int, str] = {
        dep_id: nombre
        for dep_id, nombre in session.execute(
            select(Dependencia.id, func.coalesce(Dependencia.siglas, Dependencia.nombre))
        )
    }
    obligaciones = [
        Obligacion(
            o.tipo, o.fecha, cal.habiles_entre(hoy, o.fecha), nombres.get(o.dependencia_id, "?"),
            o.asunto,
        )
        for o in obligaciones_de_evaluaciones(session, cal, hoy, dependencia_id)
        if not o.cumplida
    ]  # fmt: skip
    for a in estado_actual(session, hoy, cal, dependencia_id=dependencia_id):
        if a.fecha_termino is None or not a.abierto:
            continue
        deps = session.scalars(
            select(AsmResponsable.dependencia_id).where(AsmResponsable.asm_id == a.asm_id)
        ).all()
        nombre = ", ".join(sorted(nombres.get(d, "?") for d in deps)) or "sin responsable"
        obligaciones.append(
            Obligacion(
                TipoPlazo.TERMINO, a.fecha_termino, cal.habiles_entre(hoy, a.fecha_termino),
                nombre, f"ASM {a.numero} · {a.programa_clave}",
            )
        )  # fmt: skip
    return ordenar_obligaciones(obligaciones)


# --- Helpers ----------------------------------------------------------------------------------


def _dependencias_de_evaluacion(session: Session, evaluacion_id: int) -> set[int]:
    return set(
        session.scalars(
            select(AsmResponsable.dependencia_id)
            .join(Asm, Asm.id == AsmResponsable.asm_id)
            .where(Asm.evaluacion_id == evaluacion_id)
        )
    )


def _enlaces(session: Session, dependencias: set[int]) -> list[tuple[int, int]]:
    if not dependencias:
        return []
    return [
        (uid, tid)
        for uid, tid in session.execute(
            select(Usuario.id, Usuario.telegram_id)
            .where(
                Usuario.activo.is_(True),
                Usuario.rol == Rol.ENLACE.value,
                Usuario.dependencia_id.in_(dependencias),
            )
            .order_by(Usuario.id)
        )
    ]


def _iso(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else v


# --- Imports ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VinculoImportacion:
    evaluacion_id: int | None
    vinculados: int
    avisos: tuple[str, ...]  # inconsistencies flagged (Art. 9), or why nothing was linked


def vincular_importacion(
    session: Session,
    programa_clave: str,
    anio: int,
    evaluacion_id: int | None,
    hoy: date,
    actor: str = "cli",
) -> VinculoImportacion:
    """Ties the Pp's ASM that belong to no evaluation to `evaluacion_id`, or — when it is None —
    to the Pp's only evaluation of `anio` or the year before (the usual evaluated year of a plan
    followed in `anio`). Inconsistent classifications are flagged here, never refused."""
    programa = _programa(session, programa_clave)
    if evaluacion_id is None:
        ids = session.scalars(
            select(Evaluacion.id).where(
                Evaluacion.programa_id == programa.id,
                Evaluacion.ejercicio_evaluado.in_([anio, anio - 1]),
            )
        ).all()
        if len(ids) != 1:
            aviso = (
                "no hay evaluación registrada de ese Pp"
                if not ids
                else f"hay {len(ids)} evaluaciones de ese Pp; elija una con asmbot import --evaluacion"
            )
            return VinculoImportacion(
                None, 0, (f"{programa.clave}: ASM sin evaluación ({aviso}).",)
            )
        evaluacion_id = ids[0]
    ev = _evaluacion(session, evaluacion_id)
    if ev.programa_id != programa.id:
        raise EvaluacionRechazada(
            f"La evaluación {ev.id} es de otro Pp; elija una evaluación de {programa.clave}."
        )
    sueltos = session.scalars(
        select(Asm).where(Asm.programa_id == programa.id, Asm.evaluacion_id.is_(None))
    ).all()
    avisos: list[str] = []
    for asm in sueltos:
        asm.evaluacion_id = ev.id
        version = registro.version_vigente(session, asm.id, hoy)
        if version is not None:
            avisos += [
                f"{programa.clave} ASM {asm.numero}: {p}"
                for p in problemas_de_clasificacion(
                    Clasificacion(version.clasificacion), _responsables(asm), asm.gobierno_externo
                )
            ]
    if sueltos:
        auditoria.registrar(
            session, actor, "vincular_importacion", "evaluacion", ev.id,
            asm=[a.id for a in sueltos],
        )  # fmt: skip
    return VinculoImportacion(ev.id, len(sueltos), tuple(avisos))


@dataclass(frozen=True)
class DetalleEvaluacion:
    resumen: ResumenEvaluacion
    recomendaciones: tuple[tuple[int, int, str, str], ...]  # id, número, texto, estado
    obligaciones: tuple[tuple[TipoPlazo, date, bool, str], ...]  # tipo, fecha, cumplida, dep.


def detalle_evaluacion(
    session: Session, evaluacion_id: int, cal: CalendarioHabil, hoy: date
) -> DetalleEvaluacion:
    ev = _evaluacion(session, evaluacion_id)
    numeros = {
        a.id: a.numero for a in session.scalars(select(Asm).where(Asm.evaluacion_id == ev.id))
    }
    recomendaciones = []
    for r in session.scalars(
        select(Recomendacion)
        .where(Recomendacion.evaluacion_id == ev.id)
        .order_by(Recomendacion.numero)
    ):
        if r.asm_id is not None:
            estado = f"ASM {numeros.get(r.asm_id, '?')}"
        elif r.motivo_no_seleccion is not None:
            estado = f"no seleccionada: {r.motivo_no_seleccion}"
        else:
            estado = "por decidir"
        recomendaciones.append((r.id, r.numero, r.texto, estado))
    nombres = {
        dep_id: nombre
        for dep_id, nombre in session.execute(
            select(Dependencia.id, func.coalesce(Dependencia.siglas, Dependencia.nombre))
        )
    }
    obligaciones = tuple(
        (o.tipo, o.fecha, o.cumplida, nombres.get(o.dependencia_id, "?"))
        for o in obligaciones_de_evaluaciones(session, cal, hoy)
        if o.evaluacion_id == ev.id
    )
    return DetalleEvaluacion(_resumen(session, ev, cal, hoy), tuple(recomendaciones), obligaciones)


def vincular_planes(
    session: Session, planes: list[str], evaluacion_id: int | None, hoy: date, actor: str = "cli"
) -> list[str]:
    """Ties each imported plan («E001 (2025T2)») to its evaluation (the one given, or the Pp's
    only one of that year: chosen without asking); lines for the import's summary."""
    lineas: list[str] = []
    for plan in planes:
        clave, _, resto = plan.partition(" (")
        anio = Trimestre.parse(resto.rstrip(")")).anio if resto else hoy.year
        v = vincular_importacion(session, clave, anio, evaluacion_id, hoy, actor)
        if v.evaluacion_id is not None:
            lineas.append(f"Evaluación {v.evaluacion_id}: {v.vinculados} ASM vinculados.")
        lineas += [f"Aviso: {a}" for a in v.avisos]
    return lineas
