"""`asmbot publicar`: the action plans of a fiscal year for the municipality's web site (Art. 15).

Per Pp or fondo an .xlsx and a PDF (the Anexo A) and an accessible static HTML page, an index page, and
one CSV of every ASM. Only what the Anexo A shows goes out: no Telegram ids, no names of enlaces
or users, no folios (they tie a report to a person).

Which ASM belong to a fiscal year: those whose evaluation is of that `ejercicio`; an ASM without
an evaluation belongs to the year its first version took effect (when it was loaded or found).
The state shown is the one at the end of the year, or today while the year runs; since the ASM of
an evaluation of one year are often loaded the next, the cut-off may be moved to a later quarter.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.modelo import COLUMNAS, TITULO, Encabezado, FilaAnexoA, PlanAnexoA
from bot.anexo_a.pdf import escribir_anexo_a_pdf
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.dominio.planes import requiere_plan
from bot.dominio.texto import por_ciento
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Valoracion
from bot.servicios.consultas import planes_anexo
from bot.servicios.respaldo import Progreso, sin_progreso
from storage.models import Asm, AsmVersion, Evaluacion, Programa

COLUMNAS_PUBLICACION = ("Estado del plan", "Valoración", "Fecha de valoración")
COLUMNAS_CSV: tuple[str, ...] = (
    "Clave", "Programa presupuestario / Fondo", *COLUMNAS, *COLUMNAS_PUBLICACION,
)  # fmt: skip

# Leading characters that make Excel read a CSV value as a formula (CSV injection).
_INICIO_DE_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NO_VALIDO_EN_ARCHIVO = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Detalle:
    """What the web page adds to an ASM's Anexo A row: whether IMPLAN reviewed its plan, and
    its valoración (Art. 14) with the day it was made."""

    estado_plan: str  # as the public reads it
    valoracion: str = ""
    fecha_valoracion: date | None = None


@dataclass(frozen=True)
class Publicacion:
    ejercicio: int
    corte: date  # the date whose state is shown
    planes: Sequence[PlanAnexoA]
    # ASM of the year that did not exist yet at the cut-off (e.g. loaded the next year).
    posteriores: int = 0
    # (clave, Núm.) → the plan's review and the valoración; rows without one show nothing.
    detalles: Mapping[tuple[str, int], Detalle] = field(default_factory=dict)
    # ASM of the year whose plan was never sent, or came back with observations: not published.
    sin_enviar: int = 0


# Art. 15 publishes the action plans: those sent to IMPLAN, reviewed or not. Drafts and plans
# returned with observations are the dependencia's work in progress.
_PUBLICABLES = {
    EstadoPlan.APROBADO.value: "Revisado por el IMPLAN",
    EstadoPlan.ENVIADO.value: "Enviado; en revisión del IMPLAN",
}
_SIN_PLAN = "No requiere plan de acción (artículo 10)"


@dataclass(frozen=True)
class ArchivoPlan:
    plan: PlanAnexoA
    base: str  # file name without extension, safe on every file system and in a URL


def trimestre_de_corte(ejercicio: int, hoy: date) -> Trimestre:
    """The last quarter of the year, or the current one while the year runs."""
    if ejercicio > hoy.year:
        raise ValueError(
            f"El ejercicio {ejercicio} aún no empieza; indique uno pasado o el actual."
        )
    return Trimestre(ejercicio, 4) if ejercicio < hoy.year else Trimestre.de_fecha(hoy)


def planes_del_ejercicio(
    session: Session,
    ejercicio: int,
    cal: CalendarioHabil,
    hoy: date,
    trimestre: Trimestre | None = None,
) -> Publicacion:
    """The action plans with the ASM of `ejercicio`, as they stood at the end of that year.

    `trimestre` moves the cut-off: ASM of an evaluation of one year are often loaded the next.
    """
    if trimestre is None:
        trimestre = trimestre_de_corte(ejercicio, hoy)
    elif trimestre > Trimestre.de_fecha(hoy):
        raise ValueError(
            f"El trimestre {trimestre} aún no empieza; indique uno pasado o el actual."
        )
    inicio = (
        select(AsmVersion.asm_id, func.min(AsmVersion.vigente_desde).label("desde"))
        .group_by(AsmVersion.asm_id)
        .subquery()
    )
    del_ejercicio = {
        (clave, numero)
        for clave, numero in session.execute(
            select(Programa.clave, Asm.numero)
            .join(Programa, Programa.id == Asm.programa_id)
            .join(inicio, inicio.c.asm_id == Asm.id)
            .outerjoin(Evaluacion, Evaluacion.id == Asm.evaluacion_id)
            .where(
                or_(
                    Evaluacion.ejercicio_evaluado == ejercicio,
                    and_(
                        Asm.evaluacion_id.is_(None),
                        inicio.c.desde >= date(ejercicio, 1, 1),
                        inicio.c.desde <= date(ejercicio, 12, 31),
                    ),
                )
            )
        )
    }
    corte = min(trimestre.fin, hoy)
    detalles = _detalles(session, corte)
    planes = []
    sin_enviar = 0
    for plan in planes_anexo(session, trimestre, cal, hoy):
        filas = []
        for f in plan.filas:
            clave = (plan.programa_clave, f.numero)
            if clave not in del_ejercicio:
                continue
            if clave in detalles:
                filas.append(f)
            else:
                sin_enviar += 1
        if filas:
            planes.append(
                PlanAnexoA(plan.programa_clave, plan.programa_nombre, plan.trimestre, filas)
            )
    publicados = sum(len(p.filas) for p in planes)
    return Publicacion(
        ejercicio, corte, planes, len(del_ejercicio) - publicados - sin_enviar, detalles,
        sin_enviar,
    )  # fmt: skip


def _detalles(session: Session, corte: date) -> dict[tuple[str, int], Detalle]:
    """The publishable ASM as of `corte`, with their review state and valoración.

    The valoración's date is the day of the version that set it (the same day the coordinador
    recorded it, or the day an import or the demo loaded it).
    """
    filas = session.execute(
        select(
            Programa.clave,
            Asm.numero,
            AsmVersion.asm_id,
            AsmVersion.vigente_desde,
            AsmVersion.estado_plan,
            AsmVersion.clasificacion,
            AsmVersion.valoracion,
        )
        .join(Asm, Asm.id == AsmVersion.asm_id)
        .join(Programa, Programa.id == Asm.programa_id)
        .where(AsmVersion.vigente_desde <= corte)
        .order_by(AsmVersion.asm_id, AsmVersion.vigente_desde, AsmVersion.id)
    )
    ultimo: dict[tuple[str, int], tuple[str, str, str | None, date | None]] = {}
    for clave, numero, _, desde, estado_plan, clasificacion, valoracion in filas:
        previo = ultimo.get((clave, numero))
        desde_valoracion: date | None = desde if valoracion else None
        if previo is not None and valoracion and previo[2] == valoracion:
            desde_valoracion = previo[3]  # the same valoración since an earlier version
        ultimo[(clave, numero)] = (estado_plan, clasificacion, valoracion, desde_valoracion)
    detalles = {}
    for llave, (estado_plan, clasificacion, valoracion, valorado_el) in ultimo.items():
        if not requiere_plan(Clasificacion(clasificacion)):
            estado = _SIN_PLAN
        elif estado_plan in _PUBLICABLES:
            estado = _PUBLICABLES[estado_plan]
        else:
            continue
        etiqueta = Valoracion(valoracion).etiqueta if valoracion else ""
        detalles[llave] = Detalle(estado, etiqueta, valorado_el)
    return detalles


def publicar(
    carpeta: Path,
    publicacion: Publicacion,
    encabezado: Encabezado,
    progreso: Progreso = sin_progreso,
) -> list[Path]:
    """Write every file into `carpeta` and return their paths (index first)."""
    carpeta.mkdir(parents=True, exist_ok=True)
    archivos = _nombres(publicacion.planes)
    escritos = []
    with progreso("Escribiendo planes", len(archivos)) as avanzar:
        for a in archivos:
            xlsx = carpeta / f"{a.base}.xlsx"
            escribir_anexo_a(xlsx, [a.plan], encabezado, consolidado=False)
            html = carpeta / f"{a.base}.html"
            html.write_text(
                pagina_plan(a.plan, encabezado, publicacion.corte, publicacion.detalles),
                encoding="utf-8",
            )
            pdf = carpeta / f"{a.base}.pdf"
            escribir_anexo_a_pdf(pdf, [a.plan], encabezado, publicacion.corte, estado_al=True)
            escritos += [html, xlsx, pdf]
            avanzar(1)
    csv_ruta = carpeta / nombre_csv(publicacion.ejercicio)
    escribir_csv(csv_ruta, publicacion.planes, publicacion.detalles)
    indice = carpeta / "index.html"
    indice.write_text(pagina_indice(publicacion, archivos, encabezado), encoding="utf-8")
    return [indice, csv_ruta, *escritos]


def nombre_csv(ejercicio: int) -> str:
    return f"asm_{ejercicio}.csv"


def _nombres(planes: Sequence[PlanAnexoA]) -> list[ArchivoPlan]:
    """A file name per plan from its clave; distinct even when two claves differ only in case."""
    usados: set[str] = set()
    archivos = []
    for plan in planes:
        base = _NO_VALIDO_EN_ARCHIVO.sub("_", plan.programa_clave).strip("._") or "plan"
        nombre, n = base, 2
        while nombre.lower() in usados:
            nombre, n = f"{base}_{n}", n + 1
        usados.add(nombre.lower())
        archivos.append(ArchivoPlan(plan, nombre))
    return archivos


# --- What each cell says, the same on the page and in the CSV ---


def fecha(d: date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def celdas(f: FilaAnexoA) -> tuple[str, ...]:
    """The ten Anexo A columns as text; avance as “45 %”."""
    return (
        str(f.numero),
        f.asm,
        f.clasificacion.etiqueta,
        f.area_responsable,
        f.actividades,
        fecha(f.fecha_termino),
        f.resultados_esperados,
        f.productos_evidencias,
        "" if f.avance is None else por_ciento(f.avance),
        f.observaciones,
    )


def celdas_publicacion(
    plan: PlanAnexoA, f: FilaAnexoA, detalles: Mapping[tuple[str, int], Detalle]
) -> tuple[str, str, str]:
    d = detalles.get((plan.programa_clave, f.numero))
    if d is None:
        return ("", "", "")
    return (d.estado_plan, d.valoracion, fecha(d.fecha_valoracion))


def escribir_csv(
    ruta: Path,
    planes: Sequence[PlanAnexoA],
    detalles: Mapping[tuple[str, int], Detalle] | None = None,
) -> None:
    """UTF-8 with BOM, so that Excel shows accents right; one row per ASM."""
    detalles = detalles or {}
    with ruta.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNAS_CSV)
        for plan in planes:
            for fila in plan.filas:
                valores = list(celdas(fila))
                # A bare number, so that the column adds up in a spreadsheet.
                valores[8] = "" if fila.avance is None else str(fila.avance)
                extra = celdas_publicacion(plan, fila, detalles)
                w.writerow(
                    _sin_formula(v)
                    for v in (plan.programa_clave, plan.programa_nombre, *valores, *extra)
                )


def _sin_formula(valor: str) -> str:
    """Typed text that Excel would run as a formula gets a leading apostrophe, as Excel does."""
    return "'" + valor if valor.startswith(_INICIO_DE_FORMULA) else valor


# --- HTML: plain, accessible, self-contained (no scripts, no external resources) ---

_ESTILO = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  margin: 1.5rem; color: #1a1a1a; background: #fff; line-height: 1.4; }
header p { margin: 0; }
h1 { font-size: 1.4rem; margin: 0.8rem 0; }
.tabla { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
caption { text-align: left; font-weight: bold; padding: 0.5rem 0; }
th, td { border: 1px solid #767676; padding: 0.4rem; vertical-align: top; text-align: left;
  white-space: pre-line; }
thead th { background: #1f3864; color: #fff; }
tbody tr:nth-child(even) { background: #f2f2f2; }
.num { text-align: center; white-space: nowrap; }
a { color: #0b4f9c; }
a:focus { outline: 3px solid #f5a623; }
footer { margin-top: 1rem; font-size: 0.85rem; }
@media print { @page { size: landscape; } .tabla { overflow: visible; } }
"""

