"""`asmbot import` and the chat's import: the Anexo A files that dependencias fill, into the register.

A file is imported whole or not at all, under the bot's own rules: a lower % needs its
justification in the file (Anexo A, j); 100 % without evidence is imported but marked pending
evidence (Art. 14); a fecha de término past the evaluation's fecha límite de atención is refused;
an ASM already valued is not changed. Its percentages count as reported in the last month of the
quarter the file is for, and only when they differ from the one in effect: so the Anexo A written
back and imported again changes nothing and creates no reports.

Every version and avance written records the `Importacion` row (who, which file). After the
changes, the enlaces of each dependencia affected and the Contraloría get a notice through the
outbox, in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from bot import metricas
from bot.anexo_a.aislado import leer_aislado
from bot.anexo_a.lectura import leer_anexo_a
from bot.anexo_a.modelo import AnexoLeido, FilaLeida, PlanLeido, Problema
from bot.dominio.periodos import Trimestre, formato_fecha
from bot.dominio.reglas import admite_sin_evidencia
from bot.dominio.texto import normalizar
from bot.dominio.vocabulario import Rol
from bot.servicios import registro, salida
from bot.servicios.catalogo import Catalogo, dividir_area_responsable, obtener_o_crear_programa
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Auditoria,
    Avance,
    Dependencia,
    Evidencia,
    Importacion,
    Programa,
    Usuario,
    utcnow,
)

# Names that start a unit of a dependencia, never a dependencia of its own.
_UNIDAD = re.compile(r"(unidad|departamento|jefatura|subdireccion|area|oficina|coordinacion de)\b")
_LOTE = 500  # ids per IN (…) query: well under every engine's limit
# A new ASM's version: the fields the file does not give take the model's defaults.
_POR_OMISION: dict[str, Any] = {
    "prioridad": None, "claridad": False, "relevancia": False, "justificacion": False,
    "factibilidad": False, "valoracion": None, "estado_plan": "borrador",
}  # fmt: skip

log = logging.getLogger(__name__)


class ImportacionFallida(Exception):
    """The file was not imported; `problemas` says why, each with sheet, row and column."""

    def __init__(self, problemas: list[Problema]) -> None:
        super().__init__("; ".join(str(p) for p in problemas))
        self.problemas = problemas


@dataclass(frozen=True)
class CambioAsm:
    """One ASM of the file that the import creates or changes."""

    programa: str  # clave
    numero: int
    nuevo: bool
    campos: tuple[str, ...] = ()  # names from registro.CAMPOS_VERSION that change
    avance: tuple[int | None, int] | None = None  # (before, after) when the % changes
    # (campo, antes, después) as text, for the preview; not part of equality in tests.
    detalle: tuple[tuple[str, str, str], ...] = field(default=(), compare=False)
    pendiente_evidencia: bool = field(default=False, compare=False)  # 100 % without evidence
    dependencias: tuple[int, ...] = field(default=(), compare=False)  # who answers for it


@dataclass(frozen=True)
class AvisoImportacion:
    """What one recipient is told after an import: the changes of its dependencia (or all)."""

    archivo: str
    actor: str
    dependencia: str | None  # None: the Contraloría's notice, every change
    cambios: tuple[CambioAsm, ...]


@dataclass
class ResumenImportacion:
    archivo: str
    planes: list[str] = field(default_factory=list)  # «E001 (2025T2)»
    nuevos: int = 0
    modificados: int = 0
    sin_cambios: int = 0
    avances: int = 0
    dependencias_nuevas: list[str] = field(default_factory=list)
    cambios: list[CambioAsm] = field(default_factory=list)
    pendientes_evidencia: list[str] = field(default_factory=list)  # «E003 Núm. 2»
    omitidas: list[str] = field(default_factory=list)  # «Hoja «E003», fila 40: pie de página»
    advertencias: list[str] = field(default_factory=list)
    avisos: int = 0  # notices enqueued
    evaluaciones: list[str] = field(default_factory=list)  # how the ASM were tied to one

    def texto(self) -> str:
        lineas = [
            f"{self.archivo}: {', '.join(self.planes)}",
            f"  ASM nuevos: {self.nuevos} · modificados: {self.modificados} · "
            f"sin cambios: {self.sin_cambios} · avances registrados: {self.avances}",
        ]
        if self.dependencias_nuevas:
            lineas.append(
                "  Dependencias añadidas al catálogo: " + ", ".join(self.dependencias_nuevas)
            )
        if self.pendientes_evidencia:
            lineas.append("  100 % pendiente de evidencia: " + ", ".join(self.pendientes_evidencia))
        for aviso in self.advertencias:
            lineas.append(f"  Aviso: {aviso}")
        if self.omitidas:
            lineas.append(f"  Filas omitidas (no son ASM): {'; '.join(self.omitidas)}")
        return "\n".join(lineas)


def importar_archivo(
    session: Session,
    ruta: Path,
    *,
    programa: str | None = None,
    trimestre: Trimestre | None = None,
    dependencia: str | None = None,
    actor: str = "cli",
    limite_atencion: date | None = None,
    aviso: Callable[[AvisoImportacion], str] | None = None,
    aislado: bool = True,
    **opciones: Any,
) -> ResumenImportacion:
    """Reads (in a worker process with limits, see bot.anexo_a.aislado) and imports one file
    inside the caller's transaction; raises ImportacionFallida. `opciones` go to importar_anexo."""
    contenido = ruta.read_bytes()
    leido = leer_aislado(contenido, ruta.name) if aislado else leer_anexo_a(contenido, ruta.name)
    return importar_anexo(
        session,
        leido,
        nombre_archivo=ruta.name,
        sha256=hashlib.sha256(contenido).hexdigest(),
        programa=programa,
        trimestre=trimestre,
        dependencia=dependencia,
        actor=actor,
        limite_atencion=limite_atencion,
        aviso=aviso,
        **opciones,
    )


