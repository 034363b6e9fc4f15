"""`asmbot import`: the Anexo A files that dependencias fill, into the register.

A file is imported whole or not at all. Its percentages count as reported in the last month of
the quarter the file is for, so that quarter's Anexo A gives the same figures back, and
importing the same file twice changes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import metricas
from bot.anexo_a.lectura import leer_anexo_a
from bot.anexo_a.modelo import AnexoLeido, FilaLeida, PlanLeido, Problema
from bot.dominio.periodos import Trimestre
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo, dividir_area_responsable, obtener_o_crear_programa
from storage.models import Asm, AsmResponsable, Importacion

log = logging.getLogger(__name__)


class ImportacionFallida(Exception):
    """The file was not imported; `problemas` says why, each with sheet, row and column."""

    def __init__(self, problemas: list[Problema]) -> None:
        super().__init__("; ".join(str(p) for p in problemas))
        self.problemas = problemas


@dataclass
class ResumenImportacion:
    archivo: str
    planes: list[str] = field(default_factory=list)  # «E001 (2025T2)»
    nuevos: int = 0
    modificados: int = 0
    sin_cambios: int = 0
    avances: int = 0
    dependencias_nuevas: list[str] = field(default_factory=list)

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
        return "\n".join(lineas)


def importar_archivo(
    session: Session,
    ruta: Path,
    *,
    programa: str | None = None,
    trimestre: Trimestre | None = None,
    dependencia: str | None = None,
    actor: str = "cli",
) -> ResumenImportacion:
    """Reads and imports one file inside the caller's transaction; raises ImportacionFallida."""
    contenido = ruta.read_bytes()
    leido = leer_anexo_a(ruta, ruta.name)
    return importar_anexo(
        session,
        leido,
        nombre_archivo=ruta.name,
        sha256=hashlib.sha256(contenido).hexdigest(),
        programa=programa,
        trimestre=trimestre,
        dependencia=dependencia,
        actor=actor,
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
) -> ResumenImportacion:
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
                Problema(plan.hoja, None, None, "no indica el trimestre; escríbalo en el "
                         "encabezado (Trimestre y año) o use la opción --trimestre 2025T2.")
            )  # fmt: skip
    if problemas:
        raise ImportacionFallida(problemas)

    resumen = ResumenImportacion(nombre_archivo)
    catalogo = Catalogo(session, actor)
    trimestres: set[str] = set()
    for plan in leido.planes:
        t = plan.trimestre or trimestre
        texto_programa = plan.programa or programa
        assert t is not None and texto_programa is not None  # checked above
        prog = obtener_o_crear_programa(session, texto_programa, actor)
        resumen.planes.append(f"{prog.clave} ({t})")
        dep_plan = plan.dependencia or dependencia
        trimestres.add(str(t))
        for fila in plan.filas:
            _importar_fila(
                session, catalogo, prog.id, fila, t, dep_plan, actor, resumen, plan, problemas
            )
    if problemas:
        raise ImportacionFallida(problemas)  # the caller's transaction rolls everything back
    resumen.dependencias_nuevas = [d.nombre for d in catalogo.nuevas]
    session.add(
        Importacion(
            sha256=sha256,
            nombre_archivo=nombre_archivo,
            trimestre=",".join(sorted(trimestres)),
            actor=actor,
        )
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


def _importar_fila(
    session: Session,
    catalogo: Catalogo,
    programa_id: int,
    fila: FilaLeida,
    t: Trimestre,
    dependencia: str | None,
    actor: str,
    resumen: ResumenImportacion,
    plan: PlanLeido,
    problemas: list[Problema],
) -> None:
    asm = session.scalar(
        select(Asm).where(Asm.programa_id == programa_id, Asm.numero == fila.numero)
    )
    nuevo = asm is None
    if asm is None:
        asm = Asm(programa_id=programa_id, numero=fila.numero)
        session.add(asm)
        session.flush()

    version = registro.nueva_version(
        session,
        asm,
        t.inicio,
        actor,
        origen="importacion",
        texto=fila.asm,
        clasificacion=fila.clasificacion.value,
        area_responsable=fila.area_responsable,
        actividades=fila.actividades,
        fecha_termino=fila.fecha_termino,
        resultados_esperados=fila.resultados_esperados,
        productos_evidencias=fila.productos_evidencias,
        observaciones=fila.observaciones,
    )
    if nuevo:
        resumen.nuevos += 1
    elif version is not None:
        resumen.modificados += 1
    else:
        resumen.sin_cambios += 1

    _fijar_responsables(session, catalogo, asm, fila.area_responsable, dependencia)

    if fila.avance is not None:
        previo = registro.avance_vigente(session, asm.id, t.ultimo_mes)
        if previo is not None and fila.avance < previo.porcentaje and not fila.observaciones:
            # Anexo A (j): a lower percent needs its justification.
            problemas.append(
                Problema(plan.hoja, fila.fila, plan.columnas.get("avance"),
                         f"el % de avance baja de {previo.porcentaje} a {fila.avance} sin "
                         "justificación; escríbala en Observaciones / Justificaciones.")
            )  # fmt: skip
            return
        if previo is None or previo.periodo != t.ultimo_mes or previo.porcentaje != fila.avance:
            registro.registrar_avance(
                session, asm, t.ultimo_mes, fila.avance, actor, origen="importacion"
            )
            resumen.avances += 1


def _fijar_responsables(
    session: Session, catalogo: Catalogo, asm: Asm, area: str, dependencia: str | None
) -> None:
    """The dependencias (and units) named in the Área responsable column answer for the ASM.

    With a dependencia in the header, a line that names no known dependencia is one of its units.
    """
    de_encabezado = catalogo.obtener_o_crear(dependencia) if dependencia else None
    deseados: set[tuple[int, int | None]] = set()
    for r in dividir_area_responsable(area):
        dep = catalogo.buscar(r.dependencia)
        unidad_nombre = r.unidad
        if dep is None and de_encabezado is not None:
            dep, unidad_nombre = de_encabezado, " / ".join(filter(None, [r.dependencia, r.unidad]))
        elif dep is None:
            dep = catalogo.obtener_o_crear(r.dependencia)
        unidad = catalogo.unidad(dep, unidad_nombre) if unidad_nombre else None
        deseados.add((dep.id, unidad.id if unidad else None))
    if not deseados and de_encabezado is not None:
        deseados.add((de_encabezado.id, None))
    actuales = {
        (r.dependencia_id, r.unidad_id)
        for r in session.scalars(select(AsmResponsable).where(AsmResponsable.asm_id == asm.id))
    }
    if not deseados or actuales == deseados:
        return
    # The area's text is kept in every AsmVersion, so replacing the links loses no history.
    session.execute(delete(AsmResponsable).where(AsmResponsable.asm_id == asm.id))
    for dep_id, unidad_id in sorted(deseados, key=lambda x: (x[0], x[1] or 0)):
        session.add(AsmResponsable(asm_id=asm.id, dependencia_id=dep_id, unidad_id=unidad_id))
    session.flush()
