"""The one place that turns what just happened into outbox rows (bot.servicios.salida), in the
same transaction as the change, so a notice is never lost even if Telegram is down.

The words are bot.mensajes' (an upper layer): the services get them through a `Redactor`,
which bot.mensajes.avisos.Redaccion implements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from bot.servicios import copias, salida
from bot.servicios.plan_accion import enlaces_de
from bot.servicios.usuarios import Persona
from bot.servicios.valoracion import contraloria

if TYPE_CHECKING:
    from bot.servicios.plan_accion import Plan
    from bot.servicios.seguimiento import Recibo

Botones = Sequence[Sequence[tuple[str, str]]]


@dataclass(frozen=True)
class Aviso:
    texto: str
    botones: Botones | None = None


class Redactor(Protocol):
    def copia_avance(self, recibo: Recibo, persona: Persona) -> str: ...
    def plan_enviado(self, plan: Plan, persona: Persona) -> Aviso: ...
    def plan_aprobado(self, plan: Plan) -> Aviso: ...
    def plan_observado(self, plan: Plan, observaciones: str) -> Aviso: ...


@dataclass(frozen=True)
class Avisos:
    """What a service needs to tell other people: the words and the time of the change."""

    redactor: Redactor
    ahora: datetime

    def copia_de_avance(self, session: Session, persona: Persona, recibo: Recibo) -> None:
        """Art. 13: a copy of each delivery to the coordination and the Contraloría, kept for
        its dependencia's digest (bot.servicios.copias), which the scheduler sends."""
        texto = self.redactor.copia_avance(recibo, persona)
        copias.apartar(
            session, recibo.folio, recibo.asm.asm_id, persona.dependencia_id, texto, self.ahora
        )

    def plan_enviado(self, session: Session, persona: Persona, plan: Plan, version_id: int) -> int:
        """Art. 11: the coordinadores are told a plan waits for their review."""
        from bot.servicios.plan_accion import coordinadores

        aviso = self.redactor.plan_enviado(plan, persona)
        return salida.avisar(
            session, coordinadores(session), "plan_enviado", f"asm{plan.asm_id}:v{version_id}",
            aviso.texto, self.ahora, aviso.botones,
        )  # fmt: skip

    def plan_resuelto(
        self, session: Session, plan: Plan, version_id: int, observaciones: str | None
    ) -> int:
        """Art. 12: the enlaces are told the plan was approved (observaciones None) or observed."""
        from bot.servicios.plan_accion import enlaces_de

        if observaciones is None:
            tipo, aviso = "plan_aprobado", self.redactor.plan_aprobado(plan)
        else:
            tipo, aviso = "plan_observado", self.redactor.plan_observado(plan, observaciones)
        return salida.avisar(
            session, enlaces_de(session, plan.asm_id), tipo, f"asm{plan.asm_id}:v{version_id}",
            aviso.texto, self.ahora, aviso.botones,
        )  # fmt: skip


def a_enlaces_y_contraloria(
    session: Session, asm_id: int, tipo: str, asunto: str, texto: str, ahora: datetime
) -> None:
    """What closes, reopens or moves an ASM (valoración, reopening, prórroga, Art. 14): its
    enlaces and, as `copia_…`, the Contraloría get the same text, through the outbox."""
    salida.avisar(session, enlaces_de(session, asm_id), tipo, asunto, texto, ahora)
    copia = "copia_prorroga" if tipo.startswith("prorroga") else f"copia_{tipo}"
    salida.avisar(session, contraloria(session), copia, asunto, texto, ahora)