def importar_anexo(
    session: Session,
    leido: AnexoLeido,
    *,
    nombre_archivo: str,
    sha256: str,
    programa: str | None = None,
    trimestre: Trimestre | None = None,
    dependencia: str | None = None,
    actor: str = "cli",
    limite_atencion: date | None = None,
    aviso: Callable[[AvisoImportacion], str] | None = None,
    ahora: datetime | None = None,
) -> ResumenImportacion:
    """The import of a file already read. `programa`, `trimestre` and `dependencia` apply only
    to sheets that do not say them; `limite_atencion` is the evaluation's fecha límite de
    atención, when known; `aviso` writes the notice each recipient gets (none without it)."""
    inicio = time.monotonic()
    problemas = list(leido.problemas)
    for plan in leido.planes:
        if not (plan.programa or programa):
            problemas.append(
                Problema(plan.hoja, None, None, "no indica el Programa presupuestario / Fondo; "
                         "escríbalo en el encabezado o use la opción --pp.")
            )  # fmt: skip
        if not (plan.trimestre or trimestre):
            problemas.append(
                plan.trimestre_ilegible
                or Problema(plan.hoja, None, None, "no indica el trimestre; escríbalo en el "
                            "encabezado (Trimestre y año) o use la opción --trimestre 2025T2.")
            )  # fmt: skip
    if problemas:
        raise ImportacionFallida(problemas)

    resumen = ResumenImportacion(nombre_archivo)
    resumen.advertencias = [str(a) for a in leido.advertencias]
    catalogo = Catalogo(session, actor)
    programas: dict[str, Programa] = {}
    destinos: list[tuple[PlanLeido, Programa, Trimestre]] = []
    for plan in leido.planes:
        texto_programa = plan.programa or programa
        t = plan.trimestre or trimestre
        assert texto_programa is not None and t is not None  # checked above
        if texto_programa not in programas:
            programas[texto_programa] = obtener_o_crear_programa(session, texto_programa, actor)
        destinos.append((plan, programas[texto_programa], t))
        resumen.omitidas += [
            f"Hoja «{plan.hoja}», fila {o.fila}: {o.motivo}" for o in plan.omitidas
        ]
    problemas += _hojas_que_chocan(destinos)
    if problemas:
        raise ImportacionFallida(problemas)

    importacion = Importacion(
        sha256=sha256,
        nombre_archivo=nombre_archivo[:300],
        trimestre=",".join(sorted({str(t) for _, _, t in destinos}))[:10],
        actor=actor,
    )
    session.add(importacion)
    session.flush()
    contexto = _Contexto(
        session, catalogo, actor, importacion.id, _usuario_de(actor), limite_atencion, resumen
    )
    for plan, prog, t in destinos:
        resumen.planes.append(f"{prog.clave} ({t})")
        _importar_plan(contexto, plan, prog, t, plan.dependencia or dependencia, problemas)
    if problemas:
        raise ImportacionFallida(problemas)  # the caller's transaction rolls everything back
    session.flush()
    resumen.dependencias_nuevas = [d.nombre for d in catalogo.nuevas]
    resumen.cambios.sort(key=lambda c: (c.programa, c.numero))
    if aviso is not None and resumen.cambios:
        resumen.avisos = _avisar(
            session, importacion, resumen.cambios, aviso, ahora or datetime.now(UTC)
        )
    segundos = time.monotonic() - inicio
    metricas.IMPORTACION.observe(segundos)
    # Ids and counts only: file names may carry a person's name.
    log.info(
        "importación: %s; %d ASM nuevos, %d modificados, %d sin cambios (%.1f s)",
        ", ".join(resumen.planes),
        resumen.nuevos,
        resumen.modificados,
        resumen.sin_cambios,
        segundos,
    )
    return resumen


