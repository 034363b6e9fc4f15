"""Messages of /plan, /revisar, /posicion, /valorar and /asm: Spanish of Mexico, usted, short.

Telegram HTML: whatever a person typed goes through `e()`.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from bot.dominio.periodos import formato_fecha, nombre_mes
from bot.dominio.planes import CAMPOS_PLAN, etiqueta_estado, requiere_plan
from bot.dominio.texto import por_ciento
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Valoracion
from bot.mensajes.textos import e, partir, recortar
from bot.servicios.evidencias import tamano_legible
from bot.servicios.historial import Historial
from bot.servicios.plan_accion import Plan
from bot.servicios.posicion import EvaluacionPosicion, ReciboPosicion

SOLO_COORDINACION = "Este comando es para la Coordinación del IMPLAN (Departamento de Evaluación)."
CONTRALORIA_SOLO_CONSULTA = (
    "La Contraloría puede consultar, pero no modificar. No se hizo ningún cambio."
)
BOTON_VENCIDO = "Ese botón ya no está vigente. Escriba el comando de nuevo."
BOTON_CANCELAR = "Cancelar"

# --- /plan (enlace) -----------------------------------------------------------------------

SIN_ASM = "Su dependencia no tiene ASM registrados. Si es un error, avise al IMPLAN."
ELIJA_PLAN = "<b>¿De qué ASM quiere ver o completar el plan de acción?</b>"
BOTON_ENVIAR = "Enviar a revisión"
BOTON_CAMPO = {
    "actividades": "Actividades",
    "fecha_termino": "Fecha de término",
    "resultados_esperados": "Resultados esperados",
    "productos_evidencias": "Productos y evidencias",
}


def etiqueta_plan(p: Plan) -> str:
    estado = etiqueta_estado(p.estado) if requiere_plan(p.clasificacion) else "Sin plan"
    return f"Núm. {p.numero} · {p.programa_clave} · {estado} · {recortar(p.texto, 22)}"


def plan(p: Plan) -> str:
    fecha = formato_fecha(p.fecha_termino) if p.fecha_termino else "—"
    lineas = [
        f"<b>Plan de acción · Núm. {p.numero} · {e(p.programa_clave)}</b>",
        e(recortar(p.texto, 300)),
        f"<b>Clasificación:</b> {p.clasificacion.etiqueta}",
        f"<b>Estado:</b> {etiqueta_estado(p.estado)}",
        "",
        f"<b>Actividades:</b> {e(p.actividades) or '—'}",
        f"<b>Fecha de término:</b> {fecha}" + _limite(p.fecha_maxima),
        f"<b>Resultados esperados:</b> {e(p.resultados_esperados) or '—'}",
        f"<b>Productos y/o evidencias:</b> {e(p.productos_evidencias) or '—'}",
    ]
    if p.plazo_envio is not None:
        lineas.append(f"<b>Plazo para enviar el plan:</b> {formato_fecha(p.plazo_envio)}")
    if p.observaciones_revision:
        lineas += ["", f"<b>Observaciones del IMPLAN:</b> {e(p.observaciones_revision)}"]
    return "\n".join(lineas)


def _limite(maxima: date | None) -> str:
    return f" (límite: {formato_fecha(maxima)})" if maxima else ""


def plan_editable(p: Plan) -> str:
    return f"{plan(p)}\n\nElija qué campo completar o corregir, o envíelo a revisión."


def plan_no_editable(p: Plan, motivo: str) -> str:
    return f"{plan(p)}\n\n{e(motivo)}"


def pida_campo(campo: str, p: Plan) -> str:
    if campo == "fecha_termino":
        return "Escriba la fecha de término como 31/03/2027" + _limite(p.fecha_maxima) + "."
    actual = str(getattr(p, campo) or "")
    nota = f"\nActualmente: {e(recortar(actual, 300))}" if actual else ""
    return f"Escriba el texto de «{CAMPOS_PLAN[campo]}».{nota}"


def campo_guardado(campo: str) -> str:
    return f"✅ Se guardó «{CAMPOS_PLAN[campo]}»."


def campo_rechazado(motivo: str) -> str:
    return f"{e(motivo)}\nEscríbalo de nuevo, o /cancelar para salir."


def plan_enviado(p: Plan) -> str:
    return (
        f"📤 Se envió a revisión el plan del ASM Núm. {p.numero} · {e(p.programa_clave)}. "
        "El IMPLAN le responderá por este medio."
    )


def aviso_plan_enviado(p: Plan, dependencia: str | None) -> str:
    return (
        f"📝 <b>Plan de acción enviado a revisión</b>\n"
        f"ASM Núm. {p.numero} · {e(p.programa_clave)} — {e(recortar(p.texto, 120))}\n"
        f"Dependencia: {e(dependencia)}\nRevíselo con /revisar."
    )


def donde_esta_plan(paso: str) -> str:
    if paso == "valor":
        return "Escriba el valor del campo que eligió, o /cancelar para salir."
    return "Use los botones del plan de arriba, o /cancelar para salir."


# --- /revisar (coordinador) ---------------------------------------------------------------

SIN_PLANES_EN_REVISION = "No hay planes de acción esperando revisión."
ELIJA_REVISION = "<b>Planes enviados a revisión</b> (el más antiguo primero):"
BOTON_APROBAR = "Aprobar"
BOTON_OBSERVAR = "Enviar observaciones"
PIDA_OBSERVACIONES = (
    "Escriba las observaciones para la dependencia; las recibirá tal cual para corregir el plan."
)
BOTON_CORREGIR_PLAN = "Corregir el plan"


def etiqueta_revision(p: Plan) -> str:
    deps = ", ".join(p.dependencias)
    return f"Núm. {p.numero} · {p.programa_clave} · {deps} · {p.desde:%d/%m}"


def plan_para_revisar(p: Plan) -> str:
    return f"{plan(p)}\n<b>Dependencia:</b> {e(', '.join(p.dependencias))}"


def plan_aprobado_coord(p: Plan) -> str:
    return f"✅ Aprobó el plan del ASM Núm. {p.numero} · {e(p.programa_clave)}. Se avisó a la dependencia."


def plan_observado_coord(p: Plan) -> str:
    return (
        f"📨 Se enviaron las observaciones del ASM Núm. {p.numero} · {e(p.programa_clave)} "
        "a la dependencia."
    )


def aviso_plan_aprobado(p: Plan) -> str:
    return (
        f"✅ <b>Plan de acción aprobado</b>\nEl IMPLAN aprobó el plan del ASM Núm. {p.numero} · "
        f"{e(p.programa_clave)}. Informe cada mes su avance con /avance."
    )


def aviso_plan_observado(p: Plan, observaciones: str) -> str:
    return (
        f"📝 <b>Observaciones a su plan de acción</b>\nASM Núm. {p.numero} · "
        f"{e(p.programa_clave)} — {e(recortar(p.texto, 120))}\n\n{e(observaciones)}\n\n"
        "Corrija el plan y envíelo de nuevo."
    )


# --- /posicion (enlace) -------------------------------------------------------------------

SIN_EVALUACIONES = (
    "No hay evaluaciones registradas de los programas de su dependencia. Si es un error, avise "
    "al IMPLAN."
)
ELIJA_EVALUACION = "<b>¿De qué evaluación entregará la posición institucional?</b> (artículo 8)"
EVALUACION_AJENA = (
    "Esa evaluación no es de un programa de su dependencia. No se hizo ningún cambio."
)
POSICION_SOLO_DOCUMENTO = "Envíe el documento como archivo (PDF o Word), no como foto."
DESCARGA_FALLIDA = "No pude descargar el archivo de Telegram. Envíelo de nuevo, por favor."
_TIPO = {"interna": "interna", "externa": "externa", "seguimiento": "de seguimiento"}


def etiqueta_evaluacion(ev: EvaluacionPosicion) -> str:
    marca = " ✅" if ev.entregada else ""
    plazo = f" · plazo {formato_fecha(ev.plazo)}" if ev.plazo else ""
    return f"{ev.programa_clave} · {ev.ejercicio_evaluado} · {_TIPO[ev.tipo.value]}{plazo}{marca}"


def pida_posicion(ev: EvaluacionPosicion) -> str:
    plazo = (
        f"El plazo vence el {formato_fecha(ev.plazo)} (5 días hábiles desde la notificación)."
        if ev.plazo
        else "La fecha de notificación no está registrada."
    )
    return (
        f"Evaluación {_TIPO[ev.tipo.value]} {ev.ejercicio_evaluado} de {e(ev.programa_clave)}. {plazo}\n"
        "Envíe el documento de posición institucional (PDF o Word)."
    )


def recibo_posicion(r: ReciboPosicion) -> str:
    ev = r.evaluacion
    if r.en_tiempo is None:
        cuando = "Sin fecha de notificación registrada, no se pudo calcular el plazo."
    elif r.en_tiempo:
        cuando = f"Entregada en tiempo (plazo: {formato_fecha(ev.plazo)})." if ev.plazo else ""
    else:
        cuando = (
            f"⚠️ Entregada fuera de plazo (venció el {formato_fecha(ev.plazo)})." if ev.plazo else ""
        )
    return (
        f"✅ <b>Posición institucional recibida</b>\nEvaluación {_TIPO[ev.tipo.value]} "
        f"{ev.ejercicio_evaluado} de {e(ev.programa_clave)}: «{e(r.nombre)}».\n{cuando}"
    )


# --- /valorar (coordinador) ---------------------------------------------------------------


def no_hay_asm(numero: int) -> str:
    return f"No encontré un ASM con Núm. {numero} que usted pueda consultar."


def elija_programa(numero: int) -> str:
    return f"Hay varios ASM con Núm. {numero}. ¿De qué programa?"


# --- /asm (history) -----------------------------------------------------------------------

BOTON_VALORAR = "Valorar"
ARCHIVO_ALTERADO = (
    "El archivo guardado no coincide con el que se recibió (o falta); no se envió. Se registró "
    "el incidente; avise al administrador."
)
MAX_BOTONES_EVIDENCIA = 40

_ETIQUETA_CAMPO = {
    "texto": "ASM",
    "clasificacion": "Clasificación",
    "prioridad": "Prioridad",
    "claridad": "Claridad",
    "relevancia": "Relevancia",
    "justificacion": "Justificación",
    "factibilidad": "Factibilidad",
    "area_responsable": "Área responsable",
    "actividades": "Actividades",
    "fecha_termino": "Fecha de término",
    "resultados_esperados": "Resultados esperados",
    "productos_evidencias": "Productos y/o evidencias",
    "observaciones": "Observaciones",
    "valoracion": "Valoración",
    "estado_plan": "Estado del plan",
}
_ORIGEN = {"bot": "en el bot", "importacion": "por importación", "demo": "demo"}


def _valor(campo: str, valor: Any) -> str:
    if valor is None or valor == "":
        return "—"
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if isinstance(valor, date):
        return formato_fecha(valor)
    if campo == "estado_plan":
        return etiqueta_estado(EstadoPlan(valor))
    if campo == "valoracion":
        return Valoracion(valor).etiqueta
    if campo == "clasificacion":
        return Clasificacion(valor).etiqueta
    return e(recortar(str(valor), 200))


def _fecha_hora(d: datetime, zona: tzinfo) -> str:
    """The day something was recorded, where the people are (the database keeps UTC)."""
    return formato_fecha(d.astimezone(zona).date())


def historial(h: Historial, zona: tzinfo) -> list[str]:
    """The history in one or more messages under Telegram's limit; days in `zona`."""
    a = h.actual
    valoracion = Valoracion(a["valoracion"]).etiqueta if a.get("valoracion") else "sin valorar"
    partes = [
        f"<b>ASM Núm. {h.numero} · {e(h.programa_clave)} {e(h.programa_nombre)}</b>\n"
        f"{e(a['texto'])}\n"
        f"<b>Plan:</b> {etiqueta_estado(EstadoPlan(a['estado_plan']))} · "
        f"<b>Valoración:</b> {valoracion}",
        "<b>Cambios</b>",
    ]
    for c in h.cambios:
        cabeza = f"• {formato_fecha(c.vigente_desde)} ({_ORIGEN.get(c.origen, e(c.origen))})"
        if c.primera:
            partes.append(f"{cabeza}: alta del ASM")
            continue
        detalle = "; ".join(f"{_ETIQUETA_CAMPO.get(k, k)}: {_valor(k, v)}" for k, v in c.campos)
        partes.append(f"{cabeza}: {detalle}")
    if h.revisiones:
        partes.append("<b>Revisiones del plan (IMPLAN)</b>")
    for r in h.revisiones:
        estado = etiqueta_estado(EstadoPlan(r.resultado))
        obs = f": {e(recortar(r.observaciones, 300))}" if r.observaciones else ""
        partes.append(f"• {_fecha_hora(r.registrado_en, zona)}: {estado}{obs}")
    partes.append("<b>Avances</b>")
    if not h.avances:
        partes.append("Sin avances registrados.")
    for av in h.avances:
        folio = f" · folio {e(av.folio)}" if av.folio else ""
        obs = f" — {e(recortar(av.observaciones, 200))}" if av.observaciones else ""
        partes.append(f"• {nombre_mes(av.periodo)}: {por_ciento(av.porcentaje)}{folio}{obs}")
    partes.append(f"<b>Evidencias</b> ({len(h.evidencias)})")
    if not h.evidencias:
        partes.append("Sin evidencias.")
    for ev in h.evidencias:
        partes.append(
            f"• {e(ev.nombre)} ({tamano_legible(ev.tamano)}, {_fecha_hora(ev.registrado_en, zona)})"
        )
    if len(h.evidencias) > MAX_BOTONES_EVIDENCIA:
        partes.append(f"Se muestran botones para las {MAX_BOTONES_EVIDENCIA} más recientes.")
    return partir(partes)


def boton_evidencia(nombre: str) -> str:
    return f"⬇️ {recortar(nombre, 40)}"
