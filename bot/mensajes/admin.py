"""What a coordinador reads when loading ASM, inviting people and managing access.

Spanish of Mexico, formal (usted), short; Telegram HTML (user text goes through `e()`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime

from bot.anexo_a.modelo import Problema
from bot.dominio.periodos import formato_fecha
from bot.dominio.texto import plural, por_ciento
from bot.dominio.vocabulario import Rol
from bot.mensajes.textos import e, partir, recortar, rol_de
from bot.servicios.importacion import AvisoImportacion, ResumenImportacion
from bot.servicios.importacion_vista import CambioAsm, VistaImportacion

SOLO_COORDINACION = "Esto es solo para la Coordinación del IMPLAN (Departamento de Evaluación)."
MAX_LINEAS = 25  # problems or changes listed in one message; the rest are counted
LIMITE = 3800  # characters: Telegram allows 4,096 per message, and the rest needs room

# --- An Anexo A sent to the bot -----------------------------------------------------------

LEYENDO = "Revisando el archivo…"
DESCARGA_FALLIDA = "No pude descargar el archivo de Telegram. Envíelo de nuevo, por favor."
BOTON_CONFIRMAR, BOTON_CANCELAR = "Confirmar", "Cancelar"
BOTON_VENCIDO = "Ese botón ya no está vigente. Envíe el archivo otra vez."
ARCHIVO_PERDIDO = "Ya no tengo el archivo de esa vista previa. Envíelo otra vez, por favor."
IMPORTACION_CANCELADA = "Importación cancelada. No se guardó nada."
CONFIRMADO = "Confirmado"

# The fields of an ASM version (bot.servicios.registro.CAMPOS_VERSION), as the Anexo A names them.
CAMPOS = {
    "texto": "ASM",
    "clasificacion": "clasificación",
    "prioridad": "prioridad",
    "area_responsable": "área responsable",
    "actividades": "actividades",
    "fecha_termino": "fecha de término",
    "resultados_esperados": "resultados esperados",
    "productos_evidencias": "productos y/o evidencias",
    "observaciones": "observaciones",
}


def muy_grande(limite_mb: int) -> str:
    return (
        f"El archivo pesa más de {limite_mb} MB; un Anexo A no debería. Revise que sea el correcto."
    )


def no_importable(nombre: str, problemas: Sequence[Problema]) -> str:
    lineas = [
        f"❌ <b>No se puede importar «{e(nombre)}».</b> No se guardó nada.",
        "Corrija lo siguiente y envíe el archivo otra vez:",
    ]
    lineas += _acotadas(
        [f"• {e(str(p))}" for p in problemas], lineas, lambda n: f"… y {plural(n, 'problema')} más."
    )
    return "\n".join(lineas)


def _acotadas(
    lineas: Sequence[str],
    antes: Sequence[str],
    resto: Callable[[int], str],
    maximo: int = MAX_LINEAS,
) -> list[str]:
    """As many `lineas` as fit in one message after `antes`; the ones left out are counted."""
    usado = sum(len(x) + 1 for x in antes)
    salida: list[str] = []
    for i, linea in enumerate(lineas):
        if i == maximo or usado + len(linea) + 1 > LIMITE:
            return [*salida, resto(len(lineas) - i)]
        salida.append(linea)
        usado += len(linea) + 1
    return salida


def vista(nombre: str, v: VistaImportacion) -> str:
    r = v.resumen
    assert r is not None
    lineas = [
        f"<b>Vista previa de «{e(nombre)}»</b>",
        f"{'Plan' if len(r.planes) == 1 else 'Planes'}: {e(', '.join(r.planes))}",
        f"ASM nuevos: {r.nuevos} · con cambios: {r.modificados} · sin cambios: {r.sin_cambios}",
        f"Avances a registrar: {r.avances}",
    ]
    lineas += _notas(r)
    if v.cambios:
        lineas.append("")
        detalle = [linea for c in v.cambios for linea in lineas_cambio(c)]
        lineas += _acotadas(
            detalle, [*lineas, "x" * 120], lambda n: f"… y {plural(n, 'línea')} más.", 200
        )
    else:
        lineas.append("\nEl archivo no cambia nada de lo registrado.")
    lineas.append("\nTodavía no se guardó nada. ¿Importar el archivo?")
    return "\n".join(lineas)


def _notas(r: ResumenImportacion) -> list[str]:
    """What the summary adds to the counts: pending evidence, warnings, skipped rows."""
    lineas = []
    if r.dependencias_nuevas:
        lineas.append("Dependencias nuevas en el catálogo: " + e(", ".join(r.dependencias_nuevas)))
    if r.pendientes_evidencia:
        lineas.append(
            "⚠️ 100 % <b>pendiente de evidencia</b>: "
            + e(recortar(", ".join(r.pendientes_evidencia), 400))
        )
    if r.advertencias:
        lineas.append(f"Avisos ({len(r.advertencias)}): " + e(recortar(r.advertencias[0], 300)))
    if r.omitidas:
        lineas.append(
            f"Filas omitidas por no ser ASM ({len(r.omitidas)}): "
            + e(recortar("; ".join(r.omitidas), 400))
        )
    return lineas


def _corto(texto: str) -> str:
    return e(recortar(" ".join(texto.split()), 60))


def lineas_cambio(c: CambioAsm) -> list[str]:
    """One ASM's change: a heading, and each field that changes with its value before and after."""
    marca = " — <b>pendiente de evidencia</b>" if c.pendiente_evidencia else ""
    lineas = [f"• <b>{e(c.programa)} Núm. {c.numero}</b>{' (nuevo)' if c.nuevo else ''}{marca}"]
    if not c.nuevo:
        for campo, antes, despues in c.detalle:
            lineas.append(f"   {CAMPOS.get(campo, campo)}: {_corto(antes)} → {_corto(despues)}")
    if c.avance is not None:
        antes_a, despues_a = c.avance
        lineas.append(
            f"   % de avance: {'—' if antes_a is None else por_ciento(antes_a)} → {por_ciento(despues_a)}"
        )
    return lineas


