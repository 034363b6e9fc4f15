"""The pickers of /asm, /valorar and /invitar: what was typed is searched
(bot.servicios.busqueda); one match goes straight on, several come as buttons in pages with
«Cancelar», none says what to type.

Buttons, under the command's own prefix: `<p>:a:<asm id>` (or `us1:id:<dependencia id>`), the
command's usual choice; `<p>:bpg:<página>`, another page, searched again from the search
written in the list's message; `<p>:bno` (`us1:no`), «Cancelar», which leaves any draft alone.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Update

from bot.dominio.busqueda import MAX_CONSULTA, interpretar
from bot.mensajes import busqueda as tb
from bot.mensajes import callbacks
from bot.mensajes.admin import boton_dependencia
from bot.mensajes.paginas import paginar
from bot.servicios.busqueda import Candidato, buscar_asm, buscar_dependencia
from bot.servicios.usuarios import Dep, Persona
from handlers.base import Contexto, editar_en_sitio, en_bd, quitar_botones, responder, teclado

PAGINA, CANCELAR = "bpg", "bno"
ACCIONES = (PAGINA, CANCELAR)  # the buttons pulsar() takes


def texto_del_comando(context: Contexto) -> str:
    """What was typed after the command, kept short (it is quoted back)."""
    return " ".join(context.args or [])[:MAX_CONSULTA].strip()


def _teclado(
    filas: list[list[tuple[str, str]]], navegacion: list[tuple[str, str]], cancelar: str
) -> InlineKeyboardMarkup:
    if navegacion:
        filas.append(navegacion)
    filas.append([(tb.BOTON_CANCELAR, cancelar)])
    return teclado(filas)


def _lista_asm(
    consulta: str, encontrados: Sequence[Candidato], pagina: int, prefijo: str, pregunta: str
) -> tuple[str, InlineKeyboardMarkup]:
    pg = paginar(encontrados, pagina, lambda n: callbacks.dato(prefijo, PAGINA, n))
    filas = [[(tb.boton_candidato(c), callbacks.dato(prefijo, "a", c.asm_id))] for c in pg.visibles]
    botones = _teclado(filas, pg.navegacion, callbacks.dato(prefijo, CANCELAR))
    return tb.candidatos(consulta, len(encontrados), pregunta, pg.nota), botones


async def elegir_asm(
    update: Update, context: Contexto, persona: Persona, prefijo: str, pregunta: str, uso: str
) -> int | None:
    """The ASM the command's text names, among those the person may see; None after showing
    the candidates (`<prefijo>:a:<id>` buttons), or saying that none matched or how to write it."""
    consulta = texto_del_comando(context)
    if not interpretar(consulta).palabras:
        await responder(update, uso)
        return None
    hoy = context.entorno.hoy()
    encontrados = await en_bd(context, lambda s: buscar_asm(s, persona, consulta, hoy))
    if len(encontrados) == 1:
        return encontrados[0].asm_id
    if not encontrados:
        await responder(update, tb.sin_asm(consulta))
        return None
    await responder(update, *_lista_asm(consulta, encontrados, 0, prefijo, pregunta))
    return None


async def pulsar(
    update: Update, context: Contexto, persona: Persona, b: callbacks.Boton, pregunta: str
) -> None:
    """«Cancelar» or another page of a list of ASM candidates."""
    q = update.callback_query
    assert q is not None
    if b.accion == CANCELAR:
        await q.answer()
        await quitar_botones(update, tb.CANCELADO)
        return
    consulta = tb.consulta_de(getattr(q.message, "text", None))
    if consulta is None or b.valor is None:
        await q.answer(tb.LISTA_VENCIDA, show_alert=True)
        return
    hoy = context.entorno.hoy()
    encontrados = await en_bd(context, lambda s: buscar_asm(s, persona, consulta, hoy))
    if not encontrados:
        await q.answer(tb.LISTA_VENCIDA, show_alert=True)
        return
    await q.answer()
    await editar_en_sitio(update, *_lista_asm(consulta, encontrados, b.valor, b.flujo, pregunta))


# --- /invitar <dependencia> -----------------------------------------------------------------


def _lista_dependencias(
    consulta: str, encontradas: Sequence[Dep], pagina: int
) -> tuple[str, InlineKeyboardMarkup]:
    us = callbacks.USUARIOS
    pg = paginar(encontradas, pagina, lambda n: callbacks.dato(us, PAGINA, n))
    filas = [
        [(boton_dependencia(d.nombre, d.siglas), callbacks.dato(us, "id", d.id))]
        for d in pg.visibles
    ]
    botones = _teclado(filas, pg.navegacion, callbacks.dato(us, "no"))
    return tb.dependencias(consulta, len(encontradas), pg.nota), botones


async def elegir_dependencia(update: Update, context: Contexto, consulta: str) -> Dep | None:
    """The one dependencia that `consulta` names; None after offering the candidates
    (`us1:id:<id>` buttons) or saying that none matched."""
    encontradas = await en_bd(context, lambda s: buscar_dependencia(s, consulta))
    if len(encontradas) == 1:
        return encontradas[0]
    if not encontradas:
        await responder(update, tb.sin_dependencia(consulta))
        return None
    await responder(update, *_lista_dependencias(consulta, encontradas, 0))
    return None


async def pagina_de_dependencias(update: Update, context: Contexto, pagina: int) -> None:
    q = update.callback_query
    assert q is not None
    consulta = tb.consulta_de(getattr(q.message, "text", None))
    encontradas = (
        await en_bd(context, lambda s: buscar_dependencia(s, consulta)) if consulta else []
    )
    if consulta is None or not encontradas:
        await q.answer(tb.LISTA_VENCIDA, show_alert=True)
        return
    await q.answer()
    await editar_en_sitio(update, *_lista_dependencias(consulta, encontradas, pagina))
