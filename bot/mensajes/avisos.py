"""The words of the notices that bot.servicios.avisos queues (its `Redactor`)."""

from __future__ import annotations

from bot.mensajes import callbacks, textos
from bot.mensajes import plan as t
from bot.servicios.avisos import Aviso
from bot.servicios.plan_accion import Plan
from bot.servicios.seguimiento import Recibo
from bot.servicios.usuarios import Persona


class Redaccion:
    def copia_avance(self, recibo: Recibo, persona: Persona) -> str:
        return textos.copia_avance(recibo, persona.dependencia, persona.nombre)

    def plan_enviado(self, plan: Plan, persona: Persona) -> Aviso:
        boton = [[("Revisar", callbacks.dato(callbacks.PLAN, "r", plan.asm_id))]]
        return Aviso(t.aviso_plan_enviado(plan, persona.dependencia), boton)

    def plan_aprobado(self, plan: Plan) -> Aviso:
        return Aviso(t.aviso_plan_aprobado(plan))

    def plan_observado(self, plan: Plan, observaciones: str) -> Aviso:
        boton = [[(t.BOTON_CORREGIR_PLAN, callbacks.dato(callbacks.PLAN, "a", plan.asm_id))]]
        return Aviso(t.aviso_plan_observado(plan, observaciones), boton)


REDACCION = Redaccion()
