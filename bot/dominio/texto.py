"""Small text helpers shared by the reader of Anexo A files, the catalogue and the bot."""

from __future__ import annotations

import re
import unicodedata

_ESPACIOS = re.compile(r"\s+")
_PORCENTAJE = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*%?\s*$")


def normalizar(texto: str) -> str:
    """Lowercase, without accents, with runs of whitespace (line breaks too) as one space.

    Used to compare what people type with what we know: «Área  Responsable\\n» == «area responsable».
    """
    sin_acentos = "".join(
        c for c in unicodedata.normalize("NFKD", texto) if not unicodedata.combining(c)
    )
    return _ESPACIOS.sub(" ", sin_acentos).strip().lower()


def interpretar_porcentaje(texto: str) -> int:
    """A percent typed by a person: `45`, `45%`, ` 45 `, `45 %` → 45.

    Raises ValueError with a Spanish message when it is not a whole number from 0 to 100.
    """
    m = _PORCENTAJE.match(texto)
    if not m or len(m.group(1)) > 12:  # what is quoted back stays short
        raise ValueError(
            f"«{texto.strip()[:40]}» no es un porcentaje; escriba un número entero de 0 a 100."
        )
    valor = float(m.group(1).replace(",", "."))
    if not valor.is_integer():
        raise ValueError(f"{m.group(1)} no es un número entero; escriba un entero de 0 a 100.")
    entero = int(valor)
    if not 0 <= entero <= 100:
        raise ValueError(f"{entero} está fuera de rango; el avance va de 0 a 100.")
    return entero


# Control characters (C0, DEL, C1) but tab and line breaks; PostgreSQL refuses NUL outright,
# and the others are invisible tricks at best. Also the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def limpiar(texto: str) -> str:
    """What a person typed or a phone named, fit to store: no NUL or other control characters
    (tab and line breaks stay; a carriage return becomes a line break)."""
    return _CONTROL.sub("", texto.replace("\r\n", "\n").replace("\r", "\n"))


def limpiar_nombre_archivo(nombre: str) -> str:
    """A file name as a label: one line, no control characters, no folders, not empty."""
    limpio = " ".join(limpiar(nombre).replace("\\", "/").rsplit("/", 1)[-1].split())
    return limpio[:200] or "archivo"


def plural(n: int, singular: str, plural_: str | None = None) -> str:
    """«1 archivo», «2 archivos», «1 día hábil», «3 días hábiles»: the number and the words
    that agree with it (thousands with a comma, as in Mexico).

    One word is made plural by the regular rule (-s after a vowel, -es after a consonant,
    «-ión» → «-iones», «-z» → «-ces», an acronym such as «ASM» unchanged); a phrase or any
    other word gives its plural.
    """
    if n == 1:
        return f"1 {singular}"
    if plural_ is None:
        if " " in singular:
            raise ValueError(f"plural de «{singular}»: escríbalo, no se deduce de una frase")
        plural_ = _plural_palabra(singular)
    return f"{n:,} {plural_}"


def _plural_palabra(palabra: str) -> str:
    if palabra.isupper():
        return palabra  # ASM, Pp in capitals: the same in both
    if palabra[-1] in "aeiouáéó":
        return palabra + "s"
    if palabra.endswith("z"):
        return palabra[:-1] + "ces"
    if palabra.endswith(("ión", "án", "én", "ín", "ón", "ún")):
        # The stress falls on the same vowel, now before the last syllable: no written accent.
        acento = str.maketrans("áéíóú", "aeiou")
        return palabra[:-2] + palabra[-2].translate(acento) + palabra[-1] + "es"
    return palabra + "es"


def por_ciento(n: float) -> str:
    """A percentage as every message writes it: the number, a space and the sign («36 %»)."""
    return f"{n} %"


def dias_habiles(n: int) -> str:
    """«1 día hábil», «5 días hábiles»: how every message counts business days."""
    return plural(n, "día hábil", "días hábiles")
