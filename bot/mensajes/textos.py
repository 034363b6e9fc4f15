"""Every message a person reads, in one place: Spanish of Mexico, formal (usted), short.

Texts are Telegram HTML: whatever a person typed goes through `e()` before it is put in one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, tzinfo
from html import escape

from bot.dominio.periodos import formato_fecha, nombre_mes
from bot.dominio.reglas import admite_sin_evidencia
from bot.dominio.texto import dias_habiles, plural, por_ciento
from bot.dominio.vocabulario import Rol, Semaforo
from bot.servicios.consultas import EstadoAsm
from bot.servicios.evidencias import ArchivoEvidencia, tamano_legible
from bot.servicios.salida import Espera
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
# The same in a pop-up, which holds 200 characters.
NO_REGISTRADO_ALERTA = (
    "Este bot es para el seguimiento de los ASM del Municipio. Necesita una invitación: pídala "
    "al Departamento de Evaluación del IMPLAN."
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
        f"Ha intentado varios códigos que no son válidos. Espere {plural(minutos, 'minuto')} antes de "
        "intentar de nuevo."
    )


def aviso_privacidad(aviso: str) -> str:
    return f"{e(aviso)}\n\n<b>¿Acepta el aviso de privacidad?</b>"


def ya_registrado(rol: Rol, dependencia: str | None) -> str:
    return f"Usted ya tiene registro como {rol_de(rol, dependencia)}. Escriba /ayuda para ver qué puede hacer."


def bienvenida(nombre: str, rol: Rol, dependencia: str | None) -> str:
    if rol is Rol.ENLACE:
        saludo = f"Le damos la bienvenida, {e(nombre)}."
        siguiente = "Cada mes informe aquí el % de avance de sus ASM con /avance."
    else:
        saludo = f"Le damos la bienvenida, {e(nombre)}."
        siguiente = "Recibirá aquí copia de cada entrega de avances."
    return f"{saludo}\nSu registro como {rol_de(rol, dependencia)} está listo.\n{siguiente}\n\nEscriba /ayuda para ver los comandos."


def rol_de(rol: Rol, dependencia: str | None) -> str:
    if rol is Rol.ENLACE:
        return f"Enlace SEDEM de {e(dependencia)}"
    return {"coordinador": "Coordinación (IMPLAN)", "contraloria": "Contraloría Municipal"}[
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
        "/oficio — el oficio de entrega de avances del mes, para firmar (artículo 13)\n"
        "/verificar — revisar un oficio con su código o el PDF\n"
        "/pendientes — lo que falta informar este mes y los próximos vencimientos\n"
        "/plan — completar el plan de acción de un ASM y enviarlo a revisión\n"
        "/posicion — entregar la posición institucional de una evaluación\n"
        "/asm 3 — la historia completa de un ASM, con sus evidencias (o /asm FORTAMUN-DF 5, "
        "/asm padrón)\n"
        "/cancelar — salir de lo que esté haciendo (no se guarda nada)\n"
        "/ayuda — esta ayuda"
    ),
    Rol.COORDINADOR: (
        "<b>Comandos</b>\n"
        "Recibirá aquí copia de cada entrega de avances de las dependencias.\n"
        "/anexo — el Anexo A de un Pp o fondo, o el consolidado, de cualquier trimestre\n"
        "/resumen — gráfica del avance y el semáforo por dependencia, con las cifras del mes\n"
        "/recordatorios — lo programado, lo enviado y lo que falló; ejecutar la ronda\n"
        "/invitar — invitar a un Enlace SEDEM, a la Coordinación o a la Contraloría Municipal; "
        "/invitar SMDIF o /invitar Bienestar, al Enlace SEDEM de esa dependencia\n"
        "/usuarios — quién está registrado, por dependencia; quitar un acceso\n"
        "/revisar — planes de acción enviados a revisión: aprobar u observar\n"
        "/valorar — los ASM por valorar; /valorar 3 (o FORTAMUN-DF 5, o una palabra), uno "
        "(artículo 14)\n"
        "/asm 3 — la historia completa de un ASM, con sus evidencias (o /asm FORTAMUN-DF 5, "
        "/asm padrón)\n"
        "/verificar — revisar un oficio de entrega con su código o el PDF\n"
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
        "/asm 3 — la historia completa de un ASM, con sus evidencias (o /asm FORTAMUN-DF 5, "
        "/asm padrón)\n"
        "/verificar — revisar un oficio de entrega con su código o el PDF\n"
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
        ("oficio", "Oficio de entrega del mes"),
        ("plan", "Plan de acción de un ASM"),
        ("prorroga", "Pedir prórroga de un ASM: /prorroga 3"),
        ("posicion", "Entregar posición institucional"),
        ("calendario", "Mis plazos, el más próximo primero"),
        ("asm", "Historia de un ASM: /asm 3 o /asm padrón"),
        ("verificar", "Verificar un oficio"),
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
        ("valorar", "ASM por valorar, o uno: /valorar 3"),
        ("reabrir", "Reabrir un ASM valorado: /reabrir 3"),
        ("evaluaciones", "Evaluaciones, sus ASM y plazos"),
        ("calendario", "Todos los plazos abiertos"),
        ("asm", "Historia de un ASM: /asm 3 o /asm padrón"),
        ("verificar", "Verificar un oficio"),
        ("cancelar", "Salir sin guardar"),
        ("ayuda", "Ayuda"),
    ],
    Rol.CONTRALORIA: [
        ("anexo", "Anexo A de un Pp o consolidado"),
        ("resumen", "Avance y semáforo por dependencia"),
        ("asm", "Historia de un ASM: /asm 3 o /asm padrón"),
        ("verificar", "Verificar un oficio"),
        ("ayuda", "Ayuda"),
    ],
}
COMANDOS_SIN_REGISTRO = [
    ("start", "Registrarse con su invitación"),
    ("verificar", "Verificar un oficio"),
    ("ayuda", "Ayuda"),
]
SOLO_ENLACES = "Este comando es para los Enlaces SEDEM de las dependencias."
NO_ENTENDI = "No entendí. Escriba /ayuda para ver los comandos."
CANCELADO = "Listo, se canceló. No se guardó nada."
NADA_QUE_CANCELAR = "No hay nada en curso. Escriba /ayuda para ver los comandos."
BOTON_VENCIDO_REGISTRO = "Ese botón ya no está vigente. Abra otra vez su enlace de invitación."
BOTON_VENCIDO = "Ese botón ya no está vigente. Escriba /avance para empezar de nuevo."
# The error may come after something was saved: say only what is known.
ERROR_INESPERADO = (
    "Ocurrió un error al atender su último mensaje. Antes de repetirlo, revise con /historial "
    "si quedó guardado; si el error se repite, avise al Departamento de Evaluación del IMPLAN."
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
    avance = "—" if a.avance is None else por_ciento(a.avance)
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
    if not a.plan_revisado:
        lineas.append(PLAN_SIN_REVISAR)
    return "\n".join(lineas)


# Progress may be reported before IMPLAN reviews the plan (Art. 12); it is said, not hidden.
PLAN_SIN_REVISAR = "⚠️ Su plan de acción aún no está revisado por el IMPLAN."
COPIA_PLAN_SIN_REVISAR = "⚠️ <b>Plan de acción:</b> aún no revisado por el IMPLAN"


def fecha_y_plazo(a: EstadoAsm) -> str:
    if a.fecha_termino is None:
        return "sin fecha"
    fecha = formato_fecha(a.fecha_termino)
    if a.dias_restantes is None or not a.abierto:
        return fecha  # closed or concluded: no deadline is running
    if a.dias_restantes < 0:
        return f"{fecha} (venció hace {dias_habiles(-a.dias_restantes)})"
    if a.dias_restantes == 0:
        return f"{fecha} (vence hoy)"
    return f"{fecha} ({dias_habiles(a.dias_restantes)})"


def ultimo_avance(a: EstadoAsm) -> str:
    if a.avance is None or a.periodo_avance is None:
        return "sin avance registrado"
    return f"{por_ciento(a.avance)} ({nombre_mes(a.periodo_avance)})"


def pida_porcentaje(anterior: int | None) -> str:
    base = "Escriba el nuevo % de avance (un número entero de 0 a 100) o elija uno:"
    return base if anterior is None else f"{base}\nEl último fue {por_ciento(anterior)}."


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
            "Envíe la evidencia: uno o más documentos o fotos (con 100 % es obligatoria). "
            "Cuando termine, pulse «Listo»."
        )
    return (
        "Envíe la evidencia: uno o más documentos o fotos. Cuando termine, pulse «Listo»; "
        "si no tiene, pulse «Sin evidencia»."
    )


PIDA_EVIDENCIA_SOLO = "Envíe uno o más documentos o fotos. Cuando termine, pulse «Listo»."


MAX_NOMBRES_RECIBIDOS = 20  # the list of one step; the first ones go first when there are more


def evidencias_recibidas(lista: Sequence[ArchivoEvidencia]) -> str:
    """The files of the evidence step, in the one message that updates as they arrive."""
    lineas = [f"📎 <b>Recibidos: {plural(len(lista), 'archivo')}</b>"]
    ocultos = len(lista) - MAX_NOMBRES_RECIBIDOS
    if ocultos > 0:
        lineas.append(f"• … y {plural(ocultos, 'archivo')} antes")
    lineas += [
        f"• {e(recortar(a.nombre, 60))} ({a.descripcion}, {tamano_legible(a.tamano)})"
        for a in lista[-MAX_NOMBRES_RECIBIDOS:]
    ]
    lineas.append("Envíe otro o pulse «Listo».")
    return "\n".join(lineas)


def asm_elegido(numero: int, clave: str) -> str:
    return f"Eligió el ASM Núm. {numero} · {clave}"  # a note: quitar_botones escapes it


def evidencia_repetida(nombre: str) -> str:
    return f"«{e(nombre)}» ya estaba en la lista; no se agregó dos veces."


def evidencia_rechazada(motivo: str) -> str:
    return e(motivo)


CIEN_SIN_EVIDENCIA = (
    "Con 100 % de avance la evidencia es obligatoria. Envíe al menos un documento o foto."
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
    anterior = "—" if a.avance is None else por_ciento(a.avance)
    nombres = ", ".join(f"«{e(x.nombre)}»" for x in evidencias)
    evidencia = (
        f"{plural(len(evidencias), 'archivo')}: {nombres}" if evidencias else "sin evidencia"
    )
    return "\n".join(
        [
            "<b>Revise su reporte antes de enviarlo</b>",
            f"<b>ASM:</b> Núm. {a.numero} · {e(a.programa_clave)} — {e(recortar(a.texto, 120))}",
            f"<b>Avance de {nombre_mes(mes)}:</b> {anterior} → {por_ciento(porcentaje)}",
            f"<b>Observaciones:</b> {e(observacion_breve(observaciones)) or '—'}",
            f"<b>Evidencia:</b> {evidencia}",
        ]
    )


OBSERVACION_EN_RESUMEN = 300  # characters of an observación shown in a summary


def observacion_breve(texto: str, limite: int = OBSERVACION_EN_RESUMEN) -> str:
    """A long observación in a summary: its start, cut between words, and a note that the whole
    text is kept (the database stores it all)."""
    texto = " ".join(texto.split())
    if len(texto) <= limite:
        return texto
    corte = texto[:limite]
    espacio = corte.rfind(" ")
    if espacio > limite * 0.8:
        corte = corte[:espacio]
    return f"{corte.rstrip(' ,;.')}… (se guarda completa: {len(texto)} caracteres)"


def recibo(r: Recibo) -> str:
    lineas = [
        "✅ <b>Avance registrado</b>",
        f"<b>Folio:</b> {e(r.folio)}",
        f"Núm. {r.asm.numero} · {e(r.asm.programa_clave)}: {por_ciento(r.porcentaje)} ({nombre_mes(r.periodo)})",
        f"Evidencia: {plural(r.evidencias_nuevas, 'archivo nuevo', 'archivos nuevos')}"
        + (
            f", {r.evidencias_repetidas} que ya {'estaba registrado' if r.evidencias_repetidas == 1 else 'estaban registrados'}"
            if r.evidencias_repetidas
            else ""
        ),
        "La Coordinación del IMPLAN y la Contraloría Municipal recibirán copia en su resumen "
        "de entregas.",
    ]
    return "\n".join(lineas)


def copia_avance(r: Recibo, dependencia: str | None, enlace: str) -> str:
    """One delivery's entry in its dependencia's digest of copies (Art. 13)."""
    anterior = "—" if r.asm.avance is None else por_ciento(r.asm.avance)
    archivos = (
        "sin evidencia nueva"
        if not r.evidencias_nuevas
        else "evidencia nueva: " + plural(r.evidencias_nuevas, "archivo")
    )
    lineas = [
        f"• <b>Núm. {r.asm.numero} · {e(r.asm.programa_clave)}</b> — {e(recortar(r.asm.texto, 70))}",
        f"Avance de {nombre_mes(r.periodo)}: {anterior} → {por_ciento(r.porcentaje)} · {archivos}",
        f"Folio: {e(r.folio)} · informó {e(enlace)}",
    ]
    if r.observaciones:
        lineas.append(f"Observaciones: {e(recortar(r.observaciones, 120))}")
    if not r.asm.plan_revisado:
        lineas.append(COPIA_PLAN_SIN_REVISAR)
    return "\n".join(lineas)


MAX_COPIAS_EN_RESUMEN = 12
MAX_BOTONES_HISTORIAL = 6


def resumen_copias(dependencia: str | None, entradas: Sequence[str], completo: bool) -> str:
    """The digest of copies of one dependencia's deliveries (Art. 13)."""
    n = len(entradas)
    cuantas = plural(n, "entrega") + " de avance"
    titulo = f"📥 <b>{cuantas}: {e(dependencia or 'sin dependencia')}</b> (copia, art. 13)"
    if completo:
        titulo += "\n✅ Con esto la dependencia informó el avance de todos sus ASM del mes."
    partes = [titulo, *entradas[:MAX_COPIAS_EN_RESUMEN]]
    if n > MAX_COPIAS_EN_RESUMEN:
        partes.append(f"… y {n - MAX_COPIAS_EN_RESUMEN} más: véalas con /asm.")
    partes.append("Pulse un ASM para ver su historial y su evidencia.")
    return "\n\n".join(partes)