def _usuario_de(actor: str) -> int | None:
    """`usuario:12` → 12: the person who imported, for the usuario_id of each row."""
    tipo, _, numero = actor.partition(":")
    return int(numero) if tipo == "usuario" and numero.isdigit() else None


def _hojas_que_chocan(destinos: list[tuple[PlanLeido, Programa, Trimestre]]) -> list[Problema]:
    """Two sheets that land on the same Pp and Núm. with different ASM: a sheet copied with its
    header unchanged. Importing both would silently replace the first one's ASM."""
    vistos: dict[tuple[int, int], tuple[PlanLeido, FilaLeida]] = {}
    problemas = []
    for plan, prog, _t in destinos:
        for fila in plan.filas:
            clave = (prog.id, fila.numero)
            previo = vistos.get(clave)
            if previo is None:
                vistos[clave] = (plan, fila)
                continue
            otro_plan, otra = previo
            if otro_plan is not plan and normalizar(otra.asm) != normalizar(fila.asm):
                problemas.append(
                    Problema(plan.hoja, fila.fila, plan.columnas.get("numero"),
                             f"el Núm. {fila.numero} del Pp {prog.clave} también está en la hoja "
                             f"«{otro_plan.hoja}» (fila {otra.fila}) con otro ASM; si copió la "
                             "hoja, escriba en su encabezado el Pp que le corresponde.")
                )  # fmt: skip
    return problemas


@dataclass
class _Contexto:
    session: Session
    catalogo: Catalogo
    actor: str
    importacion_id: int
    usuario_id: int | None
    limite_atencion: date | None
    resumen: ResumenImportacion
    responsables: dict[tuple[str, str | None], list[tuple[Dependencia, str | None]]] = field(
        default_factory=dict
    )
    # Rows to insert, written with one executemany per table and sheet (the ORM's unit of work
    # costs more than the rest of the import together).
    versiones: list[dict[str, Any]] = field(default_factory=list)
    avances: list[dict[str, Any]] = field(default_factory=list)
    auditoria: list[dict[str, Any]] = field(default_factory=list)
    enlaces: list[dict[str, Any]] = field(default_factory=list)
    sin_enlaces: list[int] = field(default_factory=list)  # ASM whose responsables are replaced

    def auditar(self, accion: str, asm_id: int, **detalle: Any) -> None:
        self.auditoria.append(
            {"cuando": utcnow(), "actor": self.actor, "accion": accion, "objeto": "asm",
             "objeto_id": asm_id, "detalle": detalle}
        )  # fmt: skip

    def escribir(self) -> None:
        s = self.session
        for asm_id in self.sin_enlaces:
            s.execute(delete(AsmResponsable).where(AsmResponsable.asm_id == asm_id))
        for modelo, filas in (
            (AsmVersion, self.versiones),
            (Avance, self.avances),
            (AsmResponsable, self.enlaces),
            (Auditoria, self.auditoria),
        ):
            if filas:
                s.execute(insert(modelo), filas)
            filas.clear()
        self.sin_enlaces.clear()


