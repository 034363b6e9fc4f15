"""The action plan's states through its conversation (bot.servicios.flujo_plan, plan_accion),
with the notices they queue; on a plain session."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.vocabulario import Rol
from bot.servicios import borradores
from bot.servicios.avisos import Avisos
from storage.models import Salida
from tests.ayudas import AHORA_SERVICIOS as AHORA
from tests.ayudas import HOY_SERVICIOS as HOY
from tests.ayudas import Palabras, asm_de, negados, persona


def test_a_plan_goes_to_review_and_back_with_notices(s: Session, cal: CalendarioHabil) -> None:
    from bot.dominio.vocabulario import EstadoPlan
    from bot.servicios import flujo_plan
    from bot.servicios.borradores import BorradorPlan, PasoPlan
    from bot.servicios.plan_accion import PlanRechazado

    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    coord = persona(s, 2, Rol.COORDINADOR)
    tm = persona(s, 3, Rol.ENLACE, "TM")
    a1 = asm_de(s, 1)
    avisos = Avisos(Palabras(), AHORA)
    with pytest.raises(PlanRechazado):  # another dependencia's ASM
        flujo_plan.abrir_plan(s, tm, a1, HOY, cal)
    plan, motivo = flujo_plan.abrir_plan(s, dif, a1, HOY, cal)
    assert motivo is None and plan.estado is EstadoPlan.BORRADOR
    flujo_plan.elegir_campo(s, dif, a1, "resultados_esperados", HOY, cal)
    b = borradores.leer_borrador(s, dif.telegram_id)
    assert b == BorradorPlan(asm_id=a1, paso=PasoPlan.VALOR, campo="resultados_esperados")
    flujo_plan.escribir_campo(s, dif, b, "Padrón publicado", HOY, cal)
    flujo_plan.elegir_campo(s, dif, a1, "productos_evidencias", HOY, cal)
    b = borradores.leer_borrador(s, dif.telegram_id)
    assert isinstance(b, BorradorPlan)
    flujo_plan.escribir_campo(s, dif, b, "Acta y padrón", HOY, cal)
    enviado = flujo_plan.enviar(s, dif, a1, HOY, cal, avisos)
    assert enviado.estado is EstadoPlan.ENVIADO
    with pytest.raises(PlanRechazado):  # the enlace cannot approve its own plan
        flujo_plan.resolver(s, dif, a1, None, HOY, cal, avisos)
    observado = flujo_plan.resolver(s, coord, a1, "Precise la fecha", HOY, cal, avisos)
    assert observado.estado is EstadoPlan.OBSERVADO
    assert observado.observaciones_revision == "Precise la fecha"
    avisos_enviados = s.execute(select(Salida.chat_id, Salida.texto).order_by(Salida.id)).all()
    assert avisos_enviados == [(coord.telegram_id, "plan enviado"),
                               (dif.telegram_id, "observado: Precise la fecha")]  # fmt: skip
    assert ("asm", a1, "plan_aprobar") in negados(s)
