"""The monthly delivery of progress (Anexo A i, Art. 13): what an enlace confirms is saved here.

Everything is checked again on the server, whatever the conversation said before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import primer_dia_del_mes
from bot.dominio.reglas import requiere_observaciones, validar_avance
from bot.dominio.texto import limpiar, limpiar_nombre_archivo
from bot.servicios import auditoria, registro
from bot.servicios.consultas import EstadoAsm, estado_actual
from bot.servicios.evidencias import ArchivoEvidencia
from bot.servicios.permisos import autorizar_asm
from bot.servicios.rechazos import Rechazado
from bot.servicios.usuarios import Persona
from bot.servicios.valoracion import asm_bloqueado
from storage.models import Asm, Avance, Evidencia


class AvanceRechazado(Rechazado):
    """The report breaks a rule; the message says what to fix."""


class AsmCerrado(AvanceRechazado):
    """The ASM has a valoración (Art. 14): nothing changes it until the coordinación reopens it."""

    def __init__(self) -> None:
        super().__init__(
            "Este ASM ya tiene valoración del IMPLAN y está cerrado: no admite más avances ni "
            "evidencias. Si necesita corregirlo, pida a la Coordinación que lo reabra."
        )


def comprobar_abierto(session: Session, asm_id: int) -> None:
    """AsmCerrado when the ASM has a valoración."""
    if asm_bloqueado(session, asm_id):
        raise AsmCerrado


class AvanceYaGuardado(AvanceRechazado):
    """This conversation's report was already stored (a second press, another replica)."""

    def __init__(self, folio: str | None) -> None:
        super().__init__(
            f"Este avance ya quedó guardado con el folio {folio}; no hace falta confirmarlo de nuevo."
            if folio
            else "Este avance ya quedó guardado; no hace falta confirmarlo de nuevo."
        )
        self.folio = folio


@dataclass(frozen=True)
class Recibo:
    folio: str
    asm: EstadoAsm  # as it was before this avance
    porcentaje: int
    observaciones: str
    evidencias_nuevas: int
    evidencias_repetidas: int
    periodo: date


def estado_de(session: Session, asm_id: int, hoy: date, cal: CalendarioHabil) -> EstadoAsm | None:
    estados = estado_actual(session, hoy, cal, asm_ids=[asm_id])
    return estados[0] if estados else None


def guardar_avance(
    session: Session,
    persona: Persona,
    asm_id: int,
    porcentaje: int,
    observaciones: str,
    evidencias: Sequence[ArchivoEvidencia],
    hoy: date,
    cal: CalendarioHabil,
    *,
    clave: str | None = None,
    ahora: datetime | None = None,
) -> Recibo:
    """Saves one month's % de avance with its evidence, in the caller's single transaction.

    AccesoDenegado (audited) when the ASM is not the enlace's; AvanceRechazado when a rule fails.

    `clave` names the conversation that confirms: the database keeps it unique, so confirming
    the same conversation twice — at the same time, from two processes — stores one report and
    the other gets AvanceYaGuardado. `ahora` is the bot's clock (the sandbox moves it): the
    report and its files are recorded at that moment.
    """
    if clave is not None:
        previo = _confirmado_con(session, clave)
        if previo is not None:
            raise AvanceYaGuardado(previo)
    autorizar_asm(session, persona, asm_id, "confirmar")
    comprobar_abierto(session, asm_id)
    antes = estado_de(session, asm_id, hoy, cal)
    asm = session.get(Asm, asm_id)
    if antes is None or asm is None:
        raise AvanceRechazado("Ese ASM ya no está en el registro; escriba /avance de nuevo.")
    observaciones = limpiar(observaciones).strip()
    problemas = validar_avance(porcentaje, antes.avance, observaciones, len(evidencias))
    if (
        requiere_observaciones(porcentaje, antes.avance, antes.fecha_termino, hoy)
        and not observaciones
    ):
        problemas.append("Escriba las observaciones o la justificación.")
    if problemas:
        raise AvanceRechazado(" ".join(dict.fromkeys(problemas)))

    periodo = primer_dia_del_mes(hoy)
    try:
        with session.begin_nested():  # the unique key waits for, then refuses, a twin
            avance = registro.registrar_avance(
                session, asm, periodo, porcentaje, f"usuario:{persona.id}",
                origen="bot", observaciones=observaciones, usuario_id=persona.id,
                clave_borrador=clave, registrado_en=ahora,
            )  # fmt: skip
    except IntegrityError:
        if clave is None:
            raise
        raise AvanceYaGuardado(_confirmado_con(session, clave)) from None
    original = _folio_del_mes(session, asm_id, periodo, avance.id)
    avance.folio = (
        folio_de(periodo, avance.id) if original is None else _corregido(session, original)
    )
    nuevas = agregar_evidencias(
        session, persona, asm_id, evidencias, avance_id=avance.id, ahora=ahora
    )
    return Recibo(
        folio=avance.folio,
        asm=antes,
        porcentaje=porcentaje,
        observaciones=observaciones,
        evidencias_nuevas=nuevas,
        evidencias_repetidas=len(evidencias) - nuevas,
        periodo=periodo,
    )


