"""Every message a person reads, in one place: Spanish of Mexico, formal (usted), short.

Texts are Telegram HTML: whatever a person typed goes through `e()` before it is put in one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from bot.dominio.periodos import formato_fecha, nombre_mes
from bot.dominio.reglas import admite_sin_evidencia
from bot.dominio.vocabulario import Rol, Semaforo
from bot.servicios.consultas import EstadoAsm
from bot.servicios.evidencias import ArchivoEvidencia, tamano_legible
from bot.servicios.seguimiento import Recibo


def e(texto: str | None) -> str:
    return escape(texto or "", quote=False)


def recortar(texto: str, n: int) -> str:
    texto = " ".join(texto.split())
    return texto if len(texto) <= n else texto[: n - 1].rstrip() + "…"


SEMAFORO = {Semaforo.A_TIEMPO: "🟢", Semaforo.EN_RIESGO: "🟡", Semaforo.VENCIDO: "🔴"}

# --- Registration -----------------------------------------------------------------------

NO_REGISTRADO = (
    "Este bot es para el seguimiento de los Aspectos Susceptibles de Mejora (ASM) del "
    "Municipio. Para usarlo necesita una invitación: pídala al Departamento de Evaluación del "
    "IMPLAN y abra el enlace que le envíen."
)
DESACTIVADO = (
    "Su acceso a este bot está desactivado. Si es un error, comuníquese con el Departamento "
    "de Evaluación del IMPLAN."
)
CODIGO_DESCONOCIDO = (
    "El código de invitación no es válido. Revise que abrió el enlace completo o pida uno "
    "nuevo al Departamento de Evaluación del IMPLAN."
)
CODIGO_USADO = (
    "Esta invitación ya se usó. Si no fue usted, avise al Departamento de Evaluación del IMPLAN "
    "y pida una nueva."
)
AVISO_BOTONES = ("Acepto", "No acepto")
AVISO_RECHAZADO = (
    "Sin aceptar el aviso de privacidad no podemos registrarle. Si cambia de opinión, abra otra "
    "vez su enlace de invitación."
)


def codigo_vencido(vence: date) -> str:
    return (
        f"Esta invitación venció el {formato_fecha(vence)}. Pida una nueva al Departamento de "
        "Evaluación del IMPLAN."
    )


def espere_para_intentar(minutos: int) -> str:
    return (
        f"Ha intentado varios códigos que no son válidos. Espere {minutos} minuto(s) antes de "
        "intentar de nuevo."
    )


def aviso_privacidad(aviso: str) -> str:
    return f"{e(aviso)}\n\n<b>¿Acepta el aviso de privacidad?</b>"


def ya_registrado(rol: Rol, dependencia: str | None) -> str:
    return f"Usted ya está registrado como {rol_de(rol, dependencia)}. Escriba /ayuda para ver qué puede hacer."


def bienvenida(nombre: str, rol: Rol, dependencia: str | None) -> str:
    if rol is Rol.ENLACE:
        saludo = f"Bienvenido, {e(dependencia)}."
        siguiente = "Cada mes informe aquí el % de avance de sus ASM con /avance."
    else:
        saludo = f"Bienvenido, {e(nombre)}."
        siguiente = "Recibirá aquí copia de cada entrega de avances."
    return f"{saludo}\nQuedó registrado como {rol_de(rol, dependencia)}.\n{siguiente}\n\nEscriba /ayuda para ver los comandos."


def rol_de(rol: Rol, dependencia: str | None) -> str:
    if rol is Rol.ENLACE:
        return f"Enlace SEDEM de {e(dependencia)}"
    return {"coordinador": "coordinador (IMPLAN)", "contraloria": "Contraloría Municipal"}[
        rol.value
    ]


# --- Help -------------------------------------------------------------------------------

AYUDA = {
    Rol.ENLACE: (
        "<b>Comandos</b>\n"
        "/avance — informar el % de avance del mes de un ASM, con evidencia\n"
        "/evidencia — agregar evidencia a un ASM sin cambiar su avance\n"
        "/mis_asm — sus ASM con avance, fecha de término y semáforo\n"
        "/anexo — el Anexo A de su dependencia, de un Pp o consolidado\n"
        "/pendientes — lo que falta informar este mes y los próximos vencimientos\n"
        "/plan — completar el plan de acción de un ASM y enviarlo a revisión\n"
        "/posicion — entregar la posición institucional de una evaluación\n"
        "/asm 3 — la historia completa del ASM Núm. 3, con sus evidencias\n"
        "/cancelar — salir de lo que esté haciendo (no se guarda nada)\n"
        "/ayuda — esta ayuda"
    ),
    Rol.COORDINADOR: (
        "<b>Comandos</b>\n"
        "Recibirá aquí copia de cada entrega de avances de las dependencias.\n"
        "/anexo — el Anexo A de un Pp o fondo, o el consolidado, de cualquier trimestre\n"
        "/resumen — gráfica del avance y el semáforo por dependencia, con las cifras del mes\n"
        "/recordatorios — lo programado, lo enviado y lo que falló; ejecutar la ronda\n"
        "/invitar — invitar a un enlace, a un coordinador o a la Contraloría\n"
        "/usuarios — quién está registrado, por dependencia; quitar un acceso\n"
        "/revisar — planes de acción enviados a revisión: aprobar u observar\n"
        "/valorar 3 — registrar la valoración del ASM Núm. 3 (artículo 14)\n"
        "/asm 3 — la historia completa del ASM Núm. 3, con sus evidencias\n"
        "Para cargar o actualizar ASM, envíe aquí el Anexo A (.xlsx): verá qué cambiaría antes "
        "de confirmar.\n"
        "/cancelar — salir de lo que esté haciendo\n"
        "/ayuda — esta ayuda"
    ),
    Rol.CONTRALORIA: (
        "<b>Comandos</b>\n"
        "Recibirá aquí copia de cada entrega de avances (artículo 13 de los Lineamientos).\n"
        "/anexo — el Anexo A de un Pp o fondo, o el consolidado, de cualquier trimestre\n"
        "/resumen — gráfica del avance y el semáforo por dependencia, con las cifras del mes\n"
        "/asm 3 — la historia completa del ASM Núm. 3, con sus evidencias\n"
        "/ayuda — esta ayuda"
    ),
}
COMANDOS = {
    Rol.ENLACE: [
        ("avance", "Informar el avance del mes"),
        ("evidencia", "Agregar evidencia a un ASM"),
        ("mis_asm", "Mis ASM y su semáforo"),
        ("pendientes", "Lo que falta este mes"),
        ("anexo", "Anexo A de mi dependencia"),
        ("plan", "Plan de acción de un ASM"),
        ("posicion", "Entregar posición institucional"),
        ("calendario", "Mis plazos, el más próximo primero"),
        ("asm", "Historia de un ASM: /asm 3"),
        ("cancelar", "Salir sin guardar"),
        ("ayuda", "Ayuda"),
    ],
    Rol.COORDINADOR: [
        ("anexo", "Anexo A de un Pp o consolidado"),
        ("resumen", "Avance y semáforo por dependencia"),
        ("recordatorios", "Recordatorios enviados y por enviar"),
        ("invitar", "Invitar a una persona"),
        ("usuarios", "Personas registradas y accesos"),
        ("revisar", "Planes de acción por revisar"),
        ("valorar", "Valorar un ASM: /valorar 3"),
        ("evaluaciones", "Evaluaciones, sus ASM y plazos"),
        ("calendario", "Todos los plazos abiertos"),
        ("asm", "Historia de un ASM: /asm 3"),
        ("cancelar", "Salir sin guardar"),
        ("ayuda", "Ayuda"),
    ],
    Rol.CONTRALORIA: [
        ("anexo", "Anexo A de un Pp o consolidado"),
        ("resumen", "Avance y semáforo por dependencia"),
        ("asm", "Historia de un ASM: /asm 3"),
        ("ayuda", "Ayuda"),
    ],
}
COMANDOS_SIN_REGISTRO = [("start", "Registrarse con su invitación"), ("ayuda", "Ayuda")]
SOLO_ENLACES = "Este comando es para los Enlaces SEDEM de las dependencias."
NO_ENTENDI = "No entendí. Escriba /ayuda para ver los comandos."
CANCELADO = "Listo, se canceló. No se guardó nada."
NADA_QUE_CANCELAR = "No hay nada en curso. Escriba /ayuda para ver los comandos."
BOTON_VENCIDO_REGISTRO = "Ese botón ya no está vigente. Abra otra vez su enlace de invitación."
BOTON_VENCIDO = "Ese botón ya no está vigente. Escriba /avance para empezar de nuevo."
ERROR_INESPERADO = (
    "Ocurrió un error y no se guardó lo último que envió. Intente de nuevo; si se repite, avise "
    "al Departamento de Evaluación del IMPLAN."
)
NO_AUTORIZADO = "Ese ASM no es de su dependencia. No se hizo ningún cambio."

# --- /avance and /evidencia -----------------------------------------------------------

SIN_ASM = "Su dependencia no tiene ASM registrados. Si es un error, avise al IMPLAN."
ELIJA_ASM_AVANCE = "<b>¿De qué ASM informará el avance de {mes}?</b>\n✅ = ya informado este mes."
ELIJA_ASM_EVIDENCIA = "<b>¿A qué ASM agregará evidencia?</b>"
BOTON_ANTERIOR, BOTON_SIGUIENTE = "« Anteriores", "Siguientes »"
BOTON_CANCELAR = "Cancelar"
BOTON_OMITIR = "Omitir"
BOTON_LISTO = "Listo"
BOTON_SIN_EVIDENCIA = "Sin evidencia"
BOTONES_CONFIRMAR = ("Confirmar", "Corregir", "Cancelar")


def boton_asm(a: EstadoAsm, mes: date) -> str:
    avance = "—" if a.avance is None else f"{a.avance}%"
    marca = " ✅" if a.reportado_en(mes) else ""
    return f"Núm. {a.numero} · {a.programa_clave} · {avance} · {recortar(a.texto, 24)}{marca}"


def estado_asm(a: EstadoAsm, hoy: date) -> str:
    lineas = [
        f"<b>Núm. {a.numero} · {e(a.programa_clave)} {e(a.programa_nombre)}</b>",
        e(a.texto),
        "",
        f"<b>Actividades:</b> {e(recortar(a.actividades, 500)) or '—'}",
        f"<b>Fecha de término:</b> {fecha_y_plazo(a)}",
        f"<b>Último avance:</b> {ultimo_avance(a)}",
    ]
    return "\n".join(lineas)


def fecha_y_plazo(a: EstadoAsm) -> str:
    if a.fecha_termino is None:
        return "sin fecha"
    fecha = formato_fecha(a.fecha_termino)
    if a.dias_restantes is None:
        return fecha
    if a.dias_restantes < 0:
        return f"{fecha} (venció hace {-a.dias_restantes} días hábiles)"
    if a.dias_restantes == 0:
        return f"{fecha} (vence hoy)"
    return f"{fecha} ({a.dias_restantes} días hábiles)"


def ultimo_avance(a: EstadoAsm) -> str:
    if a.avance is None or a.periodo_avance is None:
        return "sin avance registrado"
    return f"{a.avance}% ({nombre_mes(a.periodo_avance)})"


def pida_porcentaje(anterior: int | None) -> str:
    base = "Escriba el nuevo % de avance (un número entero de 0 a 100) o elija uno:"
    return base if anterior is None else f"{base}\nEl último fue {anterior}%."


def porcentaje_invalido(error: str) -> str:
    return f"{e(error)}\nEscriba el % de avance otra vez, por ejemplo 60."


def pida_observaciones(obligatorias: bool, motivo: str) -> str:
    if obligatorias:
        return f"Escriba las observaciones o la justificación (son obligatorias porque {motivo})."
    return "Escriba sus observaciones, o pulse «Omitir» si no tiene."


MOTIVO_BAJA = "el avance baja respecto al anterior"
MOTIVO_VENCIDA = "la fecha de término ya pasó"
OBSERVACIONES_VACIAS = "Las observaciones no pueden quedar vacías. Escríbalas, por favor."


def pida_evidencia(porcentaje: int) -> str:
    if not admite_sin_evidencia(porcentaje):
        return (
            "Envíe la evidencia: uno o más documentos o fotos (con 100% es obligatoria). "
            "Cuando termine, pulse «Listo»."
        )
    return (
        "Envíe la evidencia: uno o más documentos o fotos. Cuando termine, pulse «Listo»; "
        "si no tiene, pulse «Sin evidencia»."
    )


PIDA_EVIDENCIA_SOLO = "Envíe uno o más documentos o fotos. Cuando termine, pulse «Listo»."


def evidencia_recibida(a: ArchivoEvidencia, total: int) -> str:
    return (
        f"Recibido: «{e(a.nombre)}» ({a.descripcion}, {tamano_legible(a.tamano)}). "
        f"Lleva {total} archivo(s). Envíe otro o pulse «Listo»."
    )


def evidencia_repetida(nombre: str) -> str:
    return f"«{e(nombre)}» ya estaba en la lista; no se agregó dos veces."


def evidencia_rechazada(motivo: str) -> str:
    return e(motivo)


CIEN_SIN_EVIDENCIA = (
    "Con 100% de avance la evidencia es obligatoria. Envíe al menos un documento o foto."
)
FALTA_EVIDENCIA = "Aún no ha enviado archivos. Envíe al menos un documento o foto."
EVIDENCIA_NO_ARCHIVO = "En este paso envíe un documento o una foto, o pulse «Listo»."
EVIDENCIA_DESCARGA_FALLIDA = (
    "No pude descargar el archivo de Telegram. Envíelo de nuevo, por favor."
)


def resumen(
    a: EstadoAsm,
    porcentaje: int,
    observaciones: str,
    evidencias: Sequence[ArchivoEvidencia],
    mes: date,
) -> str:
    anterior = "—" if a.avance is None else f"{a.avance}%"
    archivos = ", ".join(f"«{e(x.nombre)}»" for x in evidencias) or "sin evidencia"
    return "\n".join(
        [
            "<b>Revise su reporte antes de enviarlo</b>",
            f"<b>ASM:</b> Núm. {a.numero} · {e(a.programa_clave)} — {e(recortar(a.texto, 120))}",
            f"<b>Avance de {nombre_mes(mes)}:</b> {anterior} → {porcentaje}%",
            f"<b>Observaciones:</b> {e(observaciones) or '—'}",
            f"<b>Evidencia:</b> {len(evidencias)} archivo(s): {archivos}",
        ]
    )


def recibo(r: Recibo) -> str:
    lineas = [
        "✅ <b>Avance registrado</b>",
        f"<b>Folio:</b> {e(r.folio)}",
        f"Núm. {r.asm.numero} · {e(r.asm.programa_clave)}: {r.porcentaje}% ({nombre_mes(r.periodo)})",
        f"Evidencia: {r.evidencias_nuevas} archivo(s) nuevo(s)"
        + (
            f", {r.evidencias_repetidas} que ya estaba(n) registrado(s)"
            if r.evidencias_repetidas
            else ""
        ),
        "Se envió copia a la coordinación del IMPLAN y a la Contraloría Municipal.",
    ]
    return "\n".join(lineas)


def copia_avance(r: Recibo, dependencia: str | None, enlace: str) -> str:
    anterior = "—" if r.asm.avance is None else f"{r.asm.avance}%"
    return "\n".join(
        [
            "📥 <b>Entrega de avance</b> (copia, art. 13)",
            f"<b>Dependencia:</b> {e(dependencia)}",
            f"<b>ASM:</b> Núm. {r.asm.numero} · {e(r.asm.programa_clave)} — {e(recortar(r.asm.texto, 120))}",
            f"<b>Avance de {nombre_mes(r.periodo)}:</b> {anterior} → {r.porcentaje}%",
            f"<b>Observaciones:</b> {e(r.observaciones) or '—'}",
            f"<b>Evidencia nueva:</b> {r.evidencias_nuevas} archivo(s)",
            f"<b>Folio:</b> {e(r.folio)} · informó {e(enlace)}",
        ]
    )


def evidencias_guardadas(numero: int, clave: str, nuevas: int, repetidas: int) -> str:
    texto = f"✅ Se agregaron {nuevas} archivo(s) de evidencia al ASM Núm. {numero} · {e(clave)}."
    if repetidas:
        texto += f" {repetidas} ya estaba(n) registrado(s) y no se duplicaron."
    return texto


def reporte_descartado(numero: int, clave: str) -> str:
    return f"Se descartó el reporte sin terminar del ASM Núm. {numero} · {e(clave)}."


def donde_esta(flujo: str, paso: str, numero: int | None, clave: str | None) -> str:
    que = "el avance" if flujo == "avance" else "evidencia"
    asm = f" del ASM Núm. {numero} · {e(clave)}" if numero is not None else ""
    falta = {
        "elegir": "elegir el ASM en la lista de arriba",
        "porcentaje": "escribir el % de avance (0 a 100)",
        "observaciones": "escribir las observaciones",
        "evidencia": "enviar documentos o fotos, o pulsar «Listo»",
        "confirmar": "pulsar «Confirmar», «Corregir» o «Cancelar» en el resumen",
    }.get(paso, "continuar")
    return f"Está registrando {que}{asm}. Falta: {falta}. Para salir, escriba /cancelar."


# --- /mis_asm and /pendientes -----------------------------------------------------------


def linea_asm(a: EstadoAsm) -> str:
    avance = "sin avance" if a.avance is None else f"{a.avance}%"
    vence = "sin fecha" if a.fecha_termino is None else fecha_y_plazo(a)
    return (
        f"{SEMAFORO[a.semaforo]} <b>Núm. {a.numero} · {e(a.programa_clave)}</b> · {avance} · "
        f"vence {vence}\n{e(recortar(a.texto, 90))}"
    )


def mis_asm(dependencia: str | None, asms: Sequence[EstadoAsm]) -> list[str]:
    """One or more messages (Telegram allows 4,096 characters each)."""
    cabeza = (
        f"<b>ASM de {e(dependencia)}</b> ({len(asms)})\n🟢 a tiempo · 🟡 en riesgo · 🔴 vencido"
    )
    return partir([cabeza, *(linea_asm(a) for a in asms)])


def pendientes(
    mes: date, limite: date, faltan: Sequence[EstadoAsm], proximos: Sequence[EstadoAsm]
) -> list[str]:
    partes = [f"<b>Pendientes de {nombre_mes(mes)}</b>"]
    if faltan:
        partes.append(
            f"Falta informar el avance de {len(faltan)} ASM; el plazo es el {formato_fecha(limite)} "
            "(último día hábil del mes). Use /avance."
        )
        partes.extend(
            f"• Núm. {a.numero} · {e(a.programa_clave)} — {e(recortar(a.texto, 70))}"
            for a in faltan
        )
    else:
        partes.append("✅ Ya informó el avance de todos sus ASM este mes.")
    if proximos:
        partes.append("\n<b>Próximas fechas de término</b>")
        partes.extend(
            f"{SEMAFORO[a.semaforo]} Núm. {a.numero} · {e(a.programa_clave)}: {fecha_y_plazo(a)}"
            for a in proximos
        )
    return partir(partes)


def partir(partes: Sequence[str], limite: int = 4000) -> list[str]:
    """Joins lines into messages under Telegram's limit, never cutting a line."""
    mensajes: list[str] = []
    actual = ""
    for p in partes:
        if actual and len(actual) + 2 + len(p) > limite:
            mensajes.append(actual)
            actual = p
        else:
            actual = f"{actual}\n\n{p}" if actual else p
    if actual:
        mensajes.append(actual)
    return mensajes
