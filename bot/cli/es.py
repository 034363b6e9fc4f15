"""Click's own messages (usage, errors, help) in Spanish.

Click marks its texts for gettext (`from gettext import gettext as _` in each module); we give
those names a translating function instead of installing a process-wide gettext catalogue.
"""

from __future__ import annotations

import importlib

_TEXTOS = {
    "%(prog)s, version %(version)s": "%(prog)s, versión %(version)s",
    "Aborted!": "Cancelado.",
    "Commands": "Comandos",
    "Options": "Opciones",
    "Positional arguments": "Argumentos",
    "Usage:": "Uso:",
    "Show this message and exit.": "Muestra esta ayuda y termina.",
    "Show the version and exit.": "Muestra la versión y termina.",
    "Error: {message}": "Error: {message}",
    "Try '{command} {option}' for help.": "Vea «{command} {option}» para obtener ayuda.",
    "Invalid value for {param_hint}: {message}": "Valor inválido en {param_hint}: {message}",
    "Invalid value: {message}": "Valor inválido: {message}",
    "Missing argument": "Falta el argumento",
    "Missing option": "Falta la opción",
    "Missing parameter": "Falta el parámetro",
    "Missing command.": "Falta el comando.",
    "Missing {param_type}": "Falta {param_type}",
    "Missing parameter: {param_name}": "Falta el parámetro: {param_name}",
    "No such command {name!r}.": "No existe el comando {name!r}.",
    "No such option {name!r}.": "No existe la opción {name!r}.",
    "Option {name!r} does not take a value.": "La opción {name!r} no lleva valor.",
    "Argument {name!r} takes {nargs} values.": "El argumento {name!r} lleva {nargs} valores.",
    "Option {name!r} requires an argument.": "La opción {name!r} necesita un valor.",
    "default: {default}": "por omisión: {default}",
    "required": "obligatorio",
    "env var: {var}": "variable de entorno: {var}",
    "{value!r} is not a valid integer.": "{value!r} no es un número entero.",
    # Click names the type in English ("integer range"), and capitalises "{name}" (.title()),
    # so these sentences leave both out.
    "{value!r} is not a valid {number_type}.": "{value!r} no es un número válido.",
    "{value} is not in the range {range}.": "{value} está fuera del rango {range}.",
    "{name} {filename!r} does not exist.": "No existe {filename!r}.",
    "{name} {filename!r} is a directory.": "{filename!r} es una carpeta.",
    "{name} {filename!r} is a file.": "{filename!r} es un archivo.",
    "{name} {filename!r} is not readable.": "No se puede leer {filename!r}.",
    "{name} {filename!r} is not writable.": "No se puede escribir en {filename!r}.",
    "{name} {filename!r} is not executable.": "{filename!r} no es ejecutable.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} no es sí o no; use uno de: {states}"
    ),
    "Error: invalid input": "Error: respuesta no válida",
    "Do you want to continue?": "¿Desea continuar?",
    "Confirm the action without prompting.": "Confirma sin preguntar.",
    "Repeat for confirmation": "Repita para confirmar",
    "Error: The two entered values do not match.": "Error: los dos valores no coinciden.",
    "Press any key to continue...": "Pulse una tecla para continuar…",
    "unknown error": "error desconocido",
    "deprecated": "obsoleto",
    "Could not open file {filename!r}: {message}": "No se pudo abrir {filename!r}: {message}",
    "file": "El archivo",
    "directory": "La carpeta",
    "path": "La ruta",
    "integer": "número entero",
    "Choose from:\n\t{choices}": "Elija entre:\n\t{choices}",
}

_PLURALES = {
    "Option {name!r} requires an argument.": (
        "La opción {name!r} necesita un valor.",
        "La opción {name!r} necesita {nargs} valores.",
    ),
    "Argument {name!r} takes {nargs} values.": (
        "El argumento {name!r} lleva un valor.",
        "El argumento {name!r} lleva {nargs} valores.",
    ),
    "Got unexpected extra argument ({args})": (
        "Sobra el argumento ({args})",
        "Sobran los argumentos ({args})",
    ),
    "{value!r} is not {choice}.": ("{value!r} no es {choice}.", "{value!r} no es {choices}."),
    "Did you mean {possibility}?": (
        "¿Quiso decir {possibility}?",
        "(¿Quiso decir {possibilities}?)",
    ),
}


def _gettext(texto: str) -> str:
    return _TEXTOS.get(texto, texto)


def _ngettext(singular: str, plural: str, n: int) -> str:
    if singular in _PLURALES:
        uno, varios = _PLURALES[singular]
        if singular.startswith("{value!r} is not"):
            return uno if n == 1 else "{value!r} no es una de estas opciones: {choices}."
        return uno if n == 1 else varios
    return singular if n == 1 else plural


def instalar() -> None:
    for nombre in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui"):
        modulo = importlib.import_module(f"click.{nombre}")
        if hasattr(modulo, "_"):
            setattr(modulo, "_", _gettext)  # noqa: B010 (mypy cannot see these names)
        if hasattr(modulo, "ngettext"):
            setattr(modulo, "ngettext", _ngettext)  # noqa: B010
