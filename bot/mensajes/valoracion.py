"""Messages of /valorar, /reabrir and /prorroga: Spanish of Mexico, usted, short."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.dominio.periodos import formato_fecha
from bot.dominio.texto import por_ciento
from bot.dominio.valoracion import Opcion
from bot.dominio.vocabulario import Valoracion
from bot.mensajes.textos import e, recortar
from bot.servicios.prorrogas import ProrrogaResuelta, ProrrogaSolicitada
from bot.servicios.valoracion import Pendiente, Reapertura, Situacion, ValoracionHecha

# --- /valorar ---------------------------------------------------------------------------

MAX_COLA = 20  # ASM buttons in one message of the queue
BOTON_DECLARADA = "No atendido (lo declaró la dependencia)"
PIDA_CAUSAS = (
    "Escriba las causas internas por las que no se cumplió; quedarán en Observaciones del "
    "Anexo A (artículo 14)."
)
PIDA_INSTITUCION = (
    "Escriba la institución o el gobierno cuya colaboración falló (por ejemplo: Gobierno del "
    "Estado de Puebla, Secretaría de Salud)."
)
PIDA_CAUSA_AJENA = (
    "Escriba la causa ajena a la dependencia por la que no se cumplió; quedará en Observaciones "
    "del Anexo A (artículo 14)."
)
COLA_VACIA = "✅ No hay ASM esperando valoración: ninguno está en 100 % ni con la fecha vencida."


def etiqueta_pendiente(p: Pendiente) -> str:
    estado = "100 %" if p.motivo == "completo" else "venció"
    return recortar(
        f"{p.dependencia} · Núm. {p.asm.numero} · {p.asm.programa_clave} · {estado} "
        f"{p.desde:%d/%m/%y}",
        60,
    )


def cola(pendientes: Sequence[Pendiente]) -> str:
    completos = sum(p.motivo == "completo" for p in pendientes)
    vencidos = len(pendientes) - completos
    lineas = [
        f"<b>ASM por valorar</b> (artículo 14): {len(pendientes)}",
        f"✅ En 100 % sin valoración: {completos} · ⌛ Fecha de término vencida: {vencidos}",
        "Por dependencia, el que más espera primero. Pulse uno para ver su evidencia y valorarlo.",
    ]
    if len(pendientes) > MAX_COLA:
        lineas.append(
            f"Se muestran los primeros {MAX_COLA}; también puede escribir /valorar con el número."
        )
    return "\n".join(lineas)


def pida_valoracion(s: Situacion, opciones: Sequence[Opcion], evidencias: int) -> str:
    a, h = s.asm, s.hechos
    termino = formato_fecha(a.fecha_termino) if a.fecha_termino else "sin fecha"
    avance = por_ciento(a.avance) if a.avance is not None else "sin avance"
    cien = (
        f" (100 % desde el {formato_fecha(h.fecha_100)})" if h.fecha_100 and a.avance == 100 else ""
    )
    lineas = [
        f"<b>Valoración · ASM Núm. {a.numero} · {e(a.programa_clave)}</b>",
        e(recortar(a.texto, 200)),
        f"Clasificación: {a.clasificacion.etiqueta} · Fecha de término vigente: {termino}",
        f"Avance: {avance}{cien} · Evidencias: {evidencias}",
        "",
        "<b>Valoraciones posibles hoy</b> (artículo 14):",
    ]
    for o in opciones:
        if o.valida and o.por_declaracion:
            lineas.append(f"• {o.valoracion.etiqueta}: {e(o.condicion)}")
        elif o.valida:
            lineas.append(f"• {o.valoracion.etiqueta}: procede.")
        else:
            lineas.append(f"• {o.valoracion.etiqueta}: no procede, {e(o.motivo)}")
    if not any(o.valida for o in opciones):
        lineas.append("\nHoy no procede ninguna; vuelva cuando cambie su estado.")
    return "\n".join(lineas)


def ya_valorado(s: Situacion) -> str:
    assert s.asm.valoracion is not None
    return (
        f"El ASM Núm. {s.asm.numero} · {e(s.asm.programa_clave)} ya está valorado como "
        f"«{s.asm.valoracion.etiqueta}» y cerrado. Para cambiarlo, escriba "
        f"/reabrir {s.asm.numero}."
    )


def valoracion_registrada(v: ValoracionHecha) -> str:
    return (
        f"✅ Se registró «{v.valoracion.etiqueta}» para el ASM Núm. {v.asm.numero} · "
        f"{e(v.asm.programa_clave)}. El ASM queda cerrado. Se avisó a la dependencia y a la "
        "Contraloría."
    )


def aviso_valoracion(v: ValoracionHecha) -> str:
    extra = ""
    if v.valoracion is Valoracion.NO_APLICA:
        extra = f"\nColaboración fallida: {e(v.institucion)}"
    if v.causas:
        extra += f"\nCausas: {e(v.causas)}"
    if v.declarada:
        extra += "\nSegún lo declarado por la dependencia."
    return (
        f"📋 <b>Valoración del ASM</b>\nEl IMPLAN valoró el ASM Núm. {v.asm.numero} · "
        f"{e(v.asm.programa_clave)} — {e(recortar(v.asm.texto, 120))} como "
        f"<b>{v.valoracion.etiqueta}</b>.{extra}\nEl ASM queda cerrado: ya no recibe avances."
    )


# --- /reabrir ---------------------------------------------------------------------------

USO_REABRIR = "Escriba el número del ASM, por ejemplo: /reabrir 3"
PIDA_MOTIVO = (
    "Escriba el motivo para reabrir el ASM; quedará en su historial y en la bitácora, y se "
    "avisará a la dependencia y a la Contraloría."
)


def reabierto(r: Reapertura) -> str:
    return (
        f"🔓 Se reabrió el ASM Núm. {r.asm.numero} · {e(r.asm.programa_clave)}. La dependencia "
        "puede informar avances de nuevo; valórelo otra vez con /valorar."
    )


def aviso_reapertura(r: Reapertura) -> str:
    antes = r.asm.valoracion.etiqueta if r.asm.valoracion else "sin valoración"
    return (
        f"🔓 <b>ASM reabierto</b>\nEl IMPLAN reabrió el ASM Núm. {r.asm.numero} · "
        f"{e(r.asm.programa_clave)}, antes valorado como «{antes}».\nMotivo: {e(r.motivo)}\n"
        "Puede informar avances y evidencias de nuevo."
    )


# --- /prorroga --------------------------------------------------------------------------

USO_PRORROGA = "Escriba el número del ASM, por ejemplo: /prorroga 3"
PIDA_FECHA = "Escriba la nueva fecha de término que solicita, como 31/03/2027."
PIDA_JUSTIFICACION = "Escriba la justificación de la prórroga."
BOTON_APROBAR = "Aprobar prórroga"
BOTON_RECHAZAR = "Rechazar prórroga"
PIDA_NOTA_APROBAR = "Escriba una nota para la dependencia sobre la aprobación (o «-» si ninguna)."
PIDA_NOTA_RECHAZO = "Escriba el motivo del rechazo; se enviará a la dependencia."


def pida_fecha(numero: int, clave: str, vigente: date | None, limite: date | None) -> str:
    actual = formato_fecha(vigente) if vigente else "sin fecha"
    tope = (
        f"\nNo puede pasar de la fecha límite de atención de la evaluación: {formato_fecha(limite)}."
        if limite
        else ""
    )
    return (
        f"<b>Prórroga · ASM Núm. {numero} · {e(clave)}</b>\nFecha de término vigente: {actual}."
        f"{tope}\n\n{PIDA_FECHA}"
    )


def prorroga_enviada(p: ProrrogaSolicitada) -> str:
    return (
        f"📨 Se envió su solicitud de prórroga del ASM Núm. {p.numero} · {e(p.clave)} al "
        f"{formato_fecha(p.fecha_nueva)}. El IMPLAN le responderá por este medio."
    )


def aviso_prorroga_coord(p: ProrrogaSolicitada, dependencia: str | None) -> str:
    de = f" de {e(dependencia)}" if dependencia else ""
    original = formato_fecha(p.fecha_original) if p.fecha_original else "sin fecha"
    return (
        f"📅 <b>Solicitud de prórroga</b>{de}\nASM Núm. {p.numero} · {e(p.clave)} — "
        f"{e(recortar(p.texto, 120))}\nFecha vigente: {original} → solicitada: "
        f"{formato_fecha(p.fecha_nueva)}\nJustificación: {e(p.justificacion)}"
    )


def prorroga_resuelta_coord(r: ProrrogaResuelta) -> str:
    verbo = "aprobó" if r.aprobada else "rechazó"
    return (
        f"✅ Se {verbo} la prórroga del ASM Núm. {r.numero} · {e(r.clave)}. Se avisó a la "
        "dependencia y a la Contraloría."
    )


def aviso_prorroga_resuelta(r: ProrrogaResuelta) -> str:
    original = formato_fecha(r.fecha_original) if r.fecha_original else "sin fecha"
    nota = f"\nNota del IMPLAN: {e(r.nota)}" if r.nota else ""
    if r.aprobada:
        return (
            f"📅 <b>Prórroga aprobada</b>\nASM Núm. {r.numero} · {e(r.clave)}: la fecha de "
            f"término vigente es ahora {formato_fecha(r.fecha_nueva)} (la original era "
            f"{original}).{nota}"
        )
    return (
        f"📅 <b>Prórroga rechazada</b>\nASM Núm. {r.numero} · {e(r.clave)}: sigue vigente la "
        f"fecha de término {original}.{nota}"
    )
