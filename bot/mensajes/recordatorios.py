"""The texts of the scheduler's reminders, in one place: Spanish of Mexico, formal (usted), short.

Telegram HTML: whatever a person typed (ASM, names of programs and dependencias) goes through
`e()`. Every text stays well under Telegram's 4,096 characters: long lists are cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.dominio.estado import Conteo
from bot.dominio.periodos import Trimestre, formato_fecha, nombre_mes
from bot.dominio.plazos import DIAS_RIESGO_PREDETERMINADOS
from bot.dominio.recordatorios import FaltanteMensual, RiesgoDependencia, TipoPlazo
from bot.dominio.texto import dias_habiles, por_ciento
from bot.dominio.vocabulario import TipoEvaluacion
from bot.mensajes.textos import e, recortar
from bot.servicios.consultas import EstadoAsm

BOTON_INFORMAR = "Informar avance"

MAX_ASM_EN_LISTA = 8
MAX_DEPENDENCIAS_EN_LISTA = 40

_PLAZO = {
    TipoPlazo.POSICION_INSTITUCIONAL: (
        "Posición institucional",
        "entregar la posición institucional sobre los resultados (Art. 8 de los Lineamientos)",
    ),
    TipoPlazo.PLAN_ACCION: (
        "Plan de acción",
        "entregar el Plan de Acción (Anexo A) de sus ASM (Art. 10 de los Lineamientos)",
    ),
    TipoPlazo.ENTREGA_AVANCES: (
        "Entrega de avances",
        "entregar al IMPLAN los avances con sus documentos probatorios, con copia a la "
        "Contraloría (Art. 13 de los Lineamientos)",
    ),
    TipoPlazo.EVALUACION_EXTERNA: (
        "Cumplimiento del plan de acción",
        "demostrar el cumplimiento del Plan de Acción de la evaluación externa "
        "(Art. 13 de los Lineamientos)",
    ),
}

_EVALUACION = {
    TipoEvaluacion.INTERNA: "Evaluación interna",
    TipoEvaluacion.EXTERNA: "Evaluación externa",
    TipoEvaluacion.SEGUIMIENTO: "Informe de seguimiento",
}


def _cuando(dias: int) -> str:
    """`hoy es el último día hábil` / `falta 1 día hábil` / `faltan 5 días hábiles`."""
    if dias <= 0:  # also the Friday before a deadline that falls on a weekend
        return "hoy es el último día hábil"
    return f"falta{'' if dias == 1 else 'n'} {dias_habiles(dias)}"


def _asm(a: EstadoAsm) -> str:
    return f"Núm. {a.numero} · {e(a.programa_clave)} — {e(recortar(a.texto, 70))}"


def _lista_asm(asm: Sequence[EstadoAsm]) -> str:
    lineas = [f"• {_asm(a)}" for a in asm[:MAX_ASM_EN_LISTA]]
    if len(asm) > MAX_ASM_EN_LISTA:
        lineas.append(f"… y {len(asm) - MAX_ASM_EN_LISTA} más.")
    return "\n".join(lineas)


def _avance(a: EstadoAsm) -> str:
    return "sin avance registrado" if a.avance is None else por_ciento(a.avance)


def _cuantos_asm(n: int) -> str:
    return "1 ASM" if n == 1 else f"{n} ASM"


# --- Monthly update ------------------------------------------------------------------------


def mensual_inicio(mes: date, pendientes: Sequence[EstadoAsm]) -> str:
    return (
        f"📅 <b>Avance de {nombre_mes(mes)}</b>\n"
        f"Ya puede informar el avance mensual. Su dependencia tiene {_cuantos_asm(len(pendientes))} "
        f"sin avance de este mes:\n{_lista_asm(pendientes)}\n\n"
        f"Pulse «{BOTON_INFORMAR}» para empezar."
    )


def mensual_cierre(
    mes: date, ultimo_habil: date, dias: int, pendientes: Sequence[EstadoAsm]
) -> str:
    return (
        f"⏰ <b>Avance de {nombre_mes(mes)}: {_cuando(dias)}</b>\n"
        f"El último día hábil del mes es el {formato_fecha(ultimo_habil)} y su dependencia aún "
        f"no informa el avance de {_cuantos_asm(len(pendientes))}:\n{_lista_asm(pendientes)}\n\n"
        f"Pulse «{BOTON_INFORMAR}» para hacerlo ahora."
    )


def informado(mes: date, ultimo_habil: date, pendientes: Sequence[EstadoAsm]) -> str:
    return (
        f"⚠️ <b>Avance de {nombre_mes(mes)} sin informar</b>\n"
        f"Al último día hábil del mes ({formato_fecha(ultimo_habil)}) su dependencia no ha "
        f"informado el avance de {_cuantos_asm(len(pendientes))}, por lo que se hizo del "
        "conocimiento del Departamento de Evaluación del IMPLAN.\n"
        f"{_lista_asm(pendientes)}\n\nLe pedimos informarlo cuanto antes."
    )


def escalamiento(mes: date, ultimo_habil: date, faltantes: Sequence[FaltanteMensual]) -> str:
    lineas = []
    for f in faltantes[:MAX_DEPENDENCIAS_EN_LISTA]:
        sin_enlace = "" if f.con_enlace else " <i>(sin enlace activo en el bot)</i>"
        lineas.append(
            f"• {e(f.dependencia)}: {f.sin_avance} de {_cuantos_asm(f.abiertos)} sin avance"
            f"{sin_enlace}"
        )
    if len(faltantes) > MAX_DEPENDENCIAS_EN_LISTA:
        lineas.append(f"… y {len(faltantes) - MAX_DEPENDENCIAS_EN_LISTA} más.")
    n = len(faltantes)
    cuantas = "1 dependencia no ha" if n == 1 else f"{n} dependencias no han"
    return (
        f"📋 <b>Avance de {nombre_mes(mes)}: dependencias sin informar</b>\n"
        f"Al último día hábil del mes ({formato_fecha(ultimo_habil)}), {cuantas} informado "
        "el avance de todos sus ASM abiertos:\n"
        + "\n".join(lineas)
        + "\n\n"
        + _quien_supo(faltantes)
    )


def _quien_supo(faltantes: Sequence[FaltanteMensual]) -> str:
    """Says the enlaces were told only of those that have one; the others get an invitation."""
    con = sum(f.con_enlace for f in faltantes)
    sin = len(faltantes) - con
    if not sin:
        return "Se avisó a sus Enlaces SEDEM que la Coordinación fue informada."
    invitar = (
        "Ninguna tiene Enlace SEDEM activo en el bot, así que no se avisó a nadie."
        if not con
        else "Se avisó a los Enlaces SEDEM de las que tienen uno que la Coordinación fue "
        f"informada. {'1 no tiene' if sin == 1 else f'{sin} no tienen'} Enlace SEDEM activo en el bot."
    )
    return f"{invitar} Pulse «Invitar enlace de …» para generar su invitación."


def boton_invitar(dependencia: str) -> str:
    return recortar(f"Invitar enlace de {dependencia}", 60)


MAX_BOTONES_INVITAR = 8


# --- Deadlines -----------------------------------------------------------------------------


def plazo_termino(a: EstadoAsm, dias: int) -> str:
    assert a.fecha_termino is not None
    return (
        f"⏳ <b>Fecha de término: {_cuando(dias)}</b>\n"
        f"{_asm(a)}\n"
        f"Vence el {formato_fecha(a.fecha_termino)}. Avance: {_avance(a)}.\n"
        "Si ya lo concluyó, registre el 100 % con su evidencia."
    )


def vencido_termino(a: EstadoAsm) -> str:
    assert a.fecha_termino is not None
    return (
        "🔴 <b>Venció la fecha de término</b>\n"
        f"{_asm(a)}\n"
        f"Venció el {formato_fecha(a.fecha_termino)} con avance: {_avance(a)}.\n"
        "Informe su avance y, si hubo retraso, explique la causa en las observaciones."
    )


def plazo_evaluacion(
    tipo: TipoPlazo,
    fecha: date,
    dias: int,
    tipo_evaluacion: TipoEvaluacion,
    ejercicio: int,
    programa_clave: str,
    programa_nombre: str,
) -> str:
    titulo, que = _PLAZO[tipo]
    return (
        f"⏳ <b>{titulo}: {_cuando(dias)}</b>\n"
        f"{_EVALUACION[tipo_evaluacion]} {ejercicio} de {e(programa_clave)} "
        f"{e(programa_nombre)}.\n"
        f"El plazo para {que} vence el {formato_fecha(fecha)}."
    )


# --- Weekly digest and quarterly Anexo A ---------------------------------------------------


def resumen_semanal(
    lunes: date,
    filas: Sequence[RiesgoDependencia],
    conteo: Conteo | None = None,
    por_valorar: int = 0,
) -> str:
    """`conteo` gives the totals (each ASM once, closed ones apart); without it, the rows' sum."""
    titulo = f"📊 <b>Resumen semanal de ASM</b> (semana del {formato_fecha(lunes)})"
    if conteo is not None:
        titulo += (
            f"\n⚖️ Por valorar (en 100 % o vencidos, sin valoración): {por_valorar} · "
            f"Cerrados (valorados): {conteo.cerrados}"
        )
    if not filas:
        return f"{titulo}\nNo hay ASM vencidos ni en riesgo. 🟢"
    vencidos = conteo.vencidos if conteo else sum(f.vencidos for f in filas)
    en_riesgo = conteo.en_riesgo if conteo else sum(f.en_riesgo for f in filas)
    lineas = [
        f"• {e(f.dependencia)}: 🔴 vencidos {f.vencidos} · 🟡 en riesgo {f.en_riesgo}"
        for f in filas[:MAX_DEPENDENCIAS_EN_LISTA]
    ]
    if len(filas) > MAX_DEPENDENCIAS_EN_LISTA:
        lineas.append(f"… y {len(filas) - MAX_DEPENDENCIAS_EN_LISTA} dependencias más.")
    return (
        f"{titulo}\n🔴 Vencidos: {vencidos} · 🟡 En riesgo ({dias_habiles(DIAS_RIESGO_PREDETERMINADOS)} o "
        f"menos): {en_riesgo}\n\n" + "\n".join(lineas)
    )


def anexo_trimestral(trimestre: Trimestre) -> str:
    """Caption of the consolidated Anexo A sent when a quarter ends."""
    return (
        f"📎 Anexo A consolidado del {trimestre.etiqueta.lower()}, con el estado de los ASM al "
        f"{formato_fecha(trimestre.fin)}."
    )