def linea_cambio(c: CambioAsm) -> str:
    partes = ["nuevo"] if c.nuevo else [CAMPOS.get(campo, campo) for campo in c.campos]
    if c.avance is not None:
        antes, despues = c.avance
        partes.append(
            f"% de avance {'—' if antes is None else por_ciento(antes)} → {por_ciento(despues)}"
        )
    return f"• {e(c.programa)} Núm. {c.numero}: {', '.join(partes)}"


def importado(r: ResumenImportacion) -> str:
    lineas = [
        "✅ <b>Importación terminada</b>",
        f"{'Plan' if len(r.planes) == 1 else 'Planes'}: {e(', '.join(r.planes))}",
        f"ASM nuevos: {r.nuevos} · con cambios: {r.modificados} · sin cambios: {r.sin_cambios}",
        f"Avances registrados: {r.avances}",
    ]
    lineas += _notas(r)
    lineas += [e(v) for v in r.evaluaciones]
    if r.avisos:
        lineas.append(
            f"Se avisó de los cambios a {plural(r.avisos, 'persona')} (Enlaces SEDEM y Contraloría Municipal)."
        )
    return "\n".join(lineas)


def aviso_importacion(a: AvisoImportacion) -> str:
    """What an enlace (its dependencia's ASM) or the Contraloría (all) is told after an import."""
    quien = f" de {e(a.dependencia)}" if a.dependencia else ""
    lineas = [
        f"📥 <b>Se importó un Anexo A</b> («{e(a.archivo)}») que cambia {len(a.cambios)} "
        f"ASM{quien}. Así quedaron:",
    ]
    detalle = [linea for c in a.cambios for linea in lineas_cambio(c)]
    lineas += _acotadas(
        detalle, [*lineas, "x" * 120], lambda n: f"… y {plural(n, 'línea')} más.", 200
    )
    lineas.append("Si algo no es correcto, avise al Departamento de Evaluación del IMPLAN.")
    return "\n".join(lineas)


# --- /invitar -------------------------------------------------------------------------------

ELIJA_ROL = "<b>¿A quién quiere invitar?</b>"
BOTON_ENLACE = "Enlace SEDEM de una dependencia"
BOTON_COORDINADOR = "Coordinador (IMPLAN)"
BOTON_CONTRALORIA = "Contraloría Municipal"
ELIJA_DEPENDENCIA = "<b>¿De qué dependencia o entidad es el enlace?</b>"
SIN_DEPENDENCIAS = (
    "Aún no hay dependencias en el catálogo. Cárguelas con «asmbot dependencias» o envíe un "
    "Anexo A que las nombre."
)
CANCELADO = "Cancelado"
BOTON_VENCIDO_USUARIOS = (
    "Ese botón ya no está vigente. Escriba /invitar o /usuarios para empezar de nuevo."
)


