"""The ASM register: versions and progress are appended, never overwritten.

Every function works inside the caller's session (one unit of work) and writes the audit log.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.servicios import auditoria
from storage.models import Asm, AsmVersion, Avance

# The fields of an ASM that may change over time; each change is a new AsmVersion.
CAMPOS_VERSION = (
    "texto",
    "clasificacion",
    "prioridad",
    "claridad",
    "relevancia",
    "justificacion",
    "factibilidad",
    "area_responsable",
    "actividades",
    "fecha_termino",
    "resultados_esperados",
    "productos_evidencias",
    "observaciones",
    "valoracion",
    "estado_plan",
)


def version_vigente(session: Session, asm_id: int, fecha: date) -> AsmVersion | None:
    """The version in effect on `fecha` (the newest one registered among those that started)."""
    return session.scalar(
        select(AsmVersion)
        .where(AsmVersion.asm_id == asm_id, AsmVersion.vigente_desde <= fecha)
        .order_by(AsmVersion.vigente_desde.desc(), AsmVersion.id.desc())
        .limit(1)
    )


def campos(version: AsmVersion) -> dict[str, Any]:
    return {c: getattr(version, c) for c in CAMPOS_VERSION}


def nueva_version(
    session: Session,
    asm: Asm,
    vigente_desde: date,
    actor: str,
    *,
    origen: str,
    usuario_id: int | None = None,
    **cambios: Any,
) -> AsmVersion | None:
    """Appends a version with `cambios` over the one in effect on `vigente_desde`.

    Returns None, writing nothing, when nothing would change: so repeating an import is harmless.
    """
    desconocidos = set(cambios) - set(CAMPOS_VERSION)
    if desconocidos:
        raise TypeError(f"campos desconocidos: {sorted(desconocidos)}")
    base = version_vigente(session, asm.id, vigente_desde)
    antes = campos(base) if base is not None else {}
    despues = {**antes, **cambios}
    if base is not None and despues == antes:
        return None
    version = AsmVersion(
        asm_id=asm.id,
        vigente_desde=vigente_desde,
        usuario_id=usuario_id,
        origen=origen,
        **despues,
    )
    session.add(version)
    session.flush()
    diferencias = {
        k: [_json(antes.get(k)), _json(v)] for k, v in despues.items() if antes.get(k) != v
    }
    auditoria.registrar(
        session, actor, "version" if base else "crear", "asm", asm.id,
        vigente_desde=vigente_desde.isoformat(), cambios=diferencias,
    )  # fmt: skip
    return version


def avance_vigente(session: Session, asm_id: int, periodo: date) -> Avance | None:
    """The progress reported for `periodo` or, failing that, for the latest month before it."""
    return session.scalar(
        select(Avance)
        .where(Avance.asm_id == asm_id, Avance.periodo <= periodo)
        .order_by(Avance.periodo.desc(), Avance.id.desc())
        .limit(1)
    )


def registrar_avance(
    session: Session,
    asm: Asm,
    periodo: date,
    porcentaje: int,
    actor: str,
    *,
    origen: str,
    observaciones: str = "",
    usuario_id: int | None = None,
    folio: str | None = None,
    clave_borrador: str | None = None,
    registrado_en: datetime | None = None,
) -> Avance:
    """One month's %; `registrado_en` is the bot's clock when given (the column's default is
    the machine's, which the sandbox does not move)."""
    avance = Avance(
        clave_borrador=clave_borrador,
        asm_id=asm.id,
        periodo=periodo,
        porcentaje=porcentaje,
        observaciones=observaciones,
        usuario_id=usuario_id,
        origen=origen,
        folio=folio,
    )
    if registrado_en is not None:
        avance.registrado_en = registrado_en
    session.add(avance)
    session.flush()
    auditoria.registrar(
        session, actor, "avance", "asm", asm.id,
        periodo=periodo.isoformat(), porcentaje=porcentaje, avance_id=avance.id,
    )  # fmt: skip
    return avance


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
