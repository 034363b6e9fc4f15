"""The valoración of an ASM (Art. 14), recorded by IMPLAN as a new version of the ASM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.reglas import CLASIFICACIONES_NO_APLICA, validar_valoracion
from bot.dominio.texto import limpiar
from bot.dominio.vocabulario import Clasificacion, Rol, Valoracion
from bot.servicios import auditoria, registro
from bot.servicios.consultas import EstadoAsm
from bot.servicios.seguimiento import estado_de
from bot.servicios.usuarios import Persona
from storage.models import Asm, Evidencia


class ValoracionRechazada(Exception):
    """The valoración breaks a rule or the person may not record it; the message says why."""


@dataclass(frozen=True)
class ValoracionHecha:
    asm: EstadoAsm  # as it was before
    valoracion: Valoracion
    causas: str
    version_id: int


def opciones(clasificacion: Clasificacion) -> list[Valoracion]:
    """The valoraciones that fit the ASM: «no aplica» only for failed collaborations (Art. 14)."""
    return [
        v
        for v in Valoracion
        if v is not Valoracion.NO_APLICA or clasificacion in CLASIFICACIONES_NO_APLICA
    ]


def puede_valorar(session: Session, persona: Persona, asm_id: int) -> bool:
    """Only IMPLAN's coordinadores record the valoración; other attempts are audited."""
    if persona.rol is Rol.COORDINADOR:
        return True
    auditoria.registrar(
        session, f"usuario:{persona.id}", "acceso_denegado", "asm", asm_id,
        intento="valoracion", rol=persona.rol.value, dependencia_id=persona.dependencia_id,
    )  # fmt: skip
    return False


def comprobar(
    session: Session, asm_id: int, valoracion: Valoracion, causas: str, hoy: date,
    cal: CalendarioHabil,
) -> EstadoAsm:  # fmt: skip
    """The ASM when the valoración fits its state; ValoracionRechazada otherwise."""
    estado = estado_de(session, asm_id, hoy, cal)
    if estado is None:
        raise ValoracionRechazada("Ese ASM ya no está en el registro.")
    evidencias = session.scalar(
        select(func.count()).select_from(Evidencia).where(Evidencia.asm_id == asm_id)
    )
    # The causes asked for «no atendido» are what must not be blank, not older observaciones.
    problemas = validar_valoracion(
        valoracion, estado.clasificacion, estado.avance, evidencias or 0, causas
    )
    if problemas:
        raise ValoracionRechazada(" ".join(problemas))
    return estado


def valorar(
    session: Session, persona: Persona, asm_id: int, valoracion: Valoracion, causas: str,
    hoy: date, cal: CalendarioHabil,
) -> ValoracionHecha:  # fmt: skip
    if not puede_valorar(session, persona, asm_id):
        raise ValoracionRechazada("La valoración de los ASM la registra el IMPLAN.")
    causas = limpiar(causas).strip() if valoracion is Valoracion.NO_ATENDIDO else ""
    estado = comprobar(session, asm_id, valoracion, causas, hoy, cal)
    asm = session.get(Asm, asm_id)
    version = registro.version_vigente(session, asm_id, hoy)
    assert asm is not None and version is not None
    cambios: dict[str, object] = {"valoracion": valoracion.value}
    if causas:
        # Anexo A (j): the causes of «no atendido» go in Observaciones, after what was there.
        previas = version.observaciones.strip()
        cambios["observaciones"] = f"{previas}\n{causas}" if previas else causas
    nueva = registro.nueva_version(
        session, asm, hoy, f"usuario:{persona.id}", origen="bot", usuario_id=persona.id, **cambios
    )
    return ValoracionHecha(estado, valoracion, causas, (nueva or version).id)
