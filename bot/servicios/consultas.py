"""Read the register as of a date: what an Anexo A of a quarter shows, and the
current state of each ASM that the bot shows an enlace.

Written with window functions over the append-only history, so a consolidated Anexo A of
thousands of ASM is a handful of queries, not one per ASM.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import Result, Row, ScalarSelect, Select, bindparam, func, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from bot.anexo_a.modelo import FilaAnexoA, PlanAnexoA
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.estado import Situacion, informo_en, por_informar, situacion
from bot.dominio.periodos import Trimestre, primer_dia_del_mes
from bot.dominio.planes import requiere_plan
from bot.dominio.plazos import dias_habiles_restantes, semaforo
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Semaforo, Valoracion
from storage.models import Asm, AsmResponsable, AsmVersion, Avance, Programa


@dataclass(frozen=True)
class EstadoAsm:
    """An ASM as it stands today, for the enlace's lists and the /avance conversation."""

    asm_id: int
    numero: int
    programa_clave: str
    programa_nombre: str
    texto: str
    clasificacion: Clasificacion
    actividades: str
    fecha_termino: date | None
    avance: int | None
    periodo_avance: date | None  # the month the last avance reports
    dias_restantes: int | None  # business days to the fecha de término
    semaforo: Semaforo
    valoracion: Valoracion | None

    estado_plan: EstadoPlan = EstadoPlan.APROBADO

    def reportado_en(self, mes: date) -> bool:
        """Informó este mes (bot.dominio.estado)."""
        return informo_en(self.periodo_avance, mes)

    @property
    def abierto(self) -> bool:
        """Still to be worked on: not at 100 % and without a valoración (Art. 14)."""
        return por_informar(self.valoracion, self.avance)

    @property
    def situacion(self) -> Situacion:
        """Cerrado, vencido, en riesgo or al corriente: the one set of numbers."""
        return situacion(self.valoracion, self.semaforo)

    @property
    def plan_revisado(self) -> bool:
        """IMPLAN approved its plan (Art. 12), or it needs none (Art. 10)."""
        return self.estado_plan is EstadoPlan.APROBADO or not requiere_plan(self.clasificacion)


def _elegidos(por_programa: bool, por_dependencia: bool, por_asm: bool) -> Select[int]:
    """The ids of the ASM asked for, kept to :programa_clave, :dependencia_id and :asm_ids."""
    elegidos = select(Asm.id)
    if por_programa:
        elegidos = elegidos.join(Programa, Programa.id == Asm.programa_id).where(
            Programa.clave == bindparam("programa_clave")
        )
    if por_dependencia:
        elegidos = elegidos.where(
            Asm.id.in_(
                select(AsmResponsable.asm_id).where(
                    AsmResponsable.dependencia_id == bindparam("dependencia_id")
                )
            )
        )
    if por_asm:
        elegidos = elegidos.where(Asm.id.in_(bindparam("asm_ids", expanding=True)))
    return elegidos


# What each row of the state carries from the ASM's version in effect.
DE_LA_VERSION = (
    AsmVersion.texto, AsmVersion.clasificacion, AsmVersion.area_responsable,
    AsmVersion.actividades, AsmVersion.fecha_termino, AsmVersion.resultados_esperados,
    AsmVersion.productos_evidencias, AsmVersion.observaciones, AsmVersion.valoracion,
    AsmVersion.estado_plan,
)  # fmt: skip


def _el_mas_reciente(
    id_: QueryableAttribute[int],
    asm_id: QueryableAttribute[int],
    fecha: QueryableAttribute[date],
    hasta: str,
) -> ScalarSelect[int]:
    """The id of the ASM's newest row up to the bound date `hasta` (the latest id on a tie),
    found by its index (asm_id, date, id)."""
    return (
        select(id_)
        .where(asm_id == Asm.id, fecha <= bindparam(hasta))
        .order_by(fecha.desc(), id_.desc())
        .limit(1)
        .scalar_subquery()
    )


