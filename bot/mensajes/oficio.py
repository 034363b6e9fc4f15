"""What a person reads about the oficio of Art. 13 (/oficio, /verificar). Telegram HTML, usted."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.dominio.periodos import formato_fecha, nombre_mes
from bot.mensajes.textos import e
from bot.servicios.oficios import OficioEmitido, Resultado, Verificacion

SOLO_ENLACE = (
    "El oficio de entrega lo genera el Enlace SEDEM de cada dependencia con /oficio. La "
    "Coordinación y la Contraloría lo reciben junto con la copia de las entregas. Para revisar "
    "uno que recibió, use /verificar."
)
SIN_ENTREGAS = (
    "Su dependencia aún no tiene entregas confirmadas. Informe el avance con /avance y después "
    "pida su oficio."
)
SIN_ENTREGAS_MES = "En ese mes su dependencia no confirmó entregas, así que no hay oficio. Escriba /oficio para elegir otro."
ELIJA_MES = "<b>¿De qué mes quiere el oficio de entrega de avances?</b>"
BOTON_VENCIDO = "Ese botón ya no está vigente. Escriba /oficio para empezar de nuevo."
PREPARANDO = "Preparando el oficio…"
ERROR = (
    "No se pudo generar el oficio. Intente de nuevo; si se repite, avise al Departamento de "
    "Evaluación del IMPLAN."
)
BOTON_DESCARGAR = "Descargar el oficio"

PIDA_VERIFICAR = (
    "<b>Verificar un oficio</b>\n"
    "Escriba el código de verificación que viene junto al QR (por ejemplo "
    "<code>/verificar K7QM-2XDP-9HTA</code>) o envíe aquí el PDF del oficio."
)
PIDA_VERIFICAR_SIN_REGISTRO = (
    "<b>Verificar un oficio</b>\n"
    "Escriba /verificar seguido del código que viene junto al QR (por ejemplo "
    "<code>/verificar K7QM-2XDP-9HTA</code>), o envíe el PDF con la leyenda /verificar."
)
NO_ES_PDF = "Envíe el oficio en PDF, tal como lo recibió, o escriba su código de verificación."
MUY_GRANDE = "Ese archivo es demasiado grande para un oficio. Envíe el PDF tal como lo recibió."
CODIGO_INVALIDO = (
    "Eso no parece un código de verificación: tiene 12 letras y números, como K7QM-2XDP-9HTA. "
    "Revíselo junto al QR del oficio y escríbalo de nuevo."
)


def boton_mes(mes: date, en_curso: bool) -> str:
    texto = nombre_mes(mes).capitalize()
    return f"{texto} (en curso)" if en_curso else texto


def leyenda(o: OficioEmitido) -> str:
    """Caption of the file for the enlace (at most 1,024 characters)."""
    ya = "" if o.nuevo else "\nEs el mismo oficio que ya se emitió: sus entregas no cambiaron."
    return (
        f"<b>Oficio {e(o.numero)}</b>\nEntrega de avances de {nombre_mes(o.mes)}: {o.asm} ASM."
        f"\nCódigo de verificación: <code>{e(o.codigo)}</code>{ya}\n"
        "Fírmelo y entréguelo al Departamento de Evaluación del IMPLAN, con copia a la Contraloría."
    )


def copia(o: OficioEmitido) -> str:
    """Caption for the coordination and the Contraloría (Art. 13)."""
    return (
        f"<b>Oficio de entrega de avances</b> · {e(o.dependencia)}\n"
        f"{o.numero} · {nombre_mes(o.mes)}: {o.asm} ASM, todos los pendientes del mes informados.\n"
        f"Código de verificación: <code>{e(o.codigo)}</code>"
    )


def oferta(mes: date) -> str:
    return (
        f"Su dependencia ya informó todos sus ASM pendientes de {nombre_mes(mes)}. "
        "Su oficio de entrega está listo; la Coordinación y la Contraloría ya lo recibieron."
    )


def verificacion(v: Verificacion, zona: ZoneInfo) -> str:
    if v.resultado is Resultado.DESCONOCIDO:
        if v.codigo:
            return (
                f"❌ El código <code>{e(v.codigo)}</code> no corresponde a ningún oficio emitido "
                "por este sistema. Revise que esté bien escrito."
            )
        return (
            "❌ Este archivo no es un oficio emitido por este sistema: no trae un código de "
            "verificación que conozcamos."
        )
    que = (
        f"Oficio <b>{e(v.numero)}</b> de {e(v.dependencia)}, entrega de avances de "
        f"{nombre_mes(v.mes) if v.mes else '—'}, emitido el {_cuando(v.emitido_en, zona)}."
    )
    if v.resultado is Resultado.AUTENTICO:
        texto = f"✅ Es un oficio emitido por este sistema y el archivo no ha cambiado.\n{que}"
    elif v.resultado is Resultado.MODIFICADO:
        texto = (
            f"⚠️ Este archivo <b>fue modificado</b>: dice ser el oficio {e(v.numero)}, pero no "
            f"es el archivo que se emitió.\n{que}\nPida a la dependencia el original."
        )
    else:
        texto = (
            f"✅ El código corresponde a un oficio emitido por este sistema.\n{que}\n"
            "Para saber si un archivo es ese mismo, sin cambios, envíe aquí el PDF."
        )
    if v.reemplazado_por:
        texto += (
            f"\nDespués se emitió el oficio {e(v.reemplazado_por)} del mismo mes, con entregas "
            "corregidas."
        )
    return texto


def _cuando(momento: datetime | None, zona: ZoneInfo) -> str:
    if momento is None:
        return "—"
    local = momento.astimezone(zona)
    return f"{formato_fecha(local.date())} a las {local:%H:%M}"
