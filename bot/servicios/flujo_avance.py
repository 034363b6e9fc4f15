"""The /avance and /evidencia conversations (diagram: handlers/avance.md): each step on the
person's draft (bot.servicios.borradores), checked again on the server at every step.

Refusals are exceptions: AccesoDenegado (audited), BotonVencido, AvanceRechazado.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import primer_dia_del_mes
from bot.dominio.reglas import requiere_observaciones
from bot.dominio.seleccion import orden_de_pendiente, pendiente_del_mes
from bot.servicios import borradores
from bot.servicios.avisos import Avisos
from bot.servicios.borradores import (
    BorradorAvance,
    BorradorEvidencia,
    Flujo,
    PasoAvance,
)
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.permisos import NO_ES_SUYO, AccesoDenegado, autorizar_asm
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.seguimiento import (
    Recibo,
    agregar_evidencias,
    comprobar_abierto,
    estado_de,
    guardar_avance,
)
from bot.servicios.usuarios import Persona


class EvidenciaRepetida(Rechazado):
    """The same file (same sha256) is already in this report."""


def asm_del_enlace(
    session: Session, persona: Persona, hoy: date, cal: CalendarioHabil
) -> list[EstadoAsm]:
    """The dependencia's ASM that may still be reported: a valued one is closed (Art. 14)."""
    estados = estado_actual(session, hoy, cal, dependencia_id=persona.dependencia_id)
    return [e for e in estados if e.valoracion is None]


def pendientes(
    session: Session, persona: Persona, hoy: date, cal: CalendarioHabil
) -> list[EstadoAsm]:
    """The ASM due this month, in the order of the pending run (bot.dominio.seleccion)."""
    mes = primer_dia_del_mes(hoy)
    return sorted(
        (
            e
            for e in asm_del_enlace(session, persona, hoy, cal)
            if pendiente_del_mes(e.valoracion, e.avance, e.periodo_avance, mes)
        ),
        key=lambda e: orden_de_pendiente(e.fecha_termino, hoy, e.programa_clave, e.numero),
    )


@dataclass(frozen=True)
class Inicio:
    """What a start shows: a report half done to continue or discard, the next pending ASM
    (opened at its % step, `posicion` of `total`), or the list to choose from."""

    a_medias: BorradorAvance | None = None
    siguiente: EstadoAsm | None = None
    posicion: int = 0
    total: int = 0
    asms: list[EstadoAsm] = field(default_factory=list)


def iniciar(
    session: Session, persona: Persona, flujo: Flujo, hoy: date, cal: CalendarioHabil, *,
    descartar: bool = False, todos: bool = False, hechos: int = 0,
) -> Inicio:  # fmt: skip
    """/avance opens the next pending ASM; /evidencia and «Ver todos» the list. A report half
    done is never replaced unless `descartar`."""
    previo = borrador_de(session, persona)
    if previo is not None and previo.a_medias and not descartar:
        return Inicio(a_medias=previo)
    if flujo is Flujo.AVANCE and not todos:
        faltan = pendientes(session, persona, hoy, cal)
        if faltan:
            _abrir(session, persona, flujo, faltan[0], hechos)
            return Inicio(siguiente=faltan[0], posicion=hechos + 1, total=hechos + len(faltan))
    asms = asm_del_enlace(session, persona, hoy, cal)
    if asms:
        nuevo = BorradorAvance() if flujo is Flujo.AVANCE else BorradorEvidencia()
        nuevo.hechos = hechos
        borradores.guardar_borrador(session, persona.telegram_id, nuevo)
    else:
        borradores.borrar(session, persona.telegram_id)
    return Inicio(asms=asms)


def volver_a_lista(session: Session, persona: Persona) -> None:
    """The ASM chosen was already reported: the draft goes back to the list (its run kept)."""
    previo = borrador_de(session, persona)
    hechos = previo.hechos if previo is not None else 0
    borradores.guardar_borrador(session, persona.telegram_id, BorradorAvance(hechos=hechos))


def terminar(session: Session, persona: Persona) -> None:
    borradores.borrar(session, persona.telegram_id)


def _abrir(
    session: Session, persona: Persona, flujo: Flujo, estado: EstadoAsm, hechos: int = 0
) -> None:
    if flujo is Flujo.AVANCE:
        nuevo: BorradorAvance = BorradorAvance(paso=PasoAvance.PORCENTAJE)
    else:
        nuevo = BorradorEvidencia(paso=PasoAvance.EVIDENCIA)
    nuevo.asm_id, nuevo.numero, nuevo.clave = estado.asm_id, estado.numero, estado.programa_clave
    nuevo.hechos = hechos
    borradores.guardar_borrador(session, persona.telegram_id, nuevo)


def borrador_de(session: Session, persona: Persona) -> BorradorAvance | None:
    b = borradores.leer_borrador(session, persona.telegram_id)
    return b if isinstance(b, BorradorAvance) else None