def folio_de(periodo: date, avance_id: int) -> str:
    return f"AV-{periodo:%Y%m}-{avance_id:06d}"


def _folio_del_mes(session: Session, asm_id: int, periodo: date, nuevo_id: int) -> str | None:
    """The folio of the month's first report of this ASM: a second one corrects it."""
    return session.scalar(
        select(Avance.folio)
        .where(
            Avance.asm_id == asm_id, Avance.periodo == periodo, Avance.folio.is_not(None),
            Avance.id != nuevo_id, Avance.folio.not_like("%-C%"),
        )
        .order_by(Avance.id)
        .limit(1)
    )  # fmt: skip


def _corregido(session: Session, original: str) -> str:
    """AV-202611-000123-C1, -C2…: one folio per month and ASM, its corrections marked."""
    previas = session.scalar(
        select(func.count()).select_from(Avance).where(Avance.folio.like(f"{original}-C%"))
    )
    return f"{original}-C{(previas or 0) + 1}"


def _confirmado_con(session: Session, clave: str) -> str | None:
    fila = session.execute(
        select(Avance.id, Avance.periodo, Avance.folio).where(Avance.clave_borrador == clave)
    ).first()
    return None if fila is None else fila.folio or folio_de(fila.periodo, fila.id)


def agregar_evidencias(
    session: Session,
    persona: Persona,
    asm_id: int,
    evidencias: Sequence[ArchivoEvidencia],
    *,
    avance_id: int | None = None,
    ahora: datetime | None = None,
) -> int:
    """Records the files for the ASM (at `ahora`, the bot's clock, when given); one it already
    has (same sha256) is kept once.

    Returns how many were new. AsmCerrado when the ASM has a valoración.
    """
    comprobar_abierto(session, asm_id)
    ya = set(session.scalars(select(Evidencia.sha256).where(Evidencia.asm_id == asm_id)))
    nuevas = 0
    for e in evidencias:
        if e.sha256 in ya:
            continue
        ya.add(e.sha256)
        evidencia = Evidencia(
            asm_id=asm_id,
            avance_id=avance_id,
            sha256=e.sha256,
            tamano=e.tamano,
            tipo_detectado=e.tipo,
            nombre_original=limpiar_nombre_archivo(e.nombre)[:300],
            ruta=e.ruta,
            telegram_file_id=e.file_id,
            telegram_file_unique_id=e.file_unique_id,
            usuario_id=persona.id,
        )
        if ahora is not None:
            evidencia.registrado_en = ahora
        session.add(evidencia)
        nuevas += 1
    if nuevas:
        session.flush()
        auditoria.registrar(
            session, f"usuario:{persona.id}", "evidencia", "asm", asm_id,
            nuevas=nuevas, avance_id=avance_id,
            sha256=[e.sha256 for e in evidencias],
        )  # fmt: skip
    return nuevas
