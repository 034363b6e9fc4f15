"""Finding an ASM or a dependencia from what a person types: «FORTAMUN-DF 5», «5», «padrón
único», «Bienestar». Accents and capitals do not matter (bot.dominio.texto.normalizar); each word
typed must begin a word of what is searched, so «bien» finds «Bienestar» and «agua» does not
find «desagüe»."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.dominio.texto import normalizar

_PALABRA = re.compile(r"\w+")
# «Núm. 5», «No. 5», «#5»: the word before a number says it is the Núm.
_ANTES_DEL_NUMERO = {"num", "numero", "no"}
MAX_CONSULTA = 100  # characters of a search kept (it is quoted back in the reply)


def palabras(texto: str) -> list[str]:
    """The words of a text, without accents, in lowercase: «FORTAMUN-DF» → fortamun, df."""
    return _PALABRA.findall(normalizar(texto))


def coincide(buscadas: Sequence[str], textos: Iterable[str]) -> bool:
    """Every word searched begins some word of the texts."""
    propias = {p for t in textos for p in palabras(t)}
    return all(any(p.startswith(b) for p in propias) for b in buscadas)


@dataclass(frozen=True)
class FichaAsm:
    """What an ASM is found by: its Pp clave and Núm., its text, the Pp's name and the
    dependencias that answer for it (names and siglas)."""

    asm_id: int
    numero: int
    clave: str
    textos: tuple[str, ...] = ()


@dataclass(frozen=True)
class Consulta:
    palabras: tuple[str, ...]  # all the words typed, «núm.» and «#» left out
    numero: int | None  # the last word, when it is a number


def interpretar(texto: str) -> Consulta:
    todas = palabras(texto[:MAX_CONSULTA])
    limpias = [
        p
        for i, p in enumerate(todas)
        if not (p in _ANTES_DEL_NUMERO and i + 1 < len(todas) and todas[i + 1].isdigit())
    ]
    ultima = limpias[-1] if limpias else ""
    numero = int(ultima) if ultima.isdigit() and len(ultima) <= 6 else None
    return Consulta(tuple(limpias), numero)


def buscar_asm(fichas: Sequence[FichaAsm], texto: str) -> list[FichaAsm]:
    """The ASM that match, in the order given.

    A Pp clave alone is its ASM; «5», every ASM with Núm. 5; «FORTAMUN-DF 5», the one of that
    Pp; «padrón 5», the Núm. 5
    whose texts have «padrón»; any other text, the ASM whose clave or texts have every word
    (a number included, when no Núm. matched: «Ley 2020»).
    """
    c = interpretar(texto)
    if not c.palabras:
        return []
    del_pp = [f for f in fichas if tuple(palabras(f.clave)) == c.palabras]
    if del_pp:  # «K-010»: the Pp's ASM, though its clave ends in a number
        return del_pp
    if c.numero is not None:
        resto = list(c.palabras[:-1])
        con_numero = [f for f in fichas if f.numero == c.numero]
        if not resto:
            return con_numero
        de_la_clave = [f for f in con_numero if palabras(f.clave) == resto]
        if de_la_clave:
            return de_la_clave
        por_texto = [f for f in con_numero if coincide(resto, (f.clave, *f.textos))]
        if por_texto:
            return por_texto
    return [f for f in fichas if coincide(c.palabras, (f.clave, *f.textos))]


class ConNombre(Protocol):
    @property
    def nombre(self) -> str: ...

    @property
    def siglas(self) -> str | None: ...


D = TypeVar("D", bound=ConNombre)


def buscar_dependencias(dependencias: Sequence[D], texto: str) -> list[D]:
    """The dependencias that match, in the order given: the one whose siglas or whole name is
    what was typed; otherwise those whose name or siglas have every word («Bienestar»)."""
    buscado = normalizar(texto[:MAX_CONSULTA])
    if not buscado:
        return []
    exactas = [
        d for d in dependencias if buscado in (normalizar(d.nombre), normalizar(d.siglas or "\0"))
    ]
    if exactas:
        return exactas
    buscadas = palabras(buscado)
    if not buscadas:
        return []
    return [d for d in dependencias if coincide(buscadas, (d.nombre, d.siglas or ""))]