@functools.cache
def _consulta_estado(
    por_programa: bool, por_dependencia: bool, por_asm: bool
) -> Select[tuple[object, ...]]:
    """Each ASM with the version in effect on :corte and its last avance up to :ultimo_mes.

    Built once per shape, with the values as bound parameters: composing it is most of the CPU
    of an enlace's /mis_asm, and the statement never holds any data. First the ASM asked for,
    each with the id of its version and of its last avance, found in their indexes (asm_id,
    date, id): a short lookup per ASM; then those rows, by their keys. A window over the
    history, joined in, was scanned whole once per ASM when SQLite took it for small: an
    enlace's 500 ASM took 31 ms against 4 (bench/consultas.py).
    """
    version = aliased(AsmVersion)
    avance = aliased(Avance)
    ids = select(
        Asm.id,
        Asm.programa_id,
        Asm.numero,
        _el_mas_reciente(version.id, version.asm_id, version.vigente_desde, "corte").label(
            "version_id"
        ),
        _el_mas_reciente(avance.id, avance.asm_id, avance.periodo, "ultimo_mes").label("avance_id"),
    )
    if por_programa or por_dependencia or por_asm:
        ids = ids.where(Asm.id.in_(_elegidos(por_programa, por_dependencia, por_asm)))
    elegidos = ids.subquery()
    consulta = (
        select(
            elegidos.c.id.label("asm_id"),
            Programa.clave,
            Programa.nombre,
            elegidos.c.numero,
            *DE_LA_VERSION,
            Avance.porcentaje,
            Avance.periodo,
            Avance.observaciones.label("obs_avance"),
        )
        .select_from(elegidos)
        .join(AsmVersion, AsmVersion.id == elegidos.c.version_id)
        .join(Programa, Programa.id == elegidos.c.programa_id)
        .outerjoin(Avance, Avance.id == elegidos.c.avance_id)
        .order_by(Programa.clave, elegidos.c.numero)
    )
    # Callers read each row's columns by name.
    return cast("Select[tuple[object, ...]]", consulta)


def _filtros(
    programa_clave: str | None, dependencia_id: int | None, asm_ids: Sequence[int] | None
) -> dict[str, object]:
    """The bound values of the filters asked for (`_elegidos`)."""
    valores: dict[str, object] = {}
    if programa_clave is not None:
        valores["programa_clave"] = programa_clave
    if dependencia_id is not None:
        valores["dependencia_id"] = dependencia_id
    if asm_ids is not None:
        valores["asm_ids"] = list(asm_ids)
    return valores


def _estado(
    session: Session,
    corte: date,
    ultimo_mes: date,
    *,
    programa_clave: str | None = None,
    dependencia_id: int | None = None,
    asm_ids: Sequence[int] | None = None,
    lote: int | None = None,
) -> Result[tuple[object, ...]]:
    """The rows of `_consulta_estado` for these values; `lote` rows at a time if given."""
    consulta = _consulta_estado(
        programa_clave is not None, dependencia_id is not None, asm_ids is not None
    )
    valores: dict[str, object] = {"corte": corte, "ultimo_mes": ultimo_mes}
    valores |= _filtros(programa_clave, dependencia_id, asm_ids)
    opciones = {} if lote is None else {"yield_per": lote}
    return session.execute(consulta, valores, execution_options=opciones)


# Rows read from the database at a time while an Anexo A is written (a server-side cursor on
# PostgreSQL), so that a consolidated file of any size holds one plan in memory, not all.
_FILAS_POR_LOTE = 500


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
    return list(
        planes_anexo_en_flujo(
            session, trimestre, cal, hoy, programa_clave=programa_clave,
            dependencia_id=dependencia_id,
        )
    )  # fmt: skip


def planes_anexo_en_flujo(
    session: Session,
    trimestre: Trimestre,
    cal: CalendarioHabil,
    hoy: date,
    *,
    programa_clave: str | None = None,
    dependencia_id: int | None = None,
) -> Iterator[PlanAnexoA]:
    """`planes_anexo`, one plan at a time as the rows arrive: for writing a file as it reads.

    The session must stay open until the last plan is taken.
    """
    corte = min(trimestre.fin, hoy)
    filas = _estado(
        session,
        corte,
        trimestre.ultimo_mes,
        programa_clave=programa_clave,
        dependencia_id=dependencia_id,
        lote=_FILAS_POR_LOTE,
    )
    # Columns taken by position, found by name once: looking a name up on each Row costs more
    # than the rest of building the row.
    claves = list(filas.keys())
    del_plan = itemgetter(claves.index("clave"), claves.index("nombre"))
    de_la_fila = itemgetter(*(claves.index(c) for c in _COLUMNAS_FILA))
    # Ordered by Pp or fondo, so each plan's rows come together.
    for (clave, nombre), grupo in groupby(filas, key=del_plan):
        yield PlanAnexoA(
            programa_clave=clave,
            programa_nombre=nombre,
            trimestre=trimestre,
            filas=[_fila_anexo(de_la_fila(r), corte, cal) for r in grupo],
        )


# What `_fila_anexo` reads from a row of `_estado`, in this order.
_COLUMNAS_FILA = (
    "numero", "texto", "clasificacion", "area_responsable", "actividades", "fecha_termino",
    "resultados_esperados", "productos_evidencias", "porcentaje", "observaciones", "obs_avance",
    "valoracion",
)  # fmt: skip


