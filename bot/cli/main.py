"""`asmbot`: the command line for whoever runs the server."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import func, select

from bot.anexo_a.escritura import escribir_anexo_a
from bot.anexo_a.pdf import escribir_anexo_a_pdf
from bot.bitacora import configurar_logs
from bot.cli import comun as cli_comun
from bot.cli.admin import auditoria, publicar, respaldo, restaurar
from bot.cli.comun import CONTEXT, OPCIONES, GrupoAsmbot
from bot.cli.evaluaciones import evaluacion, plazos
from bot.cli.oficio import oficio, verificar
from bot.config import ConfigError, load_settings, redact_url
from bot.dominio.periodos import Trimestre
from bot.dominio.texto import plural
from bot.dominio.vocabulario import Rol
from bot.entorno import Entorno
from bot.mensajes.admin import aviso_importacion
from bot.servicios import demo as demo_mod
from bot.servicios.catalogo import Catalogo, cargar_dependencias_csv
from bot.servicios.consultas import planes_anexo
from bot.servicios.evaluaciones import (
    EvaluacionRechazada,
    limite_para_importar,
    vincular_planes,
)
from bot.servicios.evidencias import AlmacenEvidencias
from bot.servicios.importacion import ImportacionFallida, importar_archivo
from bot.servicios.invitaciones import crear_invitacion
from bot.servicios.valoracion import pendientes_de_valoracion
from storage import migrate
from storage.db import unit_of_work
from storage.models import Asm, AsmResponsable, Dependencia, Usuario


@click.group(
    cls=GrupoAsmbot,
    context_settings=CONTEXT,
    options_metavar=OPCIONES,
    subcommand_metavar="COMANDO [ARGUMENTOS]...",
)
@click.version_option(package_name="asmbot", message="asmbot %(version)s")
def main() -> None:
    """Seguimiento de los Aspectos Susceptibles de Mejora (ASM).

    La configuración se lee de variables de entorno o de un archivo .env (vea .env.example).
    """
    try:
        s = load_settings()
        configurar_logs(s.log_nivel, s.log_formato, s.secretos)
    except ConfigError:  # the command itself reports it, in one line
        configurar_logs()


@main.group(
    context_settings=CONTEXT, options_metavar=OPCIONES, subcommand_metavar="COMANDO [ARGUMENTOS]..."
)
def db() -> None:
    """Base de datos: crear y actualizar el esquema."""


@db.command("upgrade", context_settings=CONTEXT, options_metavar=OPCIONES)
def db_upgrade() -> None:
    """Crea o actualiza el esquema de la base de datos a la versión más reciente."""
    settings = cli_comun.settings()
    migrate.upgrade(settings.database_url)
    click.echo(f"Base de datos al día: {redact_url(settings.database_url)}")


@db.command("current", context_settings=CONTEXT, options_metavar=OPCIONES)
def db_current() -> None:
    """Muestra la versión del esquema de la base de datos y si está al día."""
    settings = cli_comun.settings()
    actual = migrate.revision_actual(settings.database_url)
    final = migrate.revision_final()
    if actual is None:
        click.echo("Base de datos vacía (sin esquema); créelo con «asmbot db upgrade».")
    elif actual == final:
        click.echo(f"Esquema {actual}: al día.")
    else:
        click.echo(
            f"Esquema {actual}; la versión más reciente es {final}. Actualice con "
            "«asmbot db upgrade» (o inicie el bot, que lo hace solo)."
        )


@db.command("historial", context_settings=CONTEXT, options_metavar=OPCIONES)
def db_historial() -> None:
    """Lista las versiones del esquema, de la más antigua a la más reciente."""
    settings = cli_comun.settings()
    for m in migrate.historial(settings.database_url):
        marca = "✓" if m.aplicada else "·"
        click.echo(f"{marca} {m.revision}  {m.descripcion}")
    click.echo("✓ aplicada · pendiente")


@main.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option(
    "--cargar",
    "csv_path",
    metavar="ARCHIVO.csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV con columnas nombre,siglas,tipo[,unidades] (unidades separadas por «|»).",
)
def dependencias(csv_path: Path | None) -> None:
    """Lista las dependencias y entidades, o las carga desde un CSV."""
    with cli_comun.entorno() as entorno, unit_of_work(entorno.sesiones) as s:
        if csv_path is not None:
            try:
                agregadas, actualizadas = cargar_dependencias_csv(s, csv_path)
            except ValueError as e:
                raise click.ClickException(str(e)) from None
            click.echo(f"Agregadas: {agregadas} · actualizadas: {actualizadas}")
            return
        conteo: dict[int, int] = dict(
            s.execute(
                select(
                    AsmResponsable.dependencia_id, func.count(func.distinct(AsmResponsable.asm_id))
                ).group_by(AsmResponsable.dependencia_id)
            ).all()
        )
        enlaces: dict[int | None, int] = dict(
            s.execute(
                select(Usuario.dependencia_id, func.count())
                .where(Usuario.activo, Usuario.rol == Rol.ENLACE.value)
                .group_by(Usuario.dependencia_id)
            ).all()
        )
        deps = s.scalars(select(Dependencia).order_by(Dependencia.nombre)).all()
        if not deps:
            click.echo(
                "No hay dependencias. Cárguelas con «asmbot dependencias --cargar ARCHIVO.csv»."
            )
            return
        click.echo(f"{'SIGLAS':<10} {'TIPO':<12} {'ASM':>4} {'ENLACES':>7}  NOMBRE")
        for d in deps:
            click.echo(
                f"{d.siglas or '—':<10} {d.tipo:<12} {conteo.get(d.id, 0):>4} "
                f"{enlaces.get(d.id, 0):>7}  {d.nombre}"
            )


@main.command("import", context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument(
    "archivos",
    metavar="ARCHIVO...",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--pp",
    "programa",
    metavar="TEXTO",
    help="Pp o fondo de las hojas que no lo indican (p. ej. «E001 Seguridad»).",
)
@click.option(
    "--trimestre",
    callback=cli_comun.trimestre,
    metavar="AAAATN",
    help="Trimestre, si el archivo no lo indica o no se entiende (2025T2).",
)
@click.option(
    "--dependencia", metavar="SIGLAS", help="Dependencia o siglas, si el archivo no la indica."
)
@click.option(
    "--evaluacion",
    "evaluacion_id",
    type=int,
    metavar="ID",
    help="Evaluación de la que vienen los ASM (si el Pp tiene una sola del año, se elige sola).",
)
def importar(
    archivos: tuple[Path, ...],
    programa: str | None,
    trimestre: Trimestre | None,
    dependencia: str | None,
    evaluacion_id: int | None,
) -> None:
    """Importa archivos Anexo A (.xlsx, .xlsm, .xls, .ods, .csv). Cada archivo entra completo o
    no entra; los enlaces y la Contraloría reciben aviso de lo que cambió."""
    fallidos = 0
    with cli_comun.entorno() as entorno:
        with click.progressbar(archivos, label="Importando", file=sys.stderr) as barra:
            resultados: list[str] = []
            for ruta in barra:
                try:
                    with unit_of_work(entorno.sesiones) as s:
                        limite = limite_para_importar(s, evaluacion_id, entorno.calendario)
                        resumen = importar_archivo(
                            s, ruta, programa=programa, trimestre=trimestre,
                            dependencia=dependencia, aviso=aviso_importacion,
                            limite_atencion=limite,
                        )  # fmt: skip
                        vinculos = [
                            f"  {linea}"
                            for linea in vincular_planes(
                                s, resumen.planes, evaluacion_id, entorno.hoy()
                            )
                        ]
                    resultados.append("\n".join([resumen.texto(), *vinculos]))
                except EvaluacionRechazada as e:
                    fallidos += 1
                    resultados.append(f"{ruta.name}: NO se importó.\n  - {e}")
                except ImportacionFallida as e:
                    fallidos += 1
                    detalle = "\n".join(f"  - {p}" for p in e.problemas)
                    resultados.append(f"{ruta.name}: NO se importó.\n{detalle}")
        for texto in resultados:
            click.echo(texto)
    if fallidos:
        raise click.ClickException(
            f"{fallidos} de {plural(len(archivos), 'archivo')} no se {'importó' if fallidos == 1 else 'importaron'}; corrija lo indicado y "
            "vuelva a importarlos."
        )


@main.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option("--pp", "programa", metavar="CLAVE", help="Clave del Pp o fondo (p. ej. E001).")
@click.option("--consolidado", is_flag=True, help="Todos los Pp y fondos, con hoja de resumen.")
@click.option(
    "--trimestre",
    callback=cli_comun.trimestre,
    metavar="AAAATN",
    help="Trimestre (2025T2); por omisión, el actual.",
)
@click.option(
    "--dependencia", metavar="SIGLAS", help="Solo los ASM de esta dependencia (siglas o nombre)."
)
@click.option(
    "-o",
    "--salida",
    metavar="ARCHIVO.xlsx|.pdf",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Archivo que se escribirá: .xlsx, o .pdf para imprimir (horizontal).",
)
def anexo(
    programa: str | None,
    consolidado: bool,
    trimestre: Trimestre | None,
    dependencia: str | None,
    salida: Path,
) -> None:
    """Escribe el Anexo A de un Pp o fondo, o el consolidado, tal como estaba al cierre del trimestre."""
    if bool(programa) == consolidado:
        raise click.UsageError("Indique --pp CLAVE o --consolidado (uno de los dos).")
    with cli_comun.entorno() as entorno:
        t = trimestre or Trimestre.de_fecha(entorno.hoy())
        _escribir_anexo(entorno, t, salida, programa=programa, dependencia=dependencia)


def _escribir_anexo(
    entorno: Entorno,
    t: Trimestre,
    salida: Path,
    *,
    programa: str | None = None,
    dependencia: str | None = None,
) -> None:
    with entorno.sesiones() as s:
        dep_id = None
        if dependencia:
            dep = Catalogo(s).buscar(dependencia)
            if dep is None:
                raise click.ClickException(
                    f"No conozco la dependencia «{dependencia}»; vea la lista con «asmbot dependencias»."
                )
            dep_id = dep.id
        planes = planes_anexo(
            s, t, entorno.calendario, entorno.hoy(), programa_clave=programa, dependencia_id=dep_id
        )
    if not planes and programa:
        raise click.ClickException(
            f"No hay ASM del Pp o fondo «{programa}» en {t}; revise la clave y el trimestre."
        )
    if not planes:
        raise click.ClickException(
            f"No hay ASM en {t}; revise el trimestre o cargue un Anexo A con «asmbot import»."
        )
    total = sum(len(p.filas) for p in planes)
    salida.parent.mkdir(parents=True, exist_ok=True)
    with click.progressbar(length=total, label="Escribiendo Anexo A", file=sys.stderr) as barra:
        if salida.suffix.lower() == ".pdf":
            escribir_anexo_a_pdf(
                salida, planes, entorno.settings.encabezado, entorno.hoy(), progreso=barra.update
            )
        else:
            escribir_anexo_a(
                salida,
                planes,
                entorno.settings.encabezado,
                consolidado=programa is None,
                progreso=barra.update,
            )
    click.echo(f"Anexo A {t.etiqueta}: {total} ASM en {plural(len(planes), 'plan')} → {salida}")


@main.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option(
    "--rol",
    type=click.Choice([r.value for r in Rol]),
    required=True,
    help="Rol de la persona invitada.",
)
@click.option(
    "--dependencia",
    metavar="SIGLAS",
    help="Siglas, nombre o una palabra del nombre de la dependencia (obligatorio para enlace).",
)
@click.option(
    "--dias",
    metavar="N",
    type=click.IntRange(1, 90),
    default=7,
    show_default=True,
    help="Días de vigencia.",
)
def invitar(rol: str, dependencia: str | None, dias: int) -> None:
    """Crea una invitación de un solo uso e imprime el enlace de Telegram."""
    from datetime import timedelta

    from bot.servicios.busqueda import buscar_dependencia

    with cli_comun.entorno() as entorno, unit_of_work(entorno.sesiones) as s:
        dep = None
        if dependencia:
            encontradas = buscar_dependencia(s, dependencia)
            if not encontradas:
                raise click.ClickException(
                    f"No conozco la dependencia «{dependencia}»; vea la lista con «asmbot dependencias»."
                )
            if len(encontradas) > 1:
                lista = "\n".join(f"  {d.siglas or '—'}\t{d.nombre}" for d in encontradas)
                raise click.ClickException(
                    f"«{dependencia}» coincide con {len(encontradas)} dependencias; escriba sus "
                    f"siglas o más palabras de su nombre:\n{lista}"
                )
            dep = s.get(Dependencia, encontradas[0].id)
        try:
            inv = crear_invitacion(
                s, Rol(rol), dep, entorno.settings.bot_username, vigencia=timedelta(days=dias)
            )
        except ValueError as e:
            raise click.UsageError(str(e)) from None
        vence = inv.expira_en.astimezone(entorno.settings.zona).strftime("%d/%m/%Y %H:%M")
    click.echo(f"Enlace: {inv.enlace}")
    click.echo(f"Código: {inv.codigo}")
    click.echo(f"Vence: {vence}. Es de un solo uso; compártalo solo con la persona invitada.")


@main.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option(
    "--asm",
    "num_asm",
    metavar="N",
    type=click.IntRange(1, 100_000),
    default=160,
    show_default=True,
    help="Cuántos ASM de muestra crear.",
)
@click.option(
    "-o",
    "--salida",
    metavar="ARCHIVO.xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Anexo A consolidado que se escribirá (por omisión, en la carpeta de datos).",
)
def demo(num_asm: int, salida: Path | None) -> None:
    """Llena una base vacía con datos de muestra y escribe el Anexo A consolidado."""
    settings = cli_comun.settings()
    migrate.upgrade(settings.database_url)
    with cli_comun.entorno() as entorno:
        hoy = entorno.hoy()
        with entorno.sesiones() as s:
            vacia = not s.scalar(select(func.count()).select_from(Asm))
        if vacia:
            with (
                click.progressbar(
                    length=num_asm, label="Creando muestra", file=sys.stderr
                ) as barra,
                unit_of_work(entorno.sesiones) as s,
            ):
                demo_mod.llenar_demo(
                    s, entorno.calendario, hoy, num_asm=num_asm, progreso=barra.update,
                    almacen=AlmacenEvidencias(settings.data_dir),
                )  # fmt: skip
        else:
            click.echo("La base ya tiene datos; no se agregó la muestra.")
        t = Trimestre.de_fecha(hoy)
        destino = salida or settings.data_dir / f"anexo_a_consolidado_{t}.xlsx"
        _escribir_anexo(entorno, t, destino)


@main.command(context_settings=CONTEXT, options_metavar=OPCIONES)
def run() -> None:
    """Inicia el bot de Telegram (hasta Ctrl+C); antes crea o actualiza el esquema."""
    from bot.app import comprobar_token, ejecutar

    settings = cli_comun.settings()
    if not settings.bot_token:
        raise click.ClickException(
            "TELEGRAM_BOT_TOKEN: falta el token del bot; obténgalo de @BotFather y agréguelo a .env."
        )
    # Under the migration lock: replicas starting together migrate once, one after the other.
    if migrate.upgrade(settings.database_url):
        click.echo(f"Esquema actualizado a {migrate.revision_final()}.")
    comprobar_token(settings)
    with cli_comun.entorno() as entorno:
        click.echo(f"Bot en marcha con {redact_url(settings.database_url)}. Ctrl+C para detener.")
        ejecutar(entorno)


# Publication, audit, backup and oficios live in their own modules.
for _comando in (publicar, auditoria, respaldo, restaurar, oficio, verificar):
    main.add_command(_comando)


@main.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option(
    "--puerto",
    metavar="N",
    type=click.IntRange(1, 65535),
    default=8080,
    show_default=True,
    help="Puerto de la página, solo en 127.0.0.1.",
)
@click.option(
    "--datos",
    metavar="CARPETA",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/sandbox"),
    show_default=True,
    help="Carpeta de la base de muestra y los archivos del sandbox.",
)
def sandbox(puerto: int, datos: Path) -> None:
    """Pruebe el bot sin Telegram: el bot real, con datos de muestra, en una página local."""
    try:  # the bot and the web server load only for this command
        from bot.sandbox.servidor import ejecutar
    except ImportError as e:  # the production image has no Bot API double
        raise click.ClickException(
            "El sandbox no viene en esta instalación. Instálelo desde el repositorio con "
            "«make sandbox» (o pip install -e ./botapi_double -e '.[sandbox]')."
        ) from e
    ejecutar(datos, puerto)


@main.command("pendientes-valoracion", context_settings=CONTEXT, options_metavar=OPCIONES)
def pendientes_valoracion() -> None:
    """Los ASM que esperan valoración (artículo 14): en 100 % o con la fecha de término vencida,
    por dependencia, el que más espera primero."""
    with cli_comun.entorno() as entorno, unit_of_work(entorno.sesiones) as s:
        cola = pendientes_de_valoracion(s, entorno.hoy(), entorno.calendario)
        for p in cola:
            estado = "100 %" if p.motivo == "completo" else f"vencido, {p.asm.avance or 0} %"
            click.echo(
                f"{p.dependencia}\t{p.asm.programa_clave}\tNúm. {p.asm.numero}\t{estado}\t"
                f"desde {p.desde:%d/%m/%Y}\tevidencias: {p.evidencias}"
            )
        completos = sum(p.motivo == "completo" for p in cola)
        click.echo(
            f"{len(cola)} ASM por valorar: {completos} en 100 %, {len(cola) - completos} vencidos."
        )


main.add_command(evaluacion)
main.add_command(plazos)