def boton_historial(numero: int, clave: str) -> str:
    return recortar(f"Historial Núm. {numero} · {clave}", 60)


def evidencias_guardadas(numero: int, clave: str, nuevas: int, repetidas: int) -> str:
    texto = f"✅ Se {'agregó' if nuevas == 1 else 'agregaron'} {plural(nuevas, 'archivo')} de evidencia al ASM Núm. {numero} · {e(clave)}."
    if repetidas:
        texto += f" {repetidas} ya {'estaba registrado y no se duplicó' if repetidas == 1 else 'estaban registrados y no se duplicaron'}."
    return texto


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


def icono(a: EstadoAsm) -> str:
    """Its status, a color always with its word: a valued ASM is closed (Art. 14) and one at
    100 % concluded, neither ever shown as late."""
    if a.valoracion is not None:
        return f"🔒 Cerrado · {a.valoracion.etiqueta}"
    if a.avance == 100:
        return "✅ Concluido"
    return f"{SEMAFORO[a.semaforo]} {a.semaforo.etiqueta}"


def linea_asm(a: EstadoAsm) -> str:
    avance = "sin avance" if a.avance is None else por_ciento(a.avance)
    cabeza = f"{icono(a)} · <b>Núm. {a.numero} · {e(a.programa_clave)}</b> · {avance}"
    if not a.abierto:
        return f"{cabeza}\n{e(recortar(a.texto, 90))}"
    plan = "" if a.plan_revisado else f"\n{PLAN_SIN_REVISAR}"
    return f"{cabeza} · vence {fecha_y_plazo(a)}\n{e(recortar(a.texto, 90))}{plan}"


