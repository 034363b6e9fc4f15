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
ANEXO = "ax1"
RECORDATORIOS = "rc1"
USUARIOS = "us1"  # /usuarios, /invitar
IMPORTAR = "im1"  # an Anexo A sent to the bot by a coordinador
PLAN = "pl1"  # plan de acción and its review
VALORACION = "va1"  # Art. 14
HISTORIAL = "as1"  # /asm: one ASM's history and evidence
OFICIO = "of1"  # /oficio: the month's oficio of Art. 13
PRORROGA = "pr1"  # a prórroga: asked by the enlace, decided by IMPLAN
EVALUACIONES = "ea1"  # /evaluaciones: evaluations, recommendations, ASM
RESUMEN = "rs1"  # /resumen and the month-end warning: who is missing, remind, invite

_FORMA = re.compile(
    r"^(av1|ev1|reg1|ax1|rc1|us1|im1|pl1|va1|as1|of1|pr1|ea1|rs1):([a-z]{1,8})(?::(\d{1,9}))?(?::(\d{1,9}))?$"
)


@dataclass(frozen=True)
class Boton:
    flujo: str  # one of the prefixes above
    accion: str
    valor: int | None = None
    valor2: int | None = None  # ax1 carries a programa and a quarter


def dato(flujo: str, accion: str, valor: int | None = None, valor2: int | None = None) -> str:
    return ":".join([flujo, accion, *(str(v) for v in (valor, valor2) if v is not None)])


def leer(data: str | None) -> Boton | None:
    """None for anything that is not one of our buttons."""
    m = _FORMA.match(data or "")
    if m is None:
        return None
    valor, valor2 = (int(g) if g else None for g in m.group(3, 4))
    return Boton(m.group(1), m.group(2), valor, valor2)
