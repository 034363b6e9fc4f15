"""What every `asmbot` command shares: help in Spanish, settings, the environment, options."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from bot.cli import es as cli_es
from bot.config import ConfigError, Settings, load_settings
from bot.dominio.periodos import Trimestre

if TYPE_CHECKING:
    from bot.entorno import Entorno

# `asmbot --help` must stay quick: SQLAlchemy, Alembic, openpyxl and telegram load inside the
# commands that use them, never at import time of the command line (tests/cli/test_ayuda.py).
cli_es.instalar()
OPCIONES = "[OPCIONES]"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class GrupoAsmbot(click.Group):
    """The command group: a problem of configuration or connection ends a command with one
    Spanish line naming what to fix (exit code 1), never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:
            mensaje = explicar(e)
            if mensaje is None:
                raise
            raise click.ClickException(mensaje) from None


# An output path the command could not create or write (read-only volume, a file where a folder
# should be, no permission, disk full).
_ERRORES_DE_RUTA = {
    errno.EACCES: "sin permiso",
    errno.EPERM: "sin permiso",
    errno.EEXIST: "ya hay un archivo con ese nombre",
    errno.ENOENT: "la carpeta no existe",
    errno.ENOTDIR: "una parte de la ruta es un archivo, no una carpeta",
    errno.EISDIR: "es una carpeta",
    errno.EROFS: "el disco es de solo lectura",
    errno.ENOSPC: "el disco está lleno",
}


def explicar(e: BaseException) -> str | None:
    """The line that tells an operator what to fix, or None for a bug (which keeps its traceback)."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
    from telegram.error import InvalidToken, NetworkError

    if isinstance(e, OperationalError):
        motivo = str(e.orig).strip().splitlines()[0] if e.orig else type(e).__name__
        return (
            f"DATABASE_URL: no se pudo conectar con la base de datos ({motivo}); revise que el "
            "servidor esté en marcha, la dirección, el usuario y la contraseña."
        )
    if isinstance(e, NoSuchModuleError | ArgumentError):
        return "DATABASE_URL: la dirección no es válida; use sqlite:///ruta/archivo.db o postgresql://usuario@servidor/base."
    if (
        isinstance(e, ModuleNotFoundError)
        and e.name
        and e.name.split(".")[0] in ("psycopg", "psycopg2")
    ):
        return (
            "DATABASE_URL: falta el controlador de PostgreSQL (psycopg); instale asmbot con sus "
            "dependencias (pip install asmbot) o use una base SQLite."
        )
    if isinstance(e, InvalidToken):
        return (
            "TELEGRAM_BOT_TOKEN: Telegram rechazó el token; cópielo de nuevo de @BotFather "
            "(/mybots → API Token)."
        )
    if isinstance(e, NetworkError):
        return (
            "TELEGRAM_API_URL: no se pudo conectar con la Bot API; revise la red del servidor "
            "y la dirección configurada."
        )
    if isinstance(e, OSError) and e.filename and e.errno in _ERRORES_DE_RUTA:
        return (
            f"No se puede escribir en «{e.filename}» ({_ERRORES_DE_RUTA[e.errno]}); elija otra "
            "ruta o revise sus permisos."
        )
    if isinstance(e, OSError) and e.errno == errno.EADDRINUSE:
        return (
            "La dirección de ASMBOT_WEBHOOK_ESCUCHA o ASMBOT_SALUD_ESCUCHA ya está en uso; "
            "elija otro puerto."
        )
    return None


def settings() -> Settings:
    """The settings, or one line naming the variable at fault."""
    try:
        return load_settings()
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


@contextmanager
def entorno(*, requiere_esquema: bool = True) -> Iterator[Entorno]:
    """The environment of one command; refuses a database whose schema is not current."""
    from bot.entorno import abrir_entorno
    from storage import migrate

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
