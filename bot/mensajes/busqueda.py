"""What a person reads when /asm, /valorar or /invitar is given a search: the candidates to
pick from, or why none. A list's search is written in its message, in «», and read back from
it when a page is turned (`consulta_de`): the buttons stay short and nothing is kept."""

from __future__ import annotations

import re

from bot.mensajes import textos
from bot.mensajes.textos import e, recortar
from bot.servicios.busqueda import Candidato

BOTON_CANCELAR = textos.BOTON_CANCELAR
CANCELADO = "Cancelado"
LISTA_VENCIDA = "Esa lista ya no está vigente. Escriba el comando otra vez."
EJEMPLOS = "el Núm. (3), la clave del Pp y el Núm. (FORTAMUN-DF 5) o una palabra del ASM"
USO_ASM = f"Escriba {EJEMPLOS}, por ejemplo: /asm 3 o /asm padrón."
USO_VALORAR = f"Escriba {EJEMPLOS}, por ejemplo: /valorar FORTAMUN-DF 5."
PREGUNTA_ASM = "¿Cuál quiere ver?"
PREGUNTA_VALORAR = "¿Cuál quiere valorar?"
_CONSULTA = re.compile(r"coinciden? con «(.*)»\.")


def consulta_de(texto: str | None) -> str | None:
    """The search a list of candidates was made for, from its message (plain text)."""
    m = _CONSULTA.search(texto or "")
    return m.group(1) if m else None


def _lista(total: int, cosas: str, consulta: str, pregunta: str, nota: str | None) -> str:
    texto = f"<b>{total} {cosas} coinciden con «{e(consulta)}».</b> {pregunta}"
    return f"{texto}\n{nota}" if nota else texto


def candidatos(consulta: str, total: int, pregunta: str, nota: str | None) -> str:
    return _lista(total, "ASM", consulta, pregunta, nota)


def boton_candidato(c: Candidato) -> str:
    return f"Núm. {c.numero} · {recortar(c.clave, 14)} · {recortar(c.texto, 32)}"


def sin_asm(consulta: str) -> str:
    return (
        f"No encontré un ASM que usted pueda consultar con «{e(recortar(consulta, 60))}». "
        f"Escriba {EJEMPLOS}, de su programa o de su dependencia."
    )


# --- /invitar <dependencia> -----------------------------------------------------------------

PREGUNTA_DEPENDENCIA = "¿De cuál es el enlace?"


def dependencias(consulta: str, total: int, nota: str | None) -> str:
    return _lista(total, "dependencias", consulta, PREGUNTA_DEPENDENCIA, nota)


def sin_dependencia(consulta: str) -> str:
    return (
        f"No encontré una dependencia o entidad con «{e(recortar(consulta, 60))}». Escriba sus "
        "siglas o una palabra de su nombre, o escriba /invitar para elegirla de la lista."
    )
