"""Who may see and do what: the one place for it.

The server never trusts what a button says: each action looks the person up again and checks
their role and dependencia here, and a refusal that only a forged button could reach is written
in the audit log («acceso_denegado»).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.servicios import auditoria
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.usuarios import Persona
from storage.models import Asm, AsmResponsable, Programa

NO_ES_SUYO = "Ese ASM no es de su dependencia. No se hizo ningún cambio."
PROGRAMA_AJENO = "Ese Pp o fondo no es de su dependencia. Escriba /anexo para ver los suyos."
SOLO_COORDINACION = "Esto es solo para la Coordinación del IMPLAN (Departamento de Evaluación)."


class AccesoDenegado(Rechazado):
    """The person may not do this with that object (and the attempt is in the audit log)."""


@dataclass(frozen=True)
class Pp:
    """A Pp or fondo with ASM that the person may see."""

    id: int
    clave: str
    nombre: str


def negar(
    session: Session, persona: Persona, objeto: str, objeto_id: int | None, intento: str,
    **detalle: object,
) -> None:  # fmt: skip
    """Writes the refusal in the audit log, with who tried and from which role and dependencia."""
    auditoria.registrar(
        session, f"usuario:{persona.id}", "acceso_denegado", objeto, objeto_id,
        intento=intento, rol=persona.rol.value, dependencia_id=persona.dependencia_id, **detalle,
    )  # fmt: skip


def asm_de_su_dependencia(session: Session, persona: Persona, asm_id: int) -> bool:
    """True when the person is an enlace whose dependencia answers for the ASM."""
    if not persona.es_enlace or persona.dependencia_id is None:
        return False
    return bool(
        session.scalar(
            select(func.count())
            .select_from(AsmResponsable)
            .where(
                AsmResponsable.asm_id == asm_id,
                AsmResponsable.dependencia_id == persona.dependencia_id,
            )
        )
    )


def autorizar_asm(session: Session, persona: Persona, asm_id: int, intento: str) -> None:
    """May this enlace report on this ASM? AccesoDenegado (audited) otherwise.

    Button data comes from the phone and can be forged, so this runs on every step.
    """
    if not asm_de_su_dependencia(session, persona, asm_id):
        negar(session, persona, "asm", asm_id, intento)
        raise AccesoDenegado(NO_ES_SUYO)


def puede_ver_asm(session: Session, persona: Persona, asm_id: int) -> bool:
    """IMPLAN and the Contraloría see every ASM; an enlace, its dependencia's. Refusals audited."""
    if persona.rol in (Rol.COORDINADOR, Rol.CONTRALORIA):
        return session.get(Asm, asm_id) is not None
    if asm_de_su_dependencia(session, persona, asm_id):
        return True
    negar(session, persona, "asm", asm_id, "historial")
    return False


def dependencia_visible(persona: Persona) -> int | None:
    """The dependencia an enlace's lists are limited to (None for IMPLAN and the Contraloría)."""
    return persona.dependencia_id if persona.es_enlace else None


def sin_nada_que_ver(persona: Persona) -> bool:
    """An enlace without dependencia sees nothing, never everything."""
    return persona.es_enlace and persona.dependencia_id is None


def programas_visibles(
    session: Session, persona: Persona, programa_id: int | None = None
) -> list[Pp]:
    """The Pp and fondos with ASM that this person may see (an enlace: its dependencia's)."""
    con_asm = select(Asm.programa_id)
    if persona.es_enlace:
        # `== None` is IS NULL: an enlace without dependencia sees nothing, never everything.
        con_asm = con_asm.join(AsmResponsable, AsmResponsable.asm_id == Asm.id).where(
            AsmResponsable.dependencia_id == persona.dependencia_id
        )
    consulta = (
        select(Programa.id, Programa.clave, Programa.nombre)
        .where(Programa.id.in_(con_asm))
        .order_by(Programa.clave)
    )
    if programa_id is not None:
        consulta = consulta.where(Programa.id == programa_id)
    return [Pp(id_, clave, nombre) for id_, clave, nombre in session.execute(consulta)]


def programa_permitido(session: Session, persona: Persona, programa_id: int) -> Pp:
    """The programa of a button, if this person may have its Anexo A.

    BotonVencido when it has no ASM (or no longer exists); AccesoDenegado, audited, when it is
    another dependencia's: a forged button.
    """
    visibles = programas_visibles(session, persona, programa_id)
    if visibles:
        return visibles[0]
    if not persona.es_enlace or session.get(Programa, programa_id) is None:
        raise BotonVencido()
    negar(session, persona, "programa", programa_id, "anexo")
    raise AccesoDenegado(PROGRAMA_AJENO)


def exigir_coordinador(session: Session, persona: Persona, dato: str | None = None) -> None:
    """Only IMPLAN's coordinadores administer. A button press from anyone else is audited: our
    buttons only ever reach coordinadores, so one from someone else was forged."""
    if persona.rol is Rol.COORDINADOR:
        return
    if dato is not None:
        auditoria.registrar(
            session, f"usuario:{persona.id}", "acceso_denegado", "boton", dato=dato[:64],
            rol=persona.rol.value,
        )  # fmt: skip
    raise AccesoDenegado(SOLO_COORDINACION)
