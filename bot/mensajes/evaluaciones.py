"""What people read about evaluations, their ASM and deadlines: Spanish of Mexico, usted, short.

Whatever a person typed goes through `e()`; lists are cut to stay under Telegram's 4,096.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.dominio.periodos import formato_fecha
from bot.dominio.recordatorios import Obligacion, TipoPlazo
from bot.dominio.texto import dias_habiles
from bot.dominio.vocabulario import TipoEvaluacion
from bot.mensajes.textos import e, recortar
from bot.servicios import salida
from bot.servicios.evaluaciones import CambioLimite, EnvioAsm, ResumenEvaluacion

MAX_EN_LISTA = 25


OBLIGACION = {
    TipoPlazo.POSICION_INSTITUCIONAL: "Posición institucional",
    TipoPlazo.PLAN_ACCION: "Plan de acción",
    TipoPlazo.ENTREGA_AVANCES: "Entrega de avances con evidencia",
    TipoPlazo.EVALUACION_EXTERNA: "Cumplimiento de la evaluación externa",
    TipoPlazo.TERMINO: "Fecha de término del ASM",
}


def _fecha(d: date | None) -> str:
    return formato_fecha(d) if d else "sin fecha"


def dias(n: int) -> str:
    if n < 0:
        return f"vencido hace {dias_habiles(-n)}"
    if n == 0:
        return "vence hoy"
    return f"falta{'' if n == 1 else 'n'} {dias_habiles(n)}"


def linea_obligacion(o: Obligacion) -> str:
    return (
        f"• {formato_fecha(o.fecha)} · {OBLIGACION[o.tipo]} ({o.articulo}) · "
        f"{e(o.dependencia)} · {e(recortar(o.asunto, 60))} — {dias(o.dias_restantes)}"
    )


def calendario(obligaciones: Sequence[Obligacion]) -> str:
    if not obligaciones:
        return "📅 No hay obligaciones abiertas con fecha."
    lineas = [linea_obligacion(o) for o in obligaciones[:MAX_EN_LISTA]]
    if len(obligaciones) > MAX_EN_LISTA:
        lineas.append(f"… y {len(obligaciones) - MAX_EN_LISTA} más (use asmbot plazos).")
    return "📅 <b>Obligaciones abiertas</b>, la más próxima primero:\n" + "\n".join(lineas)


def titulo_evaluacion(tipo: TipoEvaluacion, ejercicio_evaluado: int, programa_clave: str) -> str:
    return e(tipo.titulo(ejercicio_evaluado, programa_clave))


def asm_recibidos(
    titulo: str, numeros: Sequence[int], plazo_plan: date | None, limite: date | None
) -> str:
    """To the enlace when IMPLAN sends the ASM of an evaluation (Art. 10's clock starts)."""
    lista = ", ".join(str(n) for n in numeros[:40])
    plan = (
        f"Entregue su plan de acción a más tardar el {formato_fecha(plazo_plan)} "
        "(Art. 10 de los Lineamientos); use /plan."
        if plazo_plan
        else "Estos ASM son intergubernamentales: no requieren plan de acción (Art. 10)."
    )
    fin = f"\nFecha límite de atención: {formato_fecha(limite)}." if limite else ""
    return f"📨 <b>Recibió ASM</b> de la {titulo}.\nNúm.: {lista}.\n{plan}{fin}"


def limite_cambiado(titulo: str, antes: date | None, despues: date | None) -> str:
    return (
        f"📌 <b>Cambió la fecha límite de atención</b> de la {titulo}: "
        f"antes {_fecha(antes)}, ahora {_fecha(despues)}. "
        "Las fechas de término de sus ASM no pueden pasar de ella."
    )


def plazo_vencido(tipo: TipoPlazo, fecha: date, asunto: str) -> str:
    return (
        f"⚠️ <b>Venció el plazo</b>: {OBLIGACION[tipo]} ({tipo.articulo}), "
        f"{formato_fecha(fecha)}, {e(asunto)}. Si ya lo entregó por oficio, avise al IMPLAN."
    )


def escalado(tipo: TipoPlazo, fecha: date, dependencia: str, asunto: str) -> str:
    return (
        f"🔺 <b>Plazo vencido sin cumplir</b>: {e(dependencia)} — {OBLIGACION[tipo]} "
        f"({tipo.articulo}), {formato_fecha(fecha)}, {e(asunto)}."
    )


def calendario_incompleto(anios: Sequence[int]) -> str:
    """In the weekly digest: the municipal file has no entry for these years."""
    lista = " y ".join(str(a) for a in anios)
    return (
        f"⚠️ El archivo de días inhábiles municipales no tiene fechas de {lista}: sus "
        "periodos vacacionales cuentan como hábiles. Pida al administrador que lo actualice."
    )


def avisar_envio(session: Session, envio: EnvioAsm, ahora: datetime) -> int:
    """Tells each enlace which ASM its dependencia received and when the plan is due."""
    return sum(
        salida.avisar(
            session, a.destinatarios, "asm_recibidos",
            f"eval{envio.evaluacion_id}:{envio.fecha_recepcion.isoformat()}",
            asm_recibidos(e(envio.titulo), a.numeros, a.plazo_plan, envio.limite_atencion), ahora,
        )
        for a in envio.avisos
    )  # fmt: skip


def avisar_cambio_limite(session: Session, cambio: CambioLimite, ahora: datetime) -> int:
    """Announces a new fecha límite de atención to the dependencias affected."""
    despues = cambio.despues.isoformat() if cambio.despues else "ninguna"
    return salida.avisar(
        session, cambio.destinatarios, "limite_atencion",
        f"eval{cambio.evaluacion_id}:{despues}:{ahora:%Y%m%d%H%M%S}",
        limite_cambiado(e(cambio.titulo), cambio.antes, cambio.despues), ahora,
    )  # fmt: skip


# --- /evaluaciones ----------------------------------------------------------------------------

SOLO_COORDINACION = "Las evaluaciones las registra el Departamento de Evaluación del IMPLAN."
SIN_EVALUACIONES = (
    "No hay evaluaciones registradas. Para registrar la primera, pulse «Nueva evaluación»."
)
BOTON_NUEVA = "➕ Nueva evaluación"
BOTON_RECOMENDACION = "➕ Recomendación"
BOTON_ENVIAR = "📨 Enviar ASM a la dependencia"
BOTON_SI, BOTON_NO = "Sí cumple", "No cumple"
ELIJA_TIPO = "<b>Nueva evaluación.</b> ¿De qué tipo es? (Art. 6)"
PIDA_PP = "Escriba la clave del Pp o fondo evaluado (por ejemplo, E003)."
PIDA_EJERCICIO = "Escriba el ejercicio fiscal evaluado (por ejemplo, 2025)."
EJERCICIO_INVALIDO = "Escriba el ejercicio como un año de cuatro cifras, por ejemplo 2025."
PIDA_NOTIFICACION = (
    "¿Qué día se notificó el informe final a la dependencia? Escríbalo como 13/11/2026."
)
PIDA_LIMITE = (
    "Escriba la fecha límite de atención que fija el IMPLAN (Art. 2), como 30/06/2027, o «ninguna»."
)
PIDA_EVALUADOR = "¿Quién evaluó? (IMPLAN o la instancia externa). Escriba «-» si no aplica."
PIDA_RECOMENDACION = "Escriba el texto de la recomendación."
PIDA_MOTIVO = (
    "No cumple todos los criterios del Art. 7: escriba el motivo por el que no se selecciona."
)
ELIJA_CLASIFICACION = "Cumple los cuatro criterios. ¿Cuál es su clasificación? (Art. 9)"
ELIJA_PRIORIDAD = "¿Qué prioridad tiene? (Art. 9)"
PIDA_RESPONSABLES = (
    "Escriba cada responsable en una línea: siglas, dos puntos y el motivo de su participación "
    "(Art. 9). Por ejemplo:\nSEDEM: opera el programa\nTM: libera los recursos\n"
    "Si participa otro gobierno, agregue una línea «Gobierno: nombre»."
)
RESPONSABLES_INVALIDOS = "Escriba «SIGLAS: motivo», un responsable por línea."
NO_SELECCIONADA = "Guardada como no seleccionada, con su motivo."


def pregunta_criterio(etiqueta: str, articulo: str = "Art. 7") -> str:
    return f"¿Cumple el criterio de <b>{etiqueta}</b>? ({articulo})"


def evaluacion_creada(titulo: str) -> str:
    return f"✅ Se registró la {titulo}."


def asm_creado(numero: int) -> str:
    return f"✅ La recomendación es ahora el ASM {numero}."


def envio_hecho(enviados: int, plazo: date | None, avisos: int) -> str:
    plan = f"; plan de acción a más tardar el {formato_fecha(plazo)} (Art. 10)" if plazo else ""
    return f"📨 Se enviaron {enviados} ASM{plan}. Avisos a Enlaces SEDEM: {avisos}."


def rechazo(motivo: str) -> str:
    return f"⚠️ {e(motivo)}"


def lista_evaluaciones(n: int, sin_evaluacion: int) -> str:
    sueltos = f"\nASM sin evaluación: {sin_evaluacion}." if sin_evaluacion else ""
    return f"<b>Evaluaciones</b> ({n}). Elija una para ver sus ASM y plazos.{sueltos}"


def detalle(
    r: ResumenEvaluacion,
    recomendaciones: Sequence[tuple[int, str, str]],
    obligaciones: Sequence[tuple[TipoPlazo, date, bool, str]],
) -> str:
    """The evaluation, its recommendations (num, text, state), obligations and what is missing."""
    lineas = [
        f"<b>{e(r.titulo)}</b>",
        f"Evaluador: {e(r.evaluador) or '—'} · notificada: {_fecha(r.fecha_notificacion)}",
        f"Fecha límite de atención: {_fecha(r.limite_atencion)}",
        f"Recomendaciones: {r.recomendaciones} · ASM: {r.asm}",
    ]
    for numero, texto, estado in recomendaciones[:15]:
        lineas.append(f"  {numero}. {e(recortar(texto, 60))} — {estado}")
    if obligaciones:
        lineas.append("<b>Plazos</b>")
        for tipo, fecha, cumplida, dependencia in obligaciones[:15]:
            marca = "✅ cumplido" if cumplida else "⏳ pendiente"
            lineas.append(
                f"  {formato_fecha(fecha)} · {OBLIGACION[tipo]} ({tipo.articulo}) · "
                f"{e(dependencia)} — {marca}"
            )
    if r.faltantes:
        lineas.append("<b>Falta</b>")
        lineas += [f"  • {e(f)}" for f in r.faltantes[:15]]
    texto = "\n".join(lineas)
    return texto if len(texto) <= 4000 else texto[:3999] + "…"