def _por_lotes(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _LOTE):
        yield ids[i : i + _LOTE]


def _importar_plan(
    c: _Contexto,
    plan: PlanLeido,
    prog: Programa,
    t: Trimestre,
    dependencia: str | None,
    problemas: list[Problema],
) -> None:
    """One sheet: what exists is read in a few queries, what changes is written in one flush."""
    s = c.session
    asms: dict[int, int] = dict(
        (n, i) for n, i in s.execute(select(Asm.numero, Asm.id).where(Asm.programa_id == prog.id))
    )
    existentes = set(asms)
    nuevos = [
        {"programa_id": prog.id, "numero": f.numero, "creado_en": utcnow()}
        for f in plan.filas
        if f.numero not in asms
    ]
    if nuevos:
        s.execute(insert(Asm), nuevos)
        asms = dict(
            (n, i)
            for n, i in s.execute(select(Asm.numero, Asm.id).where(Asm.programa_id == prog.id))
        )
    ids = [asms[f.numero] for f in plan.filas]
    versiones: dict[int, AsmVersion] = {}
    avances: dict[int, Avance] = {}
    actuales: dict[int, set[tuple[int, int | None]]] = {}
    evidencias: dict[int, int] = {}
    for lote in _por_lotes(ids):
        # Ordered so the last one seen per ASM is the one in effect (as registro.version_vigente).
        for v in s.scalars(
            select(AsmVersion)
            .where(AsmVersion.asm_id.in_(lote), AsmVersion.vigente_desde <= t.inicio)
            .order_by(AsmVersion.asm_id, AsmVersion.vigente_desde, AsmVersion.id)
        ):
            versiones[v.asm_id] = v
        for a in s.scalars(
            select(Avance)
            .where(Avance.asm_id.in_(lote), Avance.periodo <= t.ultimo_mes)
            .order_by(Avance.asm_id, Avance.periodo, Avance.id)
        ):
            avances[a.asm_id] = a
        for r in s.scalars(select(AsmResponsable).where(AsmResponsable.asm_id.in_(lote))):
            actuales.setdefault(r.asm_id, set()).add((r.dependencia_id, r.unidad_id))
        for asm_id, n in s.execute(
            select(Evidencia.asm_id, func.count())
            .where(Evidencia.asm_id.in_(lote))
            .group_by(Evidencia.asm_id)
        ):
            evidencias[asm_id] = n

    de_encabezado = c.catalogo.obtener_o_crear(dependencia) if dependencia else None
    for fila in plan.filas:
        asm_id = asms[fila.numero]
        _importar_fila(
            c, plan, prog, t, fila, asm_id, fila.numero not in existentes,
            versiones.get(asm_id), avances.get(asm_id), actuales.get(asm_id, set()),
            evidencias.get(asm_id, 0), de_encabezado, problemas,
        )  # fmt: skip
    if not problemas:
        c.escribir()