def boton_dependencia(nombre: str, siglas: str | None) -> str:
    return f"{siglas} · {recortar(nombre, 36)}" if siglas else recortar(nombre, 44)


def invitacion(rol: Rol, dependencia: str | None, vence: datetime) -> str:
    """To the coordinador, before the invitation to forward."""
    return (
        f"✉️ <b>Invitación para {rol_de(rol, dependencia)}</b>\n"
        "Reenvíe el mensaje siguiente solo a la persona invitada, o muéstrele el QR para que lo "
        "lea con la cámara de su teléfono. Es de un solo uso y vence el "
        f"{vence.strftime('%d/%m/%Y a las %H:%M')}."
    )


def invitacion_para_reenviar(
    rol: Rol, dependencia: str | None, enlace: str, vence: datetime
) -> str:
    """To the person invited, under the QR: what it is and what to do."""
    return (
        "Le invitan a registrarse en el bot de seguimiento de los ASM como "
        f"{rol_de(rol, dependencia)}. Abra este enlace en su teléfono, con Telegram instalado, "
        f"y acepte el aviso de privacidad:\n{e(enlace)}\n"
        f"Es personal, de un solo uso, y vence el {vence.strftime('%d/%m/%Y a las %H:%M')}."
    )


def qr_png(texto: str) -> bytes:
    """The QR of a link, as a PNG to send as a photo (large modules: a phone's camera reads
    it from another screen)."""
    import segno  # only when an invitation is made: the command line starts without it

    salida = io.BytesIO()
    segno.make(texto, error="m", micro=False).save(salida, kind="png", scale=10, border=4)
    return salida.getvalue()


# --- /usuarios ------------------------------------------------------------------------------

GRUPO = {Rol.COORDINADOR: "Coordinación (IMPLAN)", Rol.CONTRALORIA: "Contraloría Municipal"}
CORTO = {Rol.COORDINADOR: "IMPLAN", Rol.CONTRALORIA: "Contraloría"}  # on buttons
GRUPO_SIN_DEPENDENCIA = "Enlaces sin dependencia"
NO_ES_ACTIVO = "Esa persona ya no tiene acceso o no existe. Escriba /usuarios para ver la lista."
NO_A_SI_MISMO = "No puede desactivar su propio acceso."
BOTON_SI_DESACTIVAR, BOTON_NO_DESACTIVAR = "Sí, desactivar", "No"
SIN_CAMBIO = "Sin cambios"


def persona(nombre: str, desde: date, activo: bool, sin_recibir: date | None) -> str:
    linea = f"• {e(nombre)} · desde {formato_fecha(desde)}"
    if not activo:
        linea += " · <i>desactivado</i>"
    elif sin_recibir is not None:
        linea += f" · ⚠️ no recibe mensajes desde {formato_fecha(sin_recibir)}"
    return linea


def lista_usuarios(grupos: Sequence[tuple[str, Sequence[str]]], activos: int) -> list[str]:
    """`grupos`: (title, lines already formatted by `persona`)."""
    partes = [f"<b>Personas registradas</b> ({activos} con acceso)"]
    partes += [f"<b>{e(titulo)}</b>\n" + "\n".join(lineas) for titulo, lineas in grupos]
    if activos > 1:
        partes.append("Para quitar el acceso a alguien, pulse su nombre abajo.")
    return partir(partes)


def boton_desactivar(nombre: str, donde: str) -> str:
    return f"Desactivar a {recortar(nombre, 24)} ({recortar(donde, 16)})"


def confirmar_desactivar(nombre: str, rol: Rol, dependencia: str | None) -> str:
    return (
        f"¿Desactivar a <b>{e(nombre)}</b>, {rol_de(rol, dependencia)}?\n"
        "Perderá el acceso al bot de inmediato. Sus registros se conservan."
    )


def desactivado(nombre: str) -> str:
    return (
        f"Listo: {e(nombre)} ya no tiene acceso. Para devolvérselo, envíele una invitación nueva "
        "con /invitar."
    )
