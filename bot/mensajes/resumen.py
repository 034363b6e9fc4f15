"""The texts of /resumen's buttons: who is missing, the coordination's reminder, the answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.dominio.periodos import nombre_mes
from bot.mensajes import callbacks
from bot.mensajes.recordatorios import BOTON_INFORMAR, boton_invitar
from bot.mensajes.textos import e, partir, recortar
from bot.servicios.consultas import EstadoAsm
from bot.servicios.resumen import Faltante, Recordado

RS = callbacks.RESUMEN
MAX_DEPENDENCIAS = 20  # lines and buttons of «Quién falta»: the worst first
MAX_ASM = 5  # ASM listed under each dependencia

BOTON_QUIEN_FALTA = "Quién falta"
BOTON_VENCIDO = "Ese botón ya no está vigente. Escriba /resumen para ver las cifras de hoy."
TODOS_INFORMARON = "✅ Todas las dependencias informaron el avance de este mes."


def boton_quien_falta(dependencias: int) -> str:
    return f"{BOTON_QUIEN_FALTA} ({dependencias})"


def boton_recordar(dependencia: str) -> str:
    return recortar(f"Recordar a {dependencia}", 60)


def _cuantos(n: int) -> str:
    return "1 ASM" if n == 1 else f"{n} ASM"


def quien_falta(mes: date, faltantes: Sequence[Faltante]) -> list[str]:
    """The list as messages under Telegram's limit, never cutting a dependencia's block."""
    if not faltantes:
        return [TODOS_INFORMARON]
    n = len(faltantes)
    cuantas = "1 dependencia" if n == 1 else f"{n} dependencias"
    bloques = [f"📋 <b>Avance de {nombre_mes(mes)}: faltan {cuantas}</b>"]
    for f in faltantes[:MAX_DEPENDENCIAS]:
        vencidos = f" ({f.vencidos} vencido{'s' if f.vencidos != 1 else ''})" if f.vencidos else ""
        quien = (
            "Enlace: " + ", ".join(e(x) for x in f.enlaces)
            if f.enlaces
            else "<i>Sin enlace activo en el bot</i>"
        )
        lineas = [f"<b>{e(f.nombre)}</b>: faltan {_cuantos(len(f.pendientes))}{vencidos}", quien]
        lineas += [
            f"• Núm. {a.numero} · {e(a.programa_clave)} — {e(recortar(a.texto, 50))}"
            for a in f.pendientes[:MAX_ASM]
        ]
        if len(f.pendientes) > MAX_ASM:
            lineas.append(f"… y {len(f.pendientes) - MAX_ASM} más.")
        bloques.append("\n".join(lineas))
    if n > MAX_DEPENDENCIAS:
        bloques.append(f"… y {n - MAX_DEPENDENCIAS} dependencias más.")
    return partir(bloques)


def botones_quien_falta(
    faltantes: Sequence[Faltante], coordinador: bool
) -> list[list[tuple[str, str]]]:
    """For a coordinador: «Recordar a …» where there is an enlace, «Invitar enlace de …» where
    there is none. The Contraloría only reads (Art. 13)."""
    if not coordinador:
        return []
    return [
        [
            (boton_recordar(f.etiqueta), callbacks.dato(RS, "rec", f.dependencia_id))
            if f.enlaces
            else (boton_invitar(f.etiqueta), callbacks.dato(RS, "inv", f.dependencia_id))
        ]
        for f in faltantes[:MAX_DEPENDENCIAS]
    ]


def recordatorio(mes: date, pendientes: Sequence[EstadoAsm]) -> str:
    """What the enlaces get when a coordinador presses «Recordar a …»."""
    lineas = [
        f"• Núm. {a.numero} · {e(a.programa_clave)} — {e(recortar(a.texto, 70))}"
        for a in pendientes[:8]
    ]
    if len(pendientes) > 8:
        lineas.append(f"… y {len(pendientes) - 8} más.")
    return (
        f"📣 <b>Avance de {nombre_mes(mes)}: la coordinación del IMPLAN se lo recuerda</b>\n"
        f"Su dependencia aún no informa el avance de {_cuantos(len(pendientes))}:\n"
        + "\n".join(lineas)
        + f"\n\nPulse «{BOTON_INFORMAR}» para hacerlo ahora."
    )


BOTONES_RECORDATORIO = [[(BOTON_INFORMAR, callbacks.dato(callbacks.AVANCE, "ini"))]]


def recordado(r: Recordado) -> str:
    if not r.nuevos:
        return f"Ya se le recordó hoy a {e(r.dependencia)}; no se envió de nuevo."
    a_quien = "a su enlace" if r.enlaces == 1 else f"a sus {r.enlaces} enlaces"
    return f"📣 Se envió el recordatorio {a_quien} de {e(r.dependencia)}."
