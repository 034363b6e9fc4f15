"""What the enlace reads in the pending run of /avance: the next ASM, a report half done, a
report already made this month, «Corregir» (handlers/avance.py)."""

from __future__ import annotations

from datetime import date

from bot.dominio.periodos import nombre_mes
from bot.dominio.texto import plural, por_ciento
from bot.mensajes.textos import e, recortar

BOTON_CONTINUAR = "Continuar"
BOTON_DESCARTAR = "Descartar"
BOTON_TERMINAR = "Terminar"
BOTON_VER_TODOS = "Ver todos"
BOTON_CORREGIR_REPORTE = "Corregir ese reporte"
BOTON_CORREGIR_PORCENTAJE = "% de avance"
BOTON_CORREGIR_OBSERVACIONES = "Observaciones"
BOTON_AGREGAR_ARCHIVO = "Agregar archivo"
BOTON_VOLVER_RESUMEN = "Volver al resumen"
TERMINADO = "Listo. Cuando quiera informar otro ASM, escriba /avance."
QUE_CORREGIR = "¿Qué quiere corregir?"
DESCARTADO = "Se descartó el reporte a medias."
DESCARTADO_OTRO = "Listo. Escriba de nuevo el comando que quería usar."


def boton_siguiente(posicion: int, total: int) -> str:
    return f"Siguiente pendiente ({posicion} de {total})"


def boton_quitar(nombre: str) -> str:
    return f"Quitar «{recortar(nombre, 30)}»"


def pendiente(posicion: int, total: int, mes: date) -> str:
    return f"<b>Pendiente {posicion} de {total}</b> del avance de {nombre_mes(mes)}"


def a_medias(numero: int | None, clave: str | None, porcentaje: int | None, archivos: int) -> str:
    hecho = por_ciento(porcentaje) if porcentaje is not None else plural(archivos, "archivo")
    return (
        f"Tiene un reporte a medias del Núm. {numero} · {e(clave)} ({hecho}). "
        "¿Lo continúa o lo descarta?"
    )


def ya_informado(numero: int, clave: str, porcentaje: int | None, mes: date) -> str:
    valor = "—" if porcentaje is None else por_ciento(porcentaje)
    return (
        f"Ya informó el avance de {nombre_mes(mes)} del ASM Núm. {numero} · {e(clave)} "
        f"({valor}). Si algo cambió, corrija ese reporte: conserva su folio, con la marca «-C»."
    )


def sin_pendientes(mes: date) -> str:
    return f"Ya informó todos sus ASM de {nombre_mes(mes)}. Si necesita corregir uno, elíjalo:"


def pida_observaciones(obligatorias: bool, actuales: str | None) -> str:
    base = (
        "Escriba las observaciones o la justificación (son obligatorias para este reporte)."
        if obligatorias
        else "Escriba sus observaciones, o pulse «Omitir» si no tiene."
    )
    return base if not actuales else f"{base}\nLas actuales: «{e(actuales)}»."