def _importar_fila(
    c: _Contexto,
    plan: PlanLeido,
    prog: Programa,
    t: Trimestre,
    fila: FilaLeida,
    asm_id: int,
    nuevo: bool,
    base: AsmVersion | None,
    previo: Avance | None,
    actuales: set[tuple[int, int | None]],
    evidencias: int,
    de_encabezado: Dependencia | None,
    problemas: list[Problema],
) -> None:
    resumen = c.resumen

    def problema(campo: str | None, mensaje: str) -> None:
        problemas.append(
            Problema(plan.hoja, fila.fila, plan.columnas.get(campo) if campo else None, mensaje)
        )

    del_archivo: dict[str, Any] = {
        "texto": fila.asm,
        "clasificacion": fila.clasificacion.value,
        "area_responsable": fila.area_responsable,
        "actividades": fila.actividades,
        "fecha_termino": fila.fecha_termino,
        "resultados_esperados": fila.resultados_esperados,
        "productos_evidencias": fila.productos_evidencias,
        "observaciones": fila.observaciones,
    }
    antes = registro.campos(base) if base is not None else {}
    despues = {**antes, **del_archivo}
    cambian = tuple(c_ for c_ in registro.CAMPOS_VERSION if antes.get(c_) != despues.get(c_))
    if base is None:
        cambian = tuple(c_ for c_ in del_archivo if del_archivo[c_] not in (None, ""))
    cambia_avance = fila.avance is not None and (previo is None or previo.porcentaje != fila.avance)
    if base is not None and (cambian or cambia_avance) and base.valoracion:
        # A valued ASM is closed (Art. 15): its plan and % stay as they were valued.
        problema(None, f"el ASM Núm. {fila.numero} de {prog.clave} ya fue valorado "
                       f"({base.valoracion}); no se puede cambiar con una importación. Deje la "
                       "fila como está o quítela del archivo.")  # fmt: skip
        return
    if (
        c.limite_atencion is not None
        and fila.fecha_termino is not None
        and fila.fecha_termino > c.limite_atencion
    ):
        problema("fecha", f"la fecha de término {formato_fecha(fila.fecha_termino)} es posterior "
                          "a la fecha límite de atención de la evaluación "
                          f"({formato_fecha(c.limite_atencion)}); escriba una fecha anterior.")  # fmt: skip
    if (
        cambia_avance
        and previo is not None
        and fila.avance is not None
        and fila.avance < previo.porcentaje
        and not fila.observaciones.strip()
    ):
        # Anexo A (j): a lower percent needs its justification.
        problema("avance", f"el % de avance baja de {previo.porcentaje} a {fila.avance} sin "
                           "justificación; escríbala en Observaciones / Justificaciones.")  # fmt: skip
        return

    if base is None or cambian:
        c.versiones.append(
            {
                **_POR_OMISION,
                **despues,
                "asm_id": asm_id,
                "vigente_desde": t.inicio,
                "usuario_id": c.usuario_id,
                "origen": "importacion",
                "importacion_id": c.importacion_id,
                "registrado_en": utcnow(),
            }
        )
        c.auditar(
            "version" if base is not None else "crear", asm_id,
            vigente_desde=t.inicio.isoformat(), importacion_id=c.importacion_id,
            cambios={k: [_json(antes.get(k)), _json(despues.get(k))] for k in cambian},
        )  # fmt: skip
    if nuevo:
        resumen.nuevos += 1
    elif cambian:
        resumen.modificados += 1
    else:
        resumen.sin_cambios += 1

    dependencias = _fijar_responsables(c, asm_id, fila, de_encabezado, actuales, problema)

    pendiente = False
    if cambia_avance and fila.avance is not None:
        c.avances.append(
            {
                "asm_id": asm_id,
                "periodo": t.ultimo_mes,
                "porcentaje": fila.avance,
                "observaciones": "",
                "folio": None,
                "usuario_id": c.usuario_id,
                "origen": "importacion",
                "importacion_id": c.importacion_id,
                "registrado_en": utcnow(),
            }
        )
        c.auditar(
            "avance", asm_id, periodo=t.ultimo_mes.isoformat(), porcentaje=fila.avance,
            importacion_id=c.importacion_id,
        )  # fmt: skip
        resumen.avances += 1
        # Art. 14: 100 % must be proven; the import takes it, the evidence is still owed.
        pendiente = evidencias == 0 and not admite_sin_evidencia(fila.avance)
        if pendiente:
            resumen.pendientes_evidencia.append(f"{prog.clave} Núm. {fila.numero}")

    if nuevo or cambian or cambia_avance:
        resumen.cambios.append(
            CambioAsm(
                prog.clave,
                fila.numero,
                nuevo=nuevo,
                campos=() if nuevo else cambian,
                avance=(previo.porcentaje if previo else None, fila.avance)
                if cambia_avance and fila.avance is not None
                else None,
                detalle=tuple(
                    (campo, _mostrar(antes.get(campo)), _mostrar(despues.get(campo)))
                    for campo in cambian
                ),
                pendiente_evidencia=pendiente,
                dependencias=dependencias,
            )
        )