def _fila_anexo(valores: tuple[Any, ...], corte: date, cal: CalendarioHabil) -> FilaAnexoA:
    (numero, texto, clasificacion, area, actividades, fecha_termino, resultados, productos,
     porcentaje, observaciones, obs_avance, valoracion) = valores  # fmt: skip
    return FilaAnexoA(
        numero=numero,
        asm=texto,
        clasificacion=Clasificacion(clasificacion),
        area_responsable=area,
        actividades=actividades,
        fecha_termino=fecha_termino,
        resultados_esperados=resultados,
        productos_evidencias=productos,
        avance=porcentaje,
        observaciones=_observaciones(observaciones, obs_avance),
        semaforo=semaforo(fecha_termino, porcentaje, corte, cal),
        valoracion=Valoracion(valoracion) if valoracion else None,
    )


def contar_anexo(
    session: Session,
    trimestre: Trimestre,
    hoy: date,
    *,
    programa_clave: str | None = None,
    dependencia_id: int | None = None,
) -> tuple[int, int]:
    """How many ASM and plans `planes_anexo` would give, without reading them.

    An ASM is in the Anexo A of a quarter when one of its versions was in effect by the cut-off.
    """
    corte = min(trimestre.fin, hoy)
    consulta = select(
        func.count(func.distinct(Asm.id)), func.count(func.distinct(Asm.programa_id))
    ).where(Asm.id.in_(select(AsmVersion.asm_id).where(AsmVersion.vigente_desde <= corte)))
    filtros = _filtros(programa_clave, dependencia_id, None)
    if filtros:
        elegidos = _elegidos(programa_clave is not None, dependencia_id is not None, False)
        consulta = consulta.where(Asm.id.in_(elegidos))
    asm, planes = session.execute(consulta, filtros).one()
    return asm, planes


def estado_actual(
    session: Session,
    hoy: date,
    cal: CalendarioHabil,
    *,
    dependencia_id: int | None = None,
    asm_ids: Sequence[int] | None = None,
) -> list[EstadoAsm]:
    """Each ASM as of today, ordered by Pp or fondo and Núm."""
    filas = _estado(
        session, hoy, primer_dia_del_mes(hoy), dependencia_id=dependencia_id, asm_ids=asm_ids
    )
    return [_estado_asm(r, hoy, cal) for r in filas]


def _estado_asm(r: Row[tuple[object, ...]], hoy: date, cal: CalendarioHabil) -> EstadoAsm:
    return EstadoAsm(
        asm_id=r.asm_id,
        numero=r.numero,
        programa_clave=r.clave,
        programa_nombre=r.nombre,
        texto=r.texto,
        clasificacion=Clasificacion(r.clasificacion),
        actividades=r.actividades,
        fecha_termino=r.fecha_termino,
        avance=r.porcentaje,
        periodo_avance=r.periodo,
        dias_restantes=dias_habiles_restantes(r.fecha_termino, hoy, cal),
        semaforo=semaforo(r.fecha_termino, r.porcentaje, hoy, cal),
        valoracion=Valoracion(r.valoracion) if r.valoracion else None,
        estado_plan=EstadoPlan(r.estado_plan),
    )


def _observaciones(del_plan: str, del_avance: str | None) -> str:
    """The plan's observaciones and, when it gave one, the justification of the last avance."""
    partes = [p.strip() for p in (del_plan, del_avance or "") if p and p.strip()]
    return "\n".join(dict.fromkeys(partes))


def mes_completo(
    session: Session, dependencia_id: int, mes: date, hoy: date, cal: CalendarioHabil
) -> bool:
    """Every open ASM of the dependencia has its avance of `mes` (what /pendientes lists)."""
    return not any(
        a.abierto and not a.reportado_en(mes)
        for a in estado_actual(session, hoy, cal, dependencia_id=dependencia_id)
    )


def pendientes_por_dependencia(session: Session, hoy: date, cal: CalendarioHabil) -> dict[int, int]:
    """For each dependencia, its open ASM not reported this month (what /pendientes lists)."""
    mes = primer_dia_del_mes(hoy)
    pendientes = {
        a.asm_id for a in estado_actual(session, hoy, cal) if a.abierto and not a.reportado_en(mes)
    }
    conteo: dict[int, int] = defaultdict(int)
    for dep_id, asm_id in session.execute(
        select(AsmResponsable.dependencia_id, AsmResponsable.asm_id).distinct()
    ):
        if asm_id in pendientes:
            conteo[dep_id] += 1
    return dict(conteo)
