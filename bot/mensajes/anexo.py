"""What a person reads in /anexo: Spanish of Mexico, formal (usted), short. Telegram HTML."""

from __future__ import annotations

from datetime import date

from bot.dominio.periodos import Trimestre, formato_fecha
from bot.dominio.texto import plural
from bot.mensajes.textos import e, recortar

ELIJA_PROGRAMA = (
    "<b>¿De qué programa quiere el Anexo A?</b>\n"
    "Pulse un Pp o fondo, o «Consolidado» para todos en un solo archivo."
)
SOLO_SU_DEPENDENCIA = "Solo incluye los ASM de su dependencia."
ELIJA_TRIMESTRE = (
    "<b>¿De qué trimestre?</b>\n"
    "El trimestre en curso muestra los datos de hoy; los anteriores, como quedaron a su cierre. "
    "El botón del trimestre envía el Excel; el de «PDF», el mismo Anexo A para imprimir."
)
BOTON_CONSOLIDADO = "Consolidado"

SIN_ASM_ENLACE = "Su dependencia no tiene ASM registrados. Si es un error, avise al IMPLAN."
SIN_ASM = "Aún no hay ASM registrados."
SIN_ASM_TRIMESTRE = "No hay ASM en ese trimestre. Escriba /anexo para elegir otro."
BOTON_VENCIDO = "Ese botón ya no está vigente. Escriba /anexo para empezar de nuevo."
AJENO = "Ese Pp o fondo no tiene ASM de su dependencia."
EN_CURSO = "Ya estoy preparando un Anexo A para usted. Espere a recibirlo y pida el siguiente."
PREPARANDO = "Preparando el archivo…"
ERROR = (
    "No se pudo generar el Anexo A. Intente de nuevo; si se repite, avise al Departamento de "
    "Evaluación del IMPLAN."
)


def boton_programa(clave: str, nombre: str) -> str:
    return f"{clave} · {recortar(nombre, 40)}"


def boton_trimestre(t: Trimestre, en_curso: bool) -> str:
    return f"{t.etiqueta} (en curso)" if en_curso else t.etiqueta


def boton_pdf(t: Trimestre) -> str:
    return f"PDF · T{t.numero} {t.anio}"


def nota_programa(clave: str | None, nombre: str | None) -> str:
    """What stays on the list after a choice (plain text: `quitar_botones` escapes it)."""
    return "Consolidado" if clave is None else f"{clave} · {nombre}"


def leyenda(
    programa: str | None,
    dependencia: str | None,
    t: Trimestre,
    corte: date,
    asm: int,
    planes: int,
) -> str:
    """The caption of the file: what it is, which quarter and cut-off date, how many ASM."""
    if programa is None:
        que = "<b>Anexo A consolidado</b>"
        cuantos = f"{asm} ASM en {plural(planes, 'Pp o fondo', 'Pp o fondos')}."
    else:
        que = f"<b>Anexo A</b> · {e(programa)}"
        cuantos = f"{asm} ASM."
    if dependencia is not None:
        que += f"\nSolo ASM de {e(dependencia)}."
    return f"{que}\n{t.etiqueta}, con datos al {formato_fecha(corte)}.\n{cuantos}"
