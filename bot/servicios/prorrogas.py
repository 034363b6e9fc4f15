"""Prórrogas: an enlace asks for a later fecha de término, the coordinación decides.

An approved one is a new version of the ASM with the new date (so the semáforo, the reminders and
the Anexo A follow the date in force) and a line in Observaciones with the original date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.plazos import limite_atencion
from bot.dominio.valoracion import observacion_prorroga, validar_prorroga
from bot.dominio.vocabulario import Rol
from bot.servicios import auditoria, registro
from bot.servicios.permisos import asm_de_su_dependencia
from bot.servicios.rechazos import Rechazado
from bot.servicios.usuarios import Persona
from bot.servicios.valoracion import asm_bloqueado
from storage.models import Asm, Evaluacion, Programa, Prorroga

PENDIENTE, APROBADA, RECHAZADA = "pendiente", "aprobada", "rechazada"


class ProrrogaRechazada(Rechazado):
    """The request or the decision breaks a rule; the message says what to do."""


@dataclass(frozen=True)
class DatosProrroga:
    asm_id: int
    numero: int
    clave: str
    texto: str
    vigente: date | None
    limite: date | None


@dataclass(frozen=True)
class ProrrogaSolicitada:
    prorroga_id: int
    asm_id: int
    numero: int
    clave: str
    texto: str
    fecha_original: date | None
    fecha_nueva: date
    justificacion: str


@dataclass(frozen=True)
class ProrrogaResuelta:
    prorroga_id: int
    asm_id: int
    numero: int
    clave: str
    aprobada: bool
    fecha_original: date | None
    fecha_nueva: date
    nota: str
    solicitante: int | None  # usuario id of the enlace who asked


def _limite_atencion(session: Session, asm: Asm, cal: CalendarioHabil) -> date | None:
    """The evaluation's fecha límite de atención (Anexo A, f): no prórroga may pass it unless
    IMPLAN moves it too (`asmbot evaluacion editar --limite-atencion`, audited). None for an ASM
    without evaluation, or an internal one whose límite IMPLAN did not set."""
    if asm.evaluacion_id is None:
        return None
    ev = session.get(Evaluacion, asm.evaluacion_id)
    return None if ev is None else limite_atencion(ev, cal)


def _datos(session: Session, asm_id: int, hoy: date, cal: CalendarioHabil) -> DatosProrroga:
    asm = session.get(Asm, asm_id)
    version = registro.version_vigente(session, asm_id, hoy)
    if asm is None or version is None:
        raise ProrrogaRechazada("Ese ASM ya no está en el registro.")
    clave = session.scalar(select(Programa.clave).where(Programa.id == asm.programa_id)) or ""
    return DatosProrroga(
        asm_id, asm.numero, clave, version.texto, version.fecha_termino,
        _limite_atencion(session, asm, cal),
    )  # fmt: skip


def preparar(
    session: Session, persona: Persona, asm_id: int, hoy: date, cal: CalendarioHabil
) -> DatosProrroga:
    """What the enlace needs to ask: refuses when not theirs, closed, or one is pending."""
    if not asm_de_su_dependencia(session, persona, asm_id):
        auditoria.registrar(
            session, f"usuario:{persona.id}", "acceso_denegado", "asm", asm_id,
            intento="prorroga", rol=persona.rol.value,
        )  # fmt: skip
        raise ProrrogaRechazada("Sólo el Enlace de la dependencia responsable pide prórrogas.")
    if asm_bloqueado(session, asm_id):
        raise ProrrogaRechazada("Este ASM ya tiene valoración y está cerrado; no admite prórroga.")
    if pendiente_de(session, asm_id) is not None:
        raise ProrrogaRechazada(
            "Este ASM ya tiene una solicitud de prórroga en revisión; espere la respuesta del "
            "IMPLAN."
        )
    return _datos(session, asm_id, hoy, cal)


def pendiente_de(session: Session, asm_id: int) -> Prorroga | None:
    return session.scalar(
        select(Prorroga).where(Prorroga.asm_id == asm_id, Prorroga.estado == PENDIENTE).limit(1)
    )


def solicitar(
    session: Session, persona: Persona, asm_id: int, fecha_nueva: date, justificacion: str,
    hoy: date, cal: CalendarioHabil,
) -> ProrrogaSolicitada:  # fmt: skip
    d = preparar(session, persona, asm_id, hoy, cal)
    justificacion = justificacion.strip()[:2000]
    problemas = validar_prorroga(fecha_nueva, d.vigente, d.limite, hoy, justificacion)
    if problemas:
        raise ProrrogaRechazada(" ".join(problemas))
    p = Prorroga(
        asm_id=asm_id, fecha_original=d.vigente, fecha_nueva=fecha_nueva,
        justificacion=justificacion, estado=PENDIENTE, solicitada_por_id=persona.id,
    )  # fmt: skip
    session.add(p)
    session.flush()
    auditoria.registrar(
        session, f"usuario:{persona.id}", "prorroga_solicitada", "asm", asm_id,
        prorroga_id=p.id, fecha_original=d.vigente.isoformat() if d.vigente else None,
        fecha_nueva=fecha_nueva.isoformat(),
    )  # fmt: skip
    return ProrrogaSolicitada(
        p.id, asm_id, d.numero, d.clave, d.texto, d.vigente, fecha_nueva, justificacion
    )


def resolver(
    session: Session, persona: Persona, prorroga_id: int, aprobar: bool, nota: str, hoy: date,
    cal: CalendarioHabil, ahora: datetime,
) -> ProrrogaResuelta:  # fmt: skip
    """The coordinación approves or rejects a pending request, with a note."""
    if persona.rol is not Rol.COORDINADOR:
        auditoria.registrar(
            session, f"usuario:{persona.id}", "acceso_denegado", "prorroga", prorroga_id,
            rol=persona.rol.value,
        )  # fmt: skip
        raise ProrrogaRechazada("Las prórrogas las aprueba la Coordinación del IMPLAN.")
    p = session.get(Prorroga, prorroga_id)
    if p is None or p.estado != PENDIENTE:
        raise ProrrogaRechazada("Esa solicitud de prórroga ya fue resuelta o no existe.")
    nota = "" if nota.strip() == "-" else nota.strip()[:2000]
    if not aprobar and not nota:
        raise ProrrogaRechazada("Escriba el motivo del rechazo.")
    d = _datos(session, p.asm_id, hoy, cal)
    if aprobar:
        if asm_bloqueado(session, p.asm_id):
            raise ProrrogaRechazada(
                "El ASM ya tiene valoración; reábralo antes de cambiar su fecha."
            )
        # Checked again today: the date in force or the evaluation's limit may have changed.
        # The new date is compared with the one in force, not with today: a prórroga may be
        # approved after the original date passed.
        problemas = validar_prorroga(p.fecha_nueva, d.vigente, d.limite, min(hoy, p.fecha_nueva),
                                     p.justificacion)  # fmt: skip
        if problemas:
            raise ProrrogaRechazada(" ".join(problemas))
        version = registro.version_vigente(session, p.asm_id, hoy)
        assert version is not None
        linea = observacion_prorroga(d.vigente, p.fecha_nueva, hoy)
        previas = version.observaciones.strip()
        nueva = registro.nueva_version(
            session, session.get_one(Asm, p.asm_id), hoy, f"usuario:{persona.id}", origen="bot",
            usuario_id=persona.id, fecha_termino=p.fecha_nueva,
            observaciones=f"{previas}\n{linea}" if previas else linea,
        )  # fmt: skip
        p.version_id = nueva.id if nueva is not None else version.id
    p.estado = APROBADA if aprobar else RECHAZADA
    p.nota = nota
    p.resuelta_por_id = persona.id
    p.resuelta_en = ahora
    auditoria.registrar(
        session, f"usuario:{persona.id}", f"prorroga_{p.estado}", "asm", p.asm_id,
        prorroga_id=p.id, fecha_nueva=p.fecha_nueva.isoformat(), nota=nota,
    )  # fmt: skip
    return ProrrogaResuelta(
        p.id, p.asm_id, d.numero, d.clave, aprobar, p.fecha_original, p.fecha_nueva, nota,
        p.solicitada_por_id,
    )  # fmt: skip


def prorrogas_de(session: Session, asm_id: int) -> list[Prorroga]:
    """Every request of the ASM, oldest first (for /asm)."""
    return list(
        session.scalars(select(Prorroga).where(Prorroga.asm_id == asm_id).order_by(Prorroga.id))
    )