def elegir_asm(
    session: Session, persona: Persona, flujo: Flujo, asm_id: int, hoy: date,
    cal: CalendarioHabil,
) -> EstadoAsm:  # fmt: skip
    # The id came from a button: it must belong to the person's dependencia (logged if not).
    autorizar_asm(session, persona, asm_id, flujo.value)
    comprobar_abierto(session, asm_id)  # a valued ASM is closed (Art. 14)
    estado = estado_de(session, asm_id, hoy, cal)
    if estado is None:
        raise AccesoDenegado(NO_ES_SUYO)
    previo = borrador_de(session, persona)
    _abrir(session, persona, flujo, estado, previo.hechos if previo is not None else 0)
    return estado


def fijar_porcentaje(
    session: Session, persona: Persona, borrador: BorradorAvance, porcentaje: int, hoy: date,
    cal: CalendarioHabil,
) -> tuple[bool, bool]:  # fmt: skip
    """Keeps the % and moves on to the observations; returns (required, because it is lower)."""
    assert borrador.asm_id is not None
    autorizar_asm(session, persona, borrador.asm_id, Flujo.AVANCE.value)
    estado = estado_de(session, borrador.asm_id, hoy, cal)
    if estado is None:
        raise AccesoDenegado(NO_ES_SUYO)
    obligatorias = requiere_observaciones(porcentaje, estado.avance, estado.fecha_termino, hoy)
    baja = estado.avance is not None and porcentaje < estado.avance
    borrador.porcentaje, borrador.obligatorias = porcentaje, obligatorias
    borrador.paso = PasoAvance.OBSERVACIONES
    borradores.guardar_borrador(session, persona.telegram_id, borrador)
    return obligatorias, baja


def guardar_paso(session: Session, persona: Persona, borrador: BorradorAvance) -> None:
    borradores.guardar_borrador(session, persona.telegram_id, borrador)


def a_confirmar(
    session: Session, persona: Persona, borrador: BorradorAvance, hoy: date,
    cal: CalendarioHabil,
) -> EstadoAsm:  # fmt: skip
    """The evidence is complete: the report waits for «Confirmar»."""
    assert borrador.asm_id is not None
    borrador.paso = PasoAvance.CONFIRMAR
    borradores.guardar_borrador(session, persona.telegram_id, borrador)
    estado = estado_de(session, borrador.asm_id, hoy, cal)
    if estado is None:
        raise BotonVencido()
    return estado


@dataclass(frozen=True)
class Confirmado:
    recibo: Recibo
    siguiente: int = 0  # the position of the next pending ASM in the run, 0 when none is left
    total: int = 0


def confirmar(
    session: Session, persona: Persona, hoy: date, cal: CalendarioHabil, avisos: Avisos
) -> Confirmado:
    """Saves the report and queues its copies (Art. 13) in this one transaction; the draft
    stays at the list, to offer the next pending ASM."""
    # Read again inside the transaction that saves: a second press finds nothing to save.
    b = borrador_de(session, persona)
    if b is None or b.paso is not PasoAvance.CONFIRMAR or b.asm_id is None:
        raise BotonVencido()
    evidencias = [ArchivoEvidencia(**d) for d in b.evidencias]
    try:
        recibo = guardar_avance(
            session, persona, b.asm_id, int(b.porcentaje or 0), b.observaciones or "",
            evidencias, hoy, cal, clave=b.conversacion, ahora=avisos.ahora,
        )  # fmt: skip
    except AccesoDenegado:
        borradores.borrar(session, persona.telegram_id)
        raise
    avisos.copia_de_avance(session, persona, recibo)
    faltan = pendientes(session, persona, hoy, cal)
    if not faltan:
        borradores.borrar(session, persona.telegram_id)
        return Confirmado(recibo)
    hechos = b.hechos + 1
    # A new conversation (a new key): the next report is another one.
    borradores.guardar_borrador(session, persona.telegram_id, BorradorAvance(hechos=hechos))
    return Confirmado(recibo, hechos + 1, hechos + len(faltan))


def guardar_evidencias(
    session: Session, persona: Persona, borrador: BorradorAvance, ahora: datetime | None = None
) -> tuple[int, int]:
    """/evidencia: the files are added to the ASM; returns (new, already there)."""
    assert borrador.asm_id is not None
    autorizar_asm(session, persona, borrador.asm_id, Flujo.EVIDENCIA.value)
    evidencias = [ArchivoEvidencia(**d) for d in borrador.evidencias]
    borradores.borrar(session, persona.telegram_id)  # the flow ends, even if the ASM is closed
    nuevas = agregar_evidencias(session, persona, borrador.asm_id, evidencias, ahora=ahora)
    return nuevas, len(evidencias) - nuevas


def anotar_evidencia(session: Session, persona: Persona, archivo: ArchivoEvidencia) -> int:
    """Adds a received file to the draft; returns how many it has now."""
    b = borrador_de(session, persona)
    if b is None or b.paso is not PasoAvance.EVIDENCIA:
        raise BotonVencido()
    if any(d["sha256"] == archivo.sha256 for d in b.evidencias):
        raise EvidenciaRepetida(archivo.nombre)
    b.evidencias.append(archivo.como_dict())
    borradores.guardar_borrador(session, persona.telegram_id, b)
    return len(b.evidencias)
