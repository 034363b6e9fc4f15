"""One ASM's whole history for /asm: versions, avances, reviews and evidence (history
is kept, never overwritten), and the checked download of an evidence file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.servicios import auditoria, registro
from bot.servicios.evidencias import nombre_seguro
from bot.servicios.permisos import puede_ver_asm
from bot.servicios.usuarios import Persona
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Avance,
    Evidencia,
    Programa,
    RevisionPlan,
)


@dataclass(frozen=True)
class Cambio:
    vigente_desde: date
    registrado_en: datetime
    origen: str
    campos: tuple[tuple[str, Any], ...]  # (field, new value); every field on the first version
    primera: bool


@dataclass(frozen=True)
class EvidenciaAsm:
    evidencia_id: int
    nombre: str
    tamano: int
    registrado_en: datetime


@dataclass(frozen=True)
class Historial:
    asm_id: int
    numero: int
    programa_clave: str
    programa_nombre: str
    actual: dict[str, Any]  # the fields of the version in effect
    cambios: list[Cambio]
    avances: list[Avance]
    revisiones: list[RevisionPlan]
    evidencias: list[EvidenciaAsm]


def buscar_por_numero(
    session: Session, numero: int, dependencia_id: int | None = None
) -> list[tuple[int, str]]:
    """(asm id, Pp clave) of the ASM with that Núm. (one per Pp), only the dependencia's if given."""
    consulta = (
        select(Asm.id, Programa.clave)
        .join(Programa, Programa.id == Asm.programa_id)
        .where(Asm.numero == numero)
        .order_by(Programa.clave)
    )
    if dependencia_id is not None:
        consulta = consulta.where(
            Asm.id.in_(
                select(AsmResponsable.asm_id).where(AsmResponsable.dependencia_id == dependencia_id)
            )
        )
    return [(i, c) for i, c in session.execute(consulta).all()]


def historial(session: Session, asm_id: int, hoy: date) -> Historial | None:
    asm = session.get(Asm, asm_id)
    vigente = registro.version_vigente(session, asm_id, hoy)
    if asm is None or vigente is None:
        return None
    versiones = session.scalars(
        select(AsmVersion)
        .where(AsmVersion.asm_id == asm_id)
        .order_by(AsmVersion.vigente_desde, AsmVersion.id)
    ).all()
    cambios: list[Cambio] = []
    antes: dict[str, Any] | None = None
    for v in versiones:
        ahora = registro.campos(v)
        campos = tuple((c, x) for c, x in ahora.items() if antes is None or antes.get(c) != x)
        if campos or antes is None:
            cambios.append(
                Cambio(v.vigente_desde, v.registrado_en, v.origen, campos, antes is None)
            )
        antes = ahora
    avances = list(
        session.scalars(
            select(Avance).where(Avance.asm_id == asm_id).order_by(Avance.periodo, Avance.id)
        )
    )
    revisiones = list(
        session.scalars(
            select(RevisionPlan).where(RevisionPlan.asm_id == asm_id).order_by(RevisionPlan.id)
        )
    )
    evidencias = [
        EvidenciaAsm(
            e.id, nombre_seguro(e.nombre_original, e.tipo_detectado), e.tamano, e.registrado_en
        )
        for e in session.scalars(
            select(Evidencia).where(Evidencia.asm_id == asm_id).order_by(Evidencia.id)
        )
    ]
    return Historial(
        asm_id=asm_id,
        numero=asm.numero,
        programa_clave=asm.programa.clave,
        programa_nombre=asm.programa.nombre,
        actual=registro.campos(vigente),
        cambios=cambios,
        avances=avances,
        revisiones=revisiones,
        evidencias=evidencias,
    )


def historial_de(session: Session, persona: Persona, asm_id: int, hoy: date) -> Historial | None:
    """The history, when the person may see the ASM (bot.servicios.permisos; refusals audited)."""
    return historial(session, asm_id, hoy) if puede_ver_asm(session, persona, asm_id) else None


def leer_evidencia(
    session: Session, persona: Persona, evidencia_id: int, data_dir: Path
) -> tuple[str, bytes | None] | None:
    """(name to serve it under, bytes) of an evidence file the person may see; None when not allowed.

    The bytes are checked against the recorded sha256, so what is sent is what was received;
    a missing or altered file gives no bytes and is written in the audit log (not raised, so
    the log entry is committed).
    """
    ev = session.get(Evidencia, evidencia_id)
    if ev is None or not puede_ver_asm(session, persona, ev.asm_id):
        return None
    ruta = data_dir / ev.ruta
    contenido = ruta.read_bytes() if ruta.is_file() else None
    if contenido is None or hashlib.sha256(contenido).hexdigest() != ev.sha256:
        auditoria.registrar(
            session, f"usuario:{persona.id}", "evidencia_alterada", "asm", ev.asm_id,
            evidencia_id=ev.id, sha256=ev.sha256, falta=contenido is None,
        )  # fmt: skip
        return nombre_seguro(ev.nombre_original, ev.tipo_detectado), None
    # Served under the type detected when it was received, not the name it came with.
    return nombre_seguro(ev.nombre_original, ev.tipo_detectado), contenido