def mis_asm(dependencia: str | None, asms: Sequence[EstadoAsm]) -> list[str]:
    """One or more messages (Telegram allows 4,096 characters each)."""
    return partir([f"<b>ASM de {e(dependencia)}</b> ({len(asms)})", *(linea_asm(a) for a in asms)])


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
            f"{icono(a)} Núm. {a.numero} · {e(a.programa_clave)}: {fecha_y_plazo(a)}"
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


def linea_espera(espera: Espera, zona: tzinfo) -> str:
    """/recordatorios: messages Telegram could not take yet, why, and when they go again."""
    cuando = espera.proximo.astimezone(zona).strftime("%d/%m/%Y %H:%M")
    motivo = recortar(espera.error or "sin detalle", 120)
    return (
        f"• {espera.mensajes} {e(espera.tipo)}: {e(motivo)}. Siguiente intento: {cuando} "
        "(o en cuanto Telegram responda)."
    )


# --- Telegram's length limits ------------------------------------------------------------

LIMITE_TEXTO = 4096  # a message
LIMITE_LEYENDA = 1024  # the caption of a file or picture
LIMITE_ALERTA = 200  # a button's pop-up answer
_PIEZA_HTML = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[^<&]+|[<&]")
_ETIQUETA = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w-]*)")


def _largo_visible(html: str) -> int:
    largo = 0
    for pieza in _PIEZA_HTML.findall(html):
        if pieza.startswith("<") and len(pieza) > 1:
            continue
        largo += 1 if pieza.startswith("&") and len(pieza) > 1 else len(pieza)
    return largo