_CENTRADAS = {0, 5, 8, 12}  # Núm., Fecha de Término, % de avance, Fecha de valoración


def _pagina(titulo: str, encabezado: Encabezado, cuerpo: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="es">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(titulo)}</title>\n<style>{_ESTILO}</style>\n</head>\n<body>\n"
        f"<header>\n<p>{escape(encabezado.municipio)}</p>\n<p>{escape(encabezado.instituto)}</p>\n"
        f"</header>\n<main>\n{cuerpo}</main>\n</body>\n</html>\n"
    )


def pagina_plan(
    plan: PlanAnexoA,
    encabezado: Encabezado,
    corte: date,
    detalles: Mapping[tuple[str, int], Detalle] | None = None,
) -> str:
    detalles = detalles or {}
    encabezados = "".join(
        f'<th scope="col">{escape(c)}</th>' for c in (*COLUMNAS, *COLUMNAS_PUBLICACION)
    )
    filas = []
    for f in plan.filas:
        valores = celdas(f)
        if f.avance is None:
            valores = (*valores[:8], "Sin reporte", valores[9])
        valores = (*valores, *celdas_publicacion(plan, f, detalles))
        tds = [f'<th scope="row" class="num">{escape(valores[0])}</th>']
        for i, v in enumerate(valores[1:], 1):
            clase = ' class="num"' if i in _CENTRADAS else ""
            tds.append(f"<td{clase}>{escape(v)}</td>")
        filas.append(f"<tr>{''.join(tds)}</tr>")
    cuerpo = (
        f"<h1>{escape(TITULO)}</h1>\n"
        f"<p><strong>Programa presupuestario / Fondo:</strong> {escape(plan.programa)}</p>\n"
        f"<p><strong>Trimestre y año:</strong> {escape(plan.trimestre.etiqueta)}</p>\n"
        # A scrollable region must be reachable and named for keyboard and screen reader users.
        f'<div class="tabla" role="region" aria-label="{escape(TITULO)}" tabindex="0">\n'
        f"<table>\n<caption>ASM de {escape(plan.programa)} al {fecha(corte)}</caption>\n"
        f"<thead><tr>{encabezados}</tr></thead>\n"
        f"<tbody>\n{chr(10).join(filas)}\n</tbody>\n</table>\n</div>\n"
        f"<footer><p>Estado al {fecha(corte)}. "
        '<a href="index.html">Volver a la lista de planes de acción</a></p></footer>\n'
    )
    return _pagina(f"{TITULO}: {plan.programa}", encabezado, cuerpo)