def _fijar_responsables(
    c: _Contexto,
    asm_id: int,
    fila: FilaLeida,
    de_encabezado: Dependencia | None,
    actuales: set[tuple[int, int | None]],
    problema: Callable[[str | None, str], None],
) -> tuple[int, ...]:
    """The dependencias (and units) named in the Área responsable column answer for the ASM;
    returns their ids (before and after, so both are told of a change).

    With a dependencia in the header, a line that names no known dependencia is one of its
    units. Without one, a known dependencia named inside the line is looked for; a unit
    («Unidad Jurídica») alone is a problem, never a new dependencia.
    """
    clave = (fila.area_responsable, de_encabezado.nombre if de_encabezado else None)
    resueltos = c.responsables.get(clave)
    if resueltos is None:
        resueltos = []
        for r in dividir_area_responsable(fila.area_responsable):
            dep = c.catalogo.buscar(r.dependencia)
            unidad_nombre = r.unidad
            if dep is None:
                hallada = c.catalogo.buscar_en(r.dependencia)
                if hallada is not None:
                    dep, unidad_nombre = hallada
                    unidad_nombre = " / ".join(filter(None, [unidad_nombre, r.unidad])) or None
            if dep is None and de_encabezado is not None:
                dep = de_encabezado
                unidad_nombre = " / ".join(filter(None, [r.dependencia, r.unidad]))
            elif dep is None and _UNIDAD.match(normalizar(r.dependencia)):
                problema("area", f"«{r.dependencia}» es una unidad administrativa, no una "
                                 "dependencia; escriba también su dependencia (p. ej. «Tesorería "
                                 f"Municipal / {r.dependencia}») o indíquela en el encabezado.")  # fmt: skip
                continue
            elif dep is None:
                dep = c.catalogo.obtener_o_crear(r.dependencia)
            resueltos.append((dep, unidad_nombre))
        c.responsables[clave] = resueltos
    deseados: set[tuple[int, int | None]] = set()
    for dep, unidad_nombre in resueltos:
        unidad = c.catalogo.unidad(dep, unidad_nombre) if unidad_nombre else None
        deseados.add((dep.id, unidad.id if unidad else None))
    if not deseados and de_encabezado is not None:
        deseados.add((de_encabezado.id, None))
    todos = tuple(sorted({d for d, _ in deseados | actuales}))
    if not deseados or actuales == deseados:
        return todos
    # The area's text is kept in every AsmVersion, so replacing the links loses no history.
    if actuales:
        c.sin_enlaces.append(asm_id)
    for dep_id, unidad_id in sorted(deseados, key=lambda x: (x[0], x[1] or 0)):
        c.enlaces.append({"asm_id": asm_id, "dependencia_id": dep_id, "unidad_id": unidad_id})
    return todos


def _avisar(
    session: Session,
    importacion: Importacion,
    cambios: list[CambioAsm],
    aviso: Callable[[AvisoImportacion], str],
    ahora: datetime,
) -> int:
    """The enlaces of each dependencia affected get its changes; the Contraloría, all of them."""
    por_dependencia: dict[int, list[CambioAsm]] = {}
    for cambio in cambios:
        for dep_id in cambio.dependencias:
            por_dependencia.setdefault(dep_id, []).append(cambio)
    enviados = 0
    activos = select(Usuario).where(Usuario.activo.is_(True))
    for dep_id, suyos in sorted(por_dependencia.items()):
        dep = session.get(Dependencia, dep_id)
        enlaces = session.scalars(
            activos.where(Usuario.rol == Rol.ENLACE.value, Usuario.dependencia_id == dep_id)
        ).all()
        if dep is None or not enlaces:
            continue
        texto = aviso(
            AvisoImportacion(
                importacion.nombre_archivo, importacion.actor, dep.nombre, tuple(suyos)
            )
        )
        enviados += salida.avisar(
            session, [(u.id, u.telegram_id) for u in enlaces], "importacion",
            f"{importacion.id}:d{dep_id}", texto, ahora,
        )  # fmt: skip
    contraloria = session.scalars(activos.where(Usuario.rol == Rol.CONTRALORIA.value)).all()
    if contraloria:
        texto = aviso(
            AvisoImportacion(importacion.nombre_archivo, importacion.actor, None, tuple(cambios))
        )
        enviados += salida.avisar(
            session, [(u.id, u.telegram_id) for u in contraloria], "importacion",
            f"{importacion.id}:todo", texto, ahora,
        )  # fmt: skip
    return enviados


def _mostrar(valor: object) -> str:
    if valor is None or valor == "":
        return "—"
    if isinstance(valor, date):
        return formato_fecha(valor)
    return str(valor)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
