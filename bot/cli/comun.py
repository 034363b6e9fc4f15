"""What every `asmbot` command shares: help in Spanish, settings, the environment, options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from bot.cli import es as cli_es
from bot.config import ConfigError, Settings, load_settings
from bot.dominio.periodos import Trimestre
from bot.entorno import Entorno, abrir_entorno
from storage import migrate

cli_es.instalar()
OPCIONES = "[OPCIONES]"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def settings() -> Settings:
    """The settings, or one line naming the variable at fault."""
    try:
        return load_settings()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


@contextmanager
def entorno(*, requiere_esquema: bool = True) -> Iterator[Entorno]:
    """The environment of one command; refuses a database whose schema is not current."""
    ent = abrir_entorno(settings())
    try:
        if requiere_esquema and not migrate.is_current(ent.engine):
            raise click.ClickException(
                "La base de datos no está al día; ejecute primero «asmbot db upgrade»."
            )
        yield ent
    finally:
        ent.cerrar()


def trimestre(_ctx: click.Context, _param: click.Parameter, valor: str | None) -> Trimestre | None:
    """Click callback for `--trimestre 2025T2`."""
    if valor is None:
        return None
    try:
        return Trimestre.parse(valor)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