def pagina_indice(
    publicacion: Publicacion, archivos: Sequence[ArchivoPlan], encabezado: Encabezado
) -> str:
    titulo = f"Planes de acción de los ASM, ejercicio {publicacion.ejercicio}"
    filas = []
    for a in archivos:
        href = quote(a.base)
        filas.append(
            "<tr>"
            f'<th scope="row">{escape(a.plan.programa_clave)}</th>'
            f'<td><a href="{href}.html">{escape(a.plan.programa_nombre)}</a></td>'
            f'<td class="num">{len(a.plan.filas)}</td>'
            f'<td><a href="{href}.xlsx">Descargar Excel de {escape(a.plan.programa_clave)}</a>'
            f' · <a href="{href}.pdf">PDF de {escape(a.plan.programa_clave)}</a></td>'
            "</tr>"
        )
    csv_nombre = nombre_csv(publicacion.ejercicio)
    cuerpo = (
        f"<h1>{escape(titulo)}</h1>\n"
        "<p>Planes de acción (Anexo A) de los programas presupuestarios y fondos evaluados, "
        f"con su estado al {fecha(publicacion.corte)}.</p>\n"
        '<div class="tabla" role="region" aria-label="Planes de acción" tabindex="0">\n'
        f"<table>\n<caption>{escape(titulo)}</caption>\n<thead><tr>"
        '<th scope="col">Clave</th><th scope="col">Programa presupuestario / Fondo</th>'
        '<th scope="col">Núm. de ASM</th><th scope="col">Archivo</th></tr></thead>\n'
        f"<tbody>\n{chr(10).join(filas)}\n</tbody>\n</table>\n</div>\n"
        f'<p><a href="{quote(csv_nombre)}">Todos los ASM en formato CSV ({csv_nombre})</a></p>\n'
    )
    return _pagina(titulo, encabezado, cuerpo)
