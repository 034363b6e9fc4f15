"""Read the register as of a date: what an Anexo A of a quarter shows (design §4).

Written with window functions over the append-only history, so a consolidated Anexo A of
thousands of ASM is a handful of queries, not one per ASM.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.anexo_a import FilaAnexoA, PlanAnexoA
from bot.calendario import CalendarioHabil
from bot.dominio import Clasificacion, Valoracion
from bot.periodos import Trimestre
from bot.plazos import semaforo
from storage.models import Asm, AsmResponsable, AsmVersion, Avance, Programa


def planes_anexo(
    session: Session,
    trimestre: Trimestre,
    cal: CalendarioHabil,
    hoy: date,
    *,
    programa_clave: str | None = None,
    dependencia_id: int | None = None,
) -> list[PlanAnexoA]:
    """The action plans as they stood at the end of `trimestre` (or today, if it has not ended).

    `programa_clave` keeps one Pp or fondo; `dependencia_id` keeps the ASM that dependencia
    answers for (what an enlace may see). Plans without ASM at that date are left out.
    """
    corte = min(trimestre.fin, hoy)

    version = (
        select(
            AsmVersion,
            func.row_number()
            .over(
                partition_by=AsmVersion.asm_id,
                order_by=(AsmVersion.vigente_desde.desc(), AsmVersion.id.desc()),
            )
            .label("n"),
        )
        .where(AsmVersion.vigente_desde <= corte)
        .subquery()
    )
    avance = (
        select(
            Avance.asm_id,
            Avance.porcentaje,
            Avance.observaciones,
            func.row_number()
            .over(partition_by=Avance.asm_id, order_by=(Avance.periodo.desc(), Avance.id.desc()))
            .label("n"),
        )
        .where(Avance.periodo <= trimestre.ultimo_mes)
        .subquery()
    )
    consulta = (
        select(
            Programa.clave,
            Programa.nombre,
            Asm.numero,
            version.c.texto,
            version.c.clasificacion,
            version.c.area_responsable,
            version.c.actividades,
            version.c.fecha_termino,
            version.c.resultados_esperados,
            version.c.productos_evidencias,
            version.c.observaciones,
            version.c.valoracion,
            avance.c.porcentaje,
            avance.c.observaciones.label("obs_avance"),
        )
        .join(version, and_(version.c.asm_id == Asm.id, version.c.n == 1))
        .join(Programa, Programa.id == Asm.programa_id)
        .outerjoin(avance, and_(avance.c.asm_id == Asm.id, avance.c.n == 1))
        .order_by(Programa.clave, Asm.numero)
    )
    if programa_clave is not None:
        consulta = consulta.where(Programa.clave == programa_clave)
    if dependencia_id is not None:
        consulta = consulta.where(
            Asm.id.in_(
                select(AsmResponsable.asm_id).where(AsmResponsable.dependencia_id == dependencia_id)
            )
        )

    filas: dict[tuple[str, str], list[FilaAnexoA]] = defaultdict(list)
    for r in session.execute(consulta):
        filas[(r.clave, r.nombre)].append(
            FilaAnexoA(
                numero=r.numero,
                asm=r.texto,
                clasificacion=Clasificacion(r.clasificacion),
                area_responsable=r.area_responsable,
                actividades=r.actividades,
                fecha_termino=r.fecha_termino,
                resultados_esperados=r.resultados_esperados,
                productos_evidencias=r.productos_evidencias,
                avance=r.porcentaje,
                observaciones=_observaciones(r.observaciones, r.obs_avance),
                semaforo=semaforo(r.fecha_termino, r.porcentaje, corte, cal),
                valoracion=Valoracion(r.valoracion) if r.valoracion else None,
            )
        )
    return [
        PlanAnexoA(programa_clave=clave, programa_nombre=nombre, trimestre=trimestre, filas=f)
        for (clave, nombre), f in filas.items()
    ]


def _observaciones(del_plan: str, del_avance: str | None) -> str:
    """The plan's observaciones and, when it gave one, the justification of the last avance."""
    partes = [p.strip() for p in (del_plan, del_avance or "") if p and p.strip()]
    return "\n".join(dict.fromkeys(partes))
