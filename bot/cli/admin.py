"""Administration commands: publication (Art. 15), audit export, backup and restore.

Registered on `asmbot` by `bot.cli.main`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click

from bot.cli import comun as cli_comun
from bot.cli.comun import CONTEXT, OPCIONES
from bot.config import redact_url
from bot.dominio.periodos import Trimestre
from bot.dominio.texto import plural
from bot.servicios import auditoria_export, publicacion
from bot.servicios.evidencias import tamano_legible
from bot.servicios.respaldo import (
    Avanzar,
    ErrorRespaldo,
    crear_respaldo,
    filas_en_base,
    leer_manifiesto,
)
from bot.servicios.respaldo import (
    restaurar as restaurar_respaldo,
)
from storage.db import make_engine


@contextmanager
def _barra(etiqueta: str, total: int) -> Iterator[Avanzar]:
    """A progress bar on stderr, so that the output on stdout stays clean."""
    with click.progressbar(length=total, label=etiqueta, file=sys.stderr) as barra:
        yield barra.update


def _fecha(_ctx: click.Context, _param: click.Parameter, valor: str | None) -> date | None:
    if valor is None:
        return None
    try:
        return datetime.strptime(valor, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(
            f"«{valor}» no es una fecha; escríbala como AAAA-MM-DD (2025-06-30)."
        ) from None


@click.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option(
    "--ejercicio",
    metavar="AAAA",
    type=click.IntRange(2000, 2100),
    required=True,
    help="Ejercicio fiscal de las evaluaciones (p. ej. 2025).",
)
@click.option(
    "--trimestre",
    callback=cli_comun.trimestre,
    metavar="AAAATN",
    help="Corte (2026T1); por omisión, el cierre del ejercicio o el trimestre actual.",
)
@click.option(
    "-o",
    "--salida",
    metavar="CARPETA",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Carpeta donde se escribirán los archivos para el sitio web.",
)
def publicar(ejercicio: int, trimestre: Trimestre | None, salida: Path) -> None:
    """Escribe los planes de acción de un ejercicio para el sitio web (Art. 15).

    Por cada Pp o fondo, un .xlsx (Anexo A) y una página HTML; además index.html y un CSV con
    todos los ASM. No incluye datos personales. Muestra el estado al cierre del ejercicio, o al
    día de hoy si el ejercicio está en curso.
    """
    with cli_comun.entorno() as entorno:
        try:
            with entorno.sesiones() as s:
                pub = publicacion.planes_del_ejercicio(
                    s, ejercicio, entorno.calendario, entorno.hoy(), trimestre
                )
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        if not pub.planes and pub.sin_enviar and not pub.posteriores:
            raise click.ClickException(
                f"Ningún plan de acción del ejercicio {ejercicio} se ha enviado al IMPLAN: "
                f"{pub.sin_enviar} ASM en borrador o con observaciones. No se publicó nada."
            )
        if not pub.planes and not pub.posteriores:
            raise click.ClickException(
                f"No hay ASM del ejercicio {ejercicio}; revise el año o cargue un Anexo A "
                "con «asmbot import»."
            )
        if not pub.planes:
            raise click.ClickException(_posteriores(pub))
        publicacion.publicar(salida, pub, entorno.settings.encabezado, _barra)
    total = sum(len(p.filas) for p in pub.planes)
    click.echo(
        f"Ejercicio {ejercicio}: {total} ASM en {plural(len(pub.planes), 'plan')}, estado al "
        f"{publicacion.fecha(pub.corte)} → {salida / 'index.html'}"
    )
    if pub.posteriores:
        click.echo(f"Atención: {_posteriores(pub)}", err=True)
    if pub.sin_enviar:
        click.echo(
            f"No se publican {pub.sin_enviar} ASM cuyo plan está en borrador o con observaciones "
            "del IMPLAN (se publican los planes enviados, revisados o no).",
            err=True,
        )


def _posteriores(pub: publicacion.Publicacion) -> str:
    siguiente = Trimestre.de_fecha(pub.corte).siguiente()
    return (
        f"{pub.posteriores} ASM del ejercicio {pub.ejercicio} se registraron después del "
        f"{publicacion.fecha(pub.corte)} y no aparecen; use un corte posterior, "
        f"p. ej. --trimestre {siguiente}."
    )


@click.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option("--desde", metavar="AAAA-MM-DD", callback=_fecha, help="Primer día (inclusive).")
@click.option("--hasta", metavar="AAAA-MM-DD", callback=_fecha, help="Último día (inclusive).")
@click.option(
    "-o",
    "--salida",
    metavar="ARCHIVO.csv|.xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Archivo que se escribirá; con .csv, las evidencias van en ARCHIVO_evidencias.csv.",
)
def auditoria(desde: date | None, hasta: date | None, salida: Path) -> None:
    """Exporta la bitácora (quién hizo qué y cuándo) y la lista de evidencias con su sha256.

    Vuelve a calcular el sha256 de cada archivo guardado para mostrar si sigue siendo el que
    se registró. Las fechas son de la zona horaria configurada.
    """
    if desde and hasta and desde > hasta:
        raise click.UsageError("--desde debe ser anterior o igual a --hasta.")
    if salida.suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError("El archivo de salida debe terminar en .csv o .xlsx.")
    with cli_comun.entorno() as entorno, entorno.sesiones() as s:
        r = auditoria_export.exportar(
            s,
            entorno.settings.data_dir,
            entorno.settings.zona,
            salida,
            desde=desde,
            hasta=hasta,
            progreso=_barra,
        )
    click.echo(
        f"Bitácora: {plural(r.registros, 'registro')}; evidencias: {r.evidencias} → "
        + ", ".join(str(a) for a in r.archivos)
    )
    if r.faltantes or r.alteradas:
        click.echo(
            f"Atención: {plural(r.faltantes, 'evidencia')} sin archivo y {r.alteradas} con un sha256 "
            "distinto al registrado; vea las últimas columnas.",
            err=True,
        )


@click.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option(
    "-o",
    "--salida",
    metavar="ARCHIVO.tar.gz",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Archivo de respaldo que se escribirá.",
)
def respaldo(salida: Path) -> None:
    """Respalda la base de datos y los archivos de evidencia, sin detener el bot."""
    if not salida.name.endswith((".tar.gz", ".tgz")):
        raise click.UsageError("El respaldo es un .tar.gz; use un nombre como respaldo.tar.gz.")
    with cli_comun.entorno() as entorno:
        try:
            r = crear_respaldo(entorno.engine, entorno.settings.data_dir, salida, _barra)
        except ErrorRespaldo as e:
            raise click.ClickException(str(e)) from None
    for advertencia in r.advertencias:
        click.echo(f"Atención: {advertencia}", err=True)
    peso = f" ({tamano_legible(r.bytes_evidencias)})" if r.evidencias else ""
    click.echo(
        f"Respaldo: {plural(sum(r.filas.values()), 'fila')} en {plural(len(r.filas), 'tabla')} y "
        f"{plural(r.evidencias, 'archivo')} de evidencia{peso}, esquema {r.revision} → {salida} "
        f"({tamano_legible(salida.stat().st_size)})"
    )


@click.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument(
    "archivo", metavar="ARCHIVO", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--forzar", is_flag=True, help="Borra primero lo que tenga la base de datos.")
@click.option("--si", is_flag=True, help="Con --forzar, no pide confirmación.")
def restaurar(archivo: Path, forzar: bool, si: bool) -> None:
    """Restaura un respaldo en una base de datos vacía y copia las evidencias a la carpeta de datos."""
    settings = cli_comun.settings()
    try:
        manifiesto = leer_manifiesto(archivo)  # a wrong file is refused before anything else
        engine = make_engine(settings.database_url)
        try:
            filas = filas_en_base(engine)
        finally:
            engine.dispose()
        if filas and not forzar:
            raise click.ClickException(
                f"La base de datos ya tiene datos ({filas} filas); restaure en una base vacía, "
                "o use --forzar para borrarla primero."
            )
        if filas and not si:
            click.echo(
                f"Se borrará TODO el contenido de {redact_url(settings.database_url)} "
                f"({filas} filas) para restaurar el respaldo del {manifiesto['creado_en'][:10]}."
            )
            # A typed word rather than click's [y/N]: it reads well in Spanish, hard to hit by chance.
            if (
                click.prompt("Escriba BORRAR para continuar", default="", show_default=False)
                != "BORRAR"
            ):
                raise click.Abort()
        r = restaurar_respaldo(
            settings.database_url, settings.data_dir, archivo, vaciar=forzar, progreso=_barra
        )
    except ErrorRespaldo as e:
        raise click.ClickException(str(e)) from None
    for advertencia in r.advertencias:
        click.echo(f"Atención: {advertencia}", err=True)
    click.echo(
        f"Restaurado: {plural(sum(r.filas.values()), 'fila')} en {plural(len(r.filas), 'tabla')} (esquema "
        f"{r.revision}, ya actualizado) y {plural(r.evidencias, 'evidencia verificada', 'evidencias verificadas')} en "
        f"{settings.data_dir}."
    )
