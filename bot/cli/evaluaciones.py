"""`asmbot evaluacion ...` and `asmbot plazos`: evaluations, their ASM and open obligations."""

from __future__ import annotations

from datetime import date
from typing import Any

import click
from sqlalchemy import select

from bot.cli import comun as cli_comun
from bot.cli.comun import CONTEXT, OPCIONES
from bot.dominio.periodos import formato_fecha
from bot.dominio.seleccion import Criterio
from bot.dominio.vocabulario import Clasificacion, Prioridad, TipoEvaluacion
from bot.mensajes import evaluaciones as textos
from bot.servicios import evaluaciones as servicio
from bot.servicios.evaluaciones import EvaluacionRechazada, ResponsableNuevo
from storage.db import unit_of_work
from storage.models import Dependencia

_TIPOS = click.Choice([t.value for t in TipoEvaluacion])


def _fecha(_ctx: click.Context, _param: click.Parameter, valor: str | None) -> date | None:
    if valor is None or valor.lower() == "ninguna":
        return None
    try:
        return date.fromisoformat(valor)
    except ValueError:
        raise click.BadParameter(f"«{valor}» no es una fecha; escríbala como AAAA-MM-DD.") from None


def _f(d: date | None) -> str:
    return formato_fecha(d) if d else "—"


@click.group(
    "evaluacion",
    context_settings=CONTEXT,
    options_metavar=OPCIONES,
    subcommand_metavar="COMANDO [ARGUMENTOS]...",
)
def evaluacion() -> None:
    """Evaluaciones (Art. 6): registro, recomendaciones, ASM y su envío."""


