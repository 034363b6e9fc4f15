"""`asmbot oficio` and `asmbot verificar`: the oficio of Art. 13 from the command line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from bot.cli import comun as cli_comun
from bot.cli.comun import CONTEXT, OPCIONES
from bot.dominio.periodos import formato_fecha, nombre_mes, primer_dia_del_mes

# The services load inside each command: `asmbot --help` stays quick.


def _mes(_ctx: click.Context, _param: click.Parameter, valor: str | None) -> date | None:
    if valor is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", valor)
    if m is None or not 1 <= int(m.group(2)) <= 12:
        raise click.BadParameter(f"«{valor}» no es un mes; escríbalo como 2026-11.")
    return date(int(m.group(1)), int(m.group(2)), 1)


@click.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.option("--dependencia", metavar="SIGLAS", required=True, help="Siglas o nombre.")
@click.option(
    "--mes", metavar="AAAA-MM", callback=_mes, help="Mes de las entregas; por omisión, el actual."
)
@click.option(
    "-o",
    "--salida",
    metavar="ARCHIVO.pdf",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="PDF que se escribirá.",
)
def oficio(dependencia: str, mes: date | None, salida: Path) -> None:
    """El oficio de entrega de avances (Art. 13) de una dependencia y un mes, con su código de
    verificación. Si las entregas no cambiaron, es el mismo oficio ya emitido."""
    from bot.servicios import oficios
    from bot.servicios.catalogo import Catalogo
    from storage.db import unit_of_work

    with cli_comun.entorno() as entorno, unit_of_work(entorno.sesiones) as s:
        dep = Catalogo(s).buscar(dependencia)
        if dep is None:
            raise click.ClickException(
                f"No conozco la dependencia «{dependencia}»; vea la lista con «asmbot dependencias»."
            )
        cual = mes or primer_dia_del_mes(entorno.hoy())
        try:
            emitido = oficios.emitir(
                s, dep.id, cual, entorno.config_oficio(), entorno.ahora(), "cli"
            )
        except oficios.SinEntregas:
            raise click.ClickException(
                f"{dep.nombre} no confirmó entregas de avance en {nombre_mes(cual)}: no hay oficio."
            ) from None
    salida.parent.mkdir(parents=True, exist_ok=True)
    salida.write_bytes(emitido.contenido)
    estado = "emitido ahora" if emitido.nuevo else "ya emitido; las entregas no cambiaron"
    click.echo(
        f"Oficio {emitido.numero} ({estado}): {emitido.asm} ASM de {nombre_mes(emitido.mes)} → "
        f"{salida}\nCódigo de verificación: {emitido.codigo}"
    )


@click.command(context_settings=CONTEXT, options_metavar=OPCIONES)
@click.argument("archivo", metavar="ARCHIVO.pdf", required=False, type=click.Path(path_type=Path))
@click.option("--codigo", metavar="CÓDIGO", help="El código impreso junto al QR, sin el archivo.")
def verificar(archivo: Path | None, codigo: str | None) -> None:
    """¿Es un oficio emitido por este sistema, y el archivo no cambió? Termina con estado 0 solo
    si el archivo (o el código) es de un oficio emitido."""
    from bot.servicios import oficios
    from bot.servicios.oficios import Resultado

    if (archivo is None) == (codigo is None):
        raise click.UsageError("Indique ARCHIVO.pdf o --codigo CÓDIGO (uno de los dos).")
    if archivo is not None and not archivo.is_file():
        raise click.ClickException(f"No encuentro el archivo «{archivo}».")
    with cli_comun.entorno() as entorno, entorno.sesiones() as s:
        if archivo is not None:
            v = oficios.verificar_archivo(s, archivo.read_bytes())
        else:
            assert codigo is not None
            v = oficios.verificar_codigo(s, codigo)
        zona = entorno.settings.zona
    if v.resultado is Resultado.DESCONOCIDO:
        click.echo(
            "NO RECONOCIDO: no es un oficio emitido por este sistema"
            + (f" (código {v.codigo} desconocido)." if v.codigo else ".")
        )
        raise SystemExit(1)
    assert v.emitido_en is not None and v.mes is not None
    emitido = v.emitido_en.astimezone(zona)
    detalle = (
        f"Oficio {v.numero} · {v.dependencia} · entregas de {nombre_mes(v.mes)}\n"
        f"Emitido el {formato_fecha(emitido.date())} a las {emitido:%H:%M} · código {v.codigo}\n"
        f"sha256 del archivo emitido: {v.sha256}"
    )
    if v.reemplazado_por:
        detalle += f"\nDespués se emitió {v.reemplazado_por} para el mismo mes."
    if v.resultado is Resultado.MODIFICADO:
        click.echo(f"MODIFICADO: el archivo no es el que se emitió.\n{detalle}")
        raise SystemExit(1)
    titulo = (
        "AUTÉNTICO: es el archivo emitido, sin cambios."
        if v.resultado is Resultado.AUTENTICO
        else "REGISTRADO: el código es de un oficio emitido (compare el sha256 de su archivo)."
    )
    click.echo(f"{titulo}\n{detalle}")