def ajustar(texto: str, limite: int = LIMITE_TEXTO, *, html: bool = True) -> str:
    """`texto` as Telegram counts it (the visible characters), shortened with «…» to `limite`.

    The middle goes, so the start (what the message is about) and the end (the question, what
    to do next) stay. Telegram HTML stays valid: every tag is kept, a cut never falls inside a
    tag or an entity. Every message, caption and pop-up the bot sends passes through here (the
    rate limiter calls it), so no text is ever refused for its length.
    """
    texto = texto.strip()
    if not html:
        if len(texto) <= limite:
            return texto
        cola = min(limite // 4, 500)
        cabeza, fin = texto[: limite - 3 - cola], texto[len(texto) - cola :]
        # At word boundaries when there are some near the cut.
        cabeza = cabeza.rsplit(" ", 1)[0] if " " in cabeza[-20:] else cabeza
        fin = fin.split(" ", 1)[1] if " " in fin[:20] else fin
        return f"{cabeza.rstrip()} … {fin.lstrip()}"
    largo = _largo_visible(texto)
    if largo <= limite:
        return texto
    cola = min(limite // 4, 500)
    desde, hasta = limite - 1 - cola, largo - cola  # visible characters [desde, hasta) go
    salida: list[str] = []
    posicion, marcado = 0, False
    for pieza in _PIEZA_HTML.findall(texto):
        if pieza.startswith("<") and len(pieza) > 1:
            salida.append(pieza)  # tags take no room; keeping them all keeps them balanced
            continue
        entidad = pieza.startswith("&") and len(pieza) > 1
        inicio = posicion
        posicion += 1 if entidad else len(pieza)
        if posicion <= desde or inicio >= hasta:  # wholly kept
            if inicio >= hasta and not marcado:
                salida.append("…")
                marcado = True
            salida.append(pieza)
            continue
        if not entidad:
            salida.append(pieza[: max(0, desde - inicio)])
        if not marcado:
            salida.append("…")
            marcado = True
        if not entidad and posicion > hasta:
            salida.append(pieza[hasta - inicio :])
    return "".join(salida)


# Scheduled backup (the coordinación is told when it fails; the server's log has the detail).
RESPALDO_FALLIDO = (
    "⚠️ No se pudo hacer el respaldo automático de hoy ({fecha}). {ultimo} Pida a quien "
    "administra el servidor que revise el registro del bot y el espacio en disco."
)
RESPALDO_ULTIMO = "El más reciente en la carpeta es {nombre}."
RESPALDO_NINGUNO = "No hay respaldos anteriores en la carpeta."