@evaluacion.command("alta", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option("--tipo", type=_TIPOS, required=True, help="interna, externa o seguimiento.")
@click.option("--pp", "programa", metavar="CLAVE", required=True, help="Clave del Pp o fondo.")
@click.option("--ejercicio", type=int, required=True, help="Ejercicio fiscal evaluado (2025).")
@click.option(
    "--notificacion", callback=_fecha, metavar="AAAA-MM-DD", required=True,
    help="Fecha en que se notificó el informe final.",
)  # fmt: skip
@click.option(
    "--limite-atencion", "limite", callback=_fecha, metavar="AAAA-MM-DD",
    help="Fecha límite de atención (internas y seguimiento; las externas siguen el Art. 13).",
)  # fmt: skip
@click.option("--evaluador", default="", metavar="TEXTO", help="IMPLAN o la instancia externa.")
def alta(
    tipo: str, programa: str, ejercicio: int, notificacion: date | None, limite: date | None,
    evaluador: str,
) -> None:  # fmt: skip
    """Registra una evaluación o informe de seguimiento."""
    with cli_comun.entorno() as ent, unit_of_work(ent.sesiones) as s:
        try:
            ev_id = servicio.registrar_evaluacion(
                s, tipo=TipoEvaluacion(tipo), programa_clave=programa,
                ejercicio_evaluado=ejercicio, fecha_notificacion=notificacion, actor="cli",
                fecha_limite_atencion=limite, evaluador=evaluador,
            )  # fmt: skip
        except EvaluacionRechazada as e:
            raise click.ClickException(str(e)) from None
    click.echo(f"Evaluación {ev_id} registrada.")


@evaluacion.command("lista", context_settings=CONTEXT, options_metavar=OPCIONES)
def lista() -> None:
    """Lista las evaluaciones con su fecha límite de atención y lo que falta."""
    with cli_comun.entorno() as ent, ent.sesiones() as s:
        evaluaciones = servicio.lista_evaluaciones(s, ent.calendario, ent.hoy())
        sueltos = servicio.sin_evaluacion(s)
    if not evaluaciones:
        click.echo("No hay evaluaciones. Registre una con «asmbot evaluacion alta».")
    for r in evaluaciones:
        click.echo(
            f"{r.id:>4}  {r.titulo} · notificada {_f(r.fecha_notificacion)} · "
            f"límite de atención {_f(r.limite_atencion)} · {r.recomendaciones} recomendaciones · "
            f"{r.asm} ASM"
        )
        for falta in r.faltantes:
            click.echo(f"      falta: {falta}")
    if sueltos:
        click.echo(f"ASM sin evaluación: {sueltos} (vincúlelos con «asmbot import --evaluacion»).")


@evaluacion.command("editar", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument("evaluacion_id", metavar="ID", type=int)
@click.option("--notificacion", callback=_fecha, metavar="AAAA-MM-DD")
@click.option(
    "--limite-atencion", "limite", callback=_fecha, metavar="AAAA-MM-DD|ninguna",
    help="Se audita y se avisa a las dependencias afectadas.",
)  # fmt: skip
@click.option("--evaluador", metavar="TEXTO")
@click.option("--ejercicio", type=int, help="Ejercicio fiscal evaluado.")
@click.pass_context
def editar(
    ctx: click.Context, evaluacion_id: int, notificacion: date | None, limite: date | None,
    evaluador: str | None, ejercicio: int | None,
) -> None:  # fmt: skip
    """Corrige los datos de una evaluación."""
    dados = {
        "fecha_notificacion": (notificacion, "notificacion"),
        "fecha_limite_atencion": (limite, "limite"),
        "evaluador": (evaluador, "evaluador"),
        "ejercicio_evaluado": (ejercicio, "ejercicio"),
    }
    cambios: dict[str, Any] = {
        k: v
        for k, (v, param) in dados.items()
        if ctx.get_parameter_source(param) is not click.core.ParameterSource.DEFAULT
    }
    if not cambios:
        raise click.UsageError("Indique al menos un dato que cambiar (vea --help).")
    with cli_comun.entorno() as ent, unit_of_work(ent.sesiones) as s:
        try:
            cambio = servicio.editar_evaluacion(
                s, evaluacion_id, "cli", ent.ahora(), ent.calendario, **cambios
            )
        except EvaluacionRechazada as e:
            raise click.ClickException(str(e)) from None
        avisos = textos.avisar_cambio_limite(s, cambio, ent.ahora()) if cambio else 0
    click.echo(f"Evaluación {evaluacion_id} actualizada.")
    if cambio:
        click.echo(
            f"Fecha límite de atención: {_f(cambio.antes)} → {_f(cambio.despues)}; "
            f"avisos a Enlaces SEDEM: {avisos}."
        )


@evaluacion.command("recomendacion", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument("evaluacion_id", metavar="ID", type=int)
@click.argument("texto")
def recomendacion(evaluacion_id: int, texto: str) -> None:
    """Registra una recomendación de la evaluación."""
    with cli_comun.entorno() as ent, unit_of_work(ent.sesiones) as s:
        try:
            rec_id = servicio.agregar_recomendacion(s, evaluacion_id, texto, "cli")
        except EvaluacionRechazada as e:
            raise click.ClickException(str(e)) from None
    click.echo(f"Recomendación {rec_id} registrada.")


def _criterios(cumple: str) -> dict[str, bool]:
    dados = {c.strip().lower() for c in cumple.split(",") if c.strip()}
    desconocidos = dados - {c.value for c in Criterio}
    if desconocidos:
        raise click.BadParameter(
            f"criterios desconocidos: {', '.join(sorted(desconocidos))}; use "
            "claridad,relevancia,justificacion,factibilidad."
        )
    return {c.value: c.value in dados for c in Criterio}


@evaluacion.command("seleccionar", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument("recomendacion_id", metavar="REC", type=int)
@click.option(
    "--cumple",
    default="claridad,relevancia,justificacion,factibilidad",
    show_default=True,
    help="Criterios del Art. 7 que cumple, separados por comas.",
)
@click.option("--clasificacion", type=click.Choice([c.value for c in Clasificacion]), required=True)
@click.option("--prioridad", type=click.Choice([p.value for p in Prioridad]), required=True)
@click.option(
    "--responsable",
    "responsables",
    multiple=True,
    required=True,
    metavar="SIGLAS[/UNIDAD]:MOTIVO",
    help="Cada responsable y su motivo (Art. 9).",
)
@click.option("--gobierno", metavar="TEXTO", help="Otro gobierno (intergubernamental).")
def seleccionar(
    recomendacion_id: int, cumple: str, clasificacion: str, prioridad: str,
    responsables: tuple[str, ...], gobierno: str | None,
) -> None:  # fmt: skip
    """Convierte una recomendación en ASM (Arts. 7 y 9)."""
    nuevos = []
    for r in responsables:
        quien, _, motivo = r.partition(":")
        dep, _, unidad = quien.partition("/")
        nuevos.append(ResponsableNuevo(dep, motivo, unidad or None))
    with cli_comun.entorno() as ent, unit_of_work(ent.sesiones) as s:
        try:
            asm_id = servicio.seleccionar(
                s, recomendacion_id, criterios=_criterios(cumple),
                clasificacion=Clasificacion(clasificacion), prioridad=Prioridad(prioridad),
                responsables=nuevos, actor="cli", hoy=ent.hoy(), gobierno_externo=gobierno,
            )  # fmt: skip
        except EvaluacionRechazada as e:
            raise click.ClickException(str(e)) from None
    click.echo(f"ASM {asm_id} creado.")


@evaluacion.command("descartar", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument("recomendacion_id", metavar="REC", type=int)
@click.option("--cumple", default="", help="Criterios del Art. 7 que sí cumple.")
@click.option("--motivo", required=True, help="Por qué no se selecciona (Art. 9).")
def descartar(recomendacion_id: int, cumple: str, motivo: str) -> None:
    """Registra una recomendación como no seleccionada, con su motivo."""
    with cli_comun.entorno() as ent, unit_of_work(ent.sesiones) as s:
        try:
            servicio.no_seleccionar(s, recomendacion_id, _criterios(cumple), motivo, "cli")
        except EvaluacionRechazada as e:
            raise click.ClickException(str(e)) from None
    click.echo(f"Recomendación {recomendacion_id}: no seleccionada.")


@evaluacion.command("enviar", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument("evaluacion_id", metavar="ID", type=int)
def enviar(evaluacion_id: int) -> None:
    """Envía los ASM a las dependencias: hoy es su fecha de recepción (Art. 10)."""
    with cli_comun.entorno() as ent, unit_of_work(ent.sesiones) as s:
        try:
            envio = servicio.enviar_asm(s, evaluacion_id, "cli", ent.ahora(), ent.calendario)
        except EvaluacionRechazada as e:
            raise click.ClickException(str(e)) from None
        avisos = textos.avisar_envio(s, envio, ent.ahora())
    click.echo(
        f"{envio.enviados} ASM enviados el {_f(envio.fecha_recepcion)}; plan de acción a más "
        f"tardar el {_f(envio.plazo_plan)} (Art. 10). Avisos a Enlaces SEDEM: {avisos}."
    )


@click.command("plazos", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option("--dependencia", metavar="SIGLAS", help="Solo las obligaciones de esa dependencia.")
def plazos(dependencia: str | None) -> None:
    """Lista cada obligación abierta con su artículo, fecha y días hábiles restantes."""
    with cli_comun.entorno() as ent, ent.sesiones() as s:
        dep_id = None
        if dependencia:
            dep_id = s.scalar(select(Dependencia.id).where(Dependencia.siglas == dependencia))
            if dep_id is None:
                raise click.ClickException(
                    f"No hay dependencia con siglas «{dependencia}»; vea «asmbot dependencias»."
                )
        obligaciones = servicio.obligaciones_abiertas(s, ent.calendario, ent.hoy(), dep_id)
    if not obligaciones:
        click.echo("No hay obligaciones abiertas con fecha.")
    for o in obligaciones:
        click.echo(
            f"{formato_fecha(o.fecha)}  {o.dias_restantes:>4}  {o.articulo:<12} "
            f"{textos.OBLIGACION[o.tipo]} · {o.dependencia} · {o.asunto}"
        )
