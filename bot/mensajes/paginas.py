"""A list of buttons in pages, with «Anteriores» / «Siguientes»: the one pager of every list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.mensajes.textos import BOTON_ANTERIOR, BOTON_SIGUIENTE

T = TypeVar("T")
POR_PAGINA = 8  # buttons per page: a list stays readable on a phone


@dataclass(frozen=True)
class Pagina:
    visibles: Sequence[Any]
    navegacion: list[tuple[str, str]]  # «Anteriores» / «Siguientes», empty on a single page
    nota: str | None  # «Página n de m.», only when there are several


def pagina_de(numero: int, total: int) -> str:
    return f"Página {numero} de {total}."


def paginar(
    elementos: Sequence[T], pagina: int, dato: Callable[[int], str], por_pagina: int = POR_PAGINA
) -> Pagina:
    """The page `pagina` (clamped) of `elementos`; `dato(n)` is the button data of page n."""
    paginas = max(1, -(-len(elementos) // por_pagina))
    pagina = min(max(pagina, 0), paginas - 1)
    fila = []
    if pagina > 0:
        fila.append((BOTON_ANTERIOR, dato(pagina - 1)))
    if pagina < paginas - 1:
        fila.append((BOTON_SIGUIENTE, dato(pagina + 1)))
    nota = pagina_de(pagina + 1, paginas) if paginas > 1 else None
    return Pagina(elementos[pagina * por_pagina : (pagina + 1) * por_pagina], fila, nota)
