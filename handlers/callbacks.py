"""Button data: a short, versioned prefix per conversation, parsed in one place.

Data from a button comes from the phone and may be forged: parsing only says what it claims;
the handlers check it against the database and the person's rights every time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AVANCE = "av1"
EVIDENCIA = "ev1"
REGISTRO = "reg1"

_FORMA = re.compile(r"^(av1|ev1|reg1):([a-z]{1,8})(?::(\d{1,9}))?$")


@dataclass(frozen=True)
class Boton:
    flujo: str  # av1, ev1, reg1
    accion: str
    valor: int | None = None


def dato(flujo: str, accion: str, valor: int | None = None) -> str:
    return f"{flujo}:{accion}" if valor is None else f"{flujo}:{accion}:{valor}"


def leer(data: str | None) -> Boton | None:
    """None for anything that is not one of our buttons."""
    m = _FORMA.match(data or "")
    if m is None:
        return None
    return Boton(m.group(1), m.group(2), int(m.group(3)) if m.group(3) else None)
