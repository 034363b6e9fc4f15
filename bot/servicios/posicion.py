"""The posición institucional (Art. 8): the dependencia's documented opinion on an evaluation's
results, due 5 business days after the notification. Each upload is kept, with whether it came on
time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.planes import en_tiempo, motivo_rechazo_documento
from bot.dominio.plazos import plazo_posicion_institucional
from bot.dominio.texto import limpiar_nombre_archivo
from bot.dominio.vocabulario import TipoEvaluacion
from bot.servicios import auditoria
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.permisos import negar
from bot.servicios.rechazos import Rechazado
from bot.servicios.usuarios import Persona
from storage.models import Asm, AsmResponsable, Evaluacion, PosicionInstitucional, Programa


class PosicionRechazada(Rechazado):
    """The upload cannot be recorded; the message says why."""


@dataclass(frozen=True)
class EvaluacionPosicion:
    evaluacion_id: int
    programa_clave: str
    tipo: TipoEvaluacion
    ejercicio_evaluado: int
    fecha_notificacion: date | None
    plazo: date | None
    entregada: bool  # the dependencia already uploaded one


@dataclass(frozen=True)
class ReciboPosicion:
    evaluacion: EvaluacionPosicion
    nombre: str
    en_tiempo: bool | None
    posicion_id: int


def evaluaciones_de(
    session: Session, dependencia_id: int, cal: CalendarioHabil
) -> list[EvaluacionPosicion]:
    """The evaluations of the Pp whose ASM the dependencia answers for, newest first."""
    programas = (
        select(Asm.programa_id)
        .join(AsmResponsable, AsmResponsable.asm_id == Asm.id)
        .where(AsmResponsable.dependencia_id == dependencia_id)
    )
    entregadas = set(
        session.scalars(
            select(PosicionInstitucional.evaluacion_id).where(
                PosicionInstitucional.dependencia_id == dependencia_id
            )
        )
    )
    filas = session.execute(
        select(Evaluacion, Programa.clave)
        .join(Programa, Programa.id == Evaluacion.programa_id)
        .where(Evaluacion.programa_id.in_(programas))
        .order_by(
            Evaluacion.ejercicio_evaluado.desc(),
            Evaluacion.fecha_notificacion.desc().nulls_last(),
            Evaluacion.id.desc(),
        )
    ).all()
    return [
        EvaluacionPosicion(
            evaluacion_id=ev.id,
            programa_clave=clave,
            tipo=TipoEvaluacion(ev.tipo),
            ejercicio_evaluado=ev.ejercicio_evaluado,
            fecha_notificacion=ev.fecha_notificacion,
            plazo=(
                plazo_posicion_institucional(ev.fecha_notificacion, cal)
                if ev.fecha_notificacion
                else None
            ),
            entregada=ev.id in entregadas,
        )
        for ev, clave in filas
    ]


def evaluacion_de(
    session: Session, persona: Persona, evaluacion_id: int, cal: CalendarioHabil
) -> EvaluacionPosicion | None:
    """The evaluation when the person's dependencia answers for it; the refusal is audited."""
    if persona.dependencia_id is not None and persona.es_enlace:
        for ev in evaluaciones_de(session, persona.dependencia_id, cal):
            if ev.evaluacion_id == evaluacion_id:
                return ev
    negar(session, persona, "evaluacion", evaluacion_id, "posicion")
    return None


def registrar_posicion(
    session: Session, persona: Persona, evaluacion_id: int, archivo: ArchivoEvidencia,
    hoy: date, cal: CalendarioHabil,
) -> ReciboPosicion:  # fmt: skip
    ev = evaluacion_de(session, persona, evaluacion_id, cal)
    if ev is None or persona.dependencia_id is None:
        raise PosicionRechazada("Esa evaluación no corresponde a su dependencia.")
    motivo = motivo_rechazo_documento(archivo.tipo)
    if motivo is not None:
        raise PosicionRechazada(motivo)
    a_tiempo = en_tiempo(hoy, ev.plazo)
    fila = PosicionInstitucional(
        evaluacion_id=evaluacion_id,
        dependencia_id=persona.dependencia_id,
        sha256=archivo.sha256,
        tamano=archivo.tamano,
        tipo_detectado=archivo.tipo,
        nombre_original=limpiar_nombre_archivo(archivo.nombre)[:300],
        ruta=archivo.ruta,
        telegram_file_id=archivo.file_id,
        telegram_file_unique_id=archivo.file_unique_id,
        fecha_limite=ev.plazo,
        en_tiempo=a_tiempo,
        usuario_id=persona.id,
    )
    session.add(fila)
    session.flush()
    auditoria.registrar(
        session, f"usuario:{persona.id}", "posicion_institucional", "evaluacion", evaluacion_id,
        posicion_id=fila.id, sha256=archivo.sha256, en_tiempo=a_tiempo,
        dependencia_id=persona.dependencia_id,
    )  # fmt: skip
    return ReciboPosicion(ev, archivo.nombre, a_tiempo, fila.id)
