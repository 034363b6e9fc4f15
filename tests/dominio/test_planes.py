"""The action plan's rules (bot.dominio.planes), without Telegram or a database."""

from datetime import date

import pytest

from bot.dominio.planes import (
    AccionPlan,
    en_tiempo,
    estado_siguiente,
    faltantes_para_enviar,
    interpretar_fecha,
    motivo_rechazo_documento,
    requiere_plan,
    validar_accion,
    validar_valor,
)
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Rol

ESP = Clasificacion.ESPECIFICO
HOY = date(2026, 11, 18)


@pytest.mark.parametrize(
    ("accion", "desde", "hacia", "rol"),
    [
        (AccionPlan.ENVIAR, EstadoPlan.BORRADOR, EstadoPlan.ENVIADO, Rol.ENLACE),
        (AccionPlan.ENVIAR, EstadoPlan.OBSERVADO, EstadoPlan.ENVIADO, Rol.ENLACE),
        (AccionPlan.OBSERVAR, EstadoPlan.ENVIADO, EstadoPlan.OBSERVADO, Rol.COORDINADOR),
        (AccionPlan.APROBAR, EstadoPlan.ENVIADO, EstadoPlan.APROBADO, Rol.COORDINADOR),
        (AccionPlan.EDITAR, EstadoPlan.BORRADOR, EstadoPlan.BORRADOR, Rol.ENLACE),
        (AccionPlan.EDITAR, EstadoPlan.OBSERVADO, EstadoPlan.OBSERVADO, Rol.ENLACE),
    ],
)
def test_allowed_transitions(
    accion: AccionPlan, desde: EstadoPlan, hacia: EstadoPlan, rol: Rol
) -> None:
    assert validar_accion(accion, desde, rol, ESP) == []
    assert estado_siguiente(accion, desde) is hacia


@pytest.mark.parametrize(
    ("accion", "estado", "motivo"),
    [
        (AccionPlan.EDITAR, EstadoPlan.ENVIADO, "está en revisión"),
        (AccionPlan.EDITAR, EstadoPlan.APROBADO, "ya fue aprobado"),
        (AccionPlan.ENVIAR, EstadoPlan.ENVIADO, "está en revisión"),
        (AccionPlan.ENVIAR, EstadoPlan.APROBADO, "ya fue aprobado"),
    ],
)
def test_enlace_cannot_touch_a_plan_in_review_or_approved(
    accion: AccionPlan, estado: EstadoPlan, motivo: str
) -> None:
    (problema,) = validar_accion(accion, estado, Rol.ENLACE, ESP)
    assert motivo in problema


@pytest.mark.parametrize("estado", [EstadoPlan.BORRADOR, EstadoPlan.OBSERVADO, EstadoPlan.APROBADO])
def test_only_a_sent_plan_is_reviewed(estado: EstadoPlan) -> None:
    assert validar_accion(AccionPlan.APROBAR, estado, Rol.COORDINADOR, ESP)
    assert validar_accion(AccionPlan.OBSERVAR, estado, Rol.COORDINADOR, ESP)


def test_who_does_what() -> None:
    enviado = EstadoPlan.ENVIADO
    for accion in AccionPlan:
        assert "Contraloría" in validar_accion(accion, enviado, Rol.CONTRALORIA, ESP)[0]
    assert "IMPLAN" in validar_accion(AccionPlan.APROBAR, enviado, Rol.ENLACE, ESP)[0]
    borrador = EstadoPlan.BORRADOR
    assert "Enlace" in validar_accion(AccionPlan.ENVIAR, borrador, Rol.COORDINADOR, ESP)[0]


def test_intergubernamental_asm_need_no_plan() -> None:
    assert not requiere_plan(Clasificacion.INTERGUBERNAMENTAL)
    assert all(requiere_plan(c) for c in Clasificacion if c is not Clasificacion.INTERGUBERNAMENTAL)
    (problema,) = validar_accion(
        AccionPlan.ENVIAR, EstadoPlan.BORRADOR, Rol.ENLACE, Clasificacion.INTERGUBERNAMENTAL
    )
    assert "artículo 10" in problema


def test_a_plan_is_sent_complete_and_within_the_limit() -> None:
    completo = {
        "actividades": "Mesas",
        "fecha_termino": date(2027, 4, 30),
        "resultados_esperados": "Padrón",
        "productos_evidencias": "Acta",
    }
    assert faltantes_para_enviar(completo, date(2027, 4, 30)) == []
    assert faltantes_para_enviar(completo, None) == []
    assert faltantes_para_enviar({**completo, "actividades": "  "}, None) == [
        "Falta «Actividades / Acciones a emprender»."
    ]
    assert faltantes_para_enviar({**completo, "fecha_termino": None}, None) == [
        "Falta «Fecha de término»."
    ]
    (problema,) = faltantes_para_enviar(completo, date(2027, 4, 29))
    assert "excede la fecha límite de atención de la evaluación (29/04/2027)" in problema


def test_typed_values() -> None:
    assert interpretar_fecha("31/03/2027") == date(2027, 3, 31)
    assert interpretar_fecha(" 1-4-2027 ") == date(2027, 4, 1)
    assert interpretar_fecha("1.4.2027") == date(2027, 4, 1)
    for malo in ("2027-03-31", "31/03/27", "marzo"):
        with pytest.raises(ValueError, match="no es una fecha"):
            interpretar_fecha(malo)
    with pytest.raises(ValueError, match="no es una fecha válida"):
        interpretar_fecha("30/02/2027")

    maxima = date(2027, 4, 30)
    assert validar_valor("fecha_termino", "30/04/2027", maxima, HOY) == (maxima, [])
    valor, problemas = validar_valor("fecha_termino", "03/05/2027", maxima, HOY)
    assert valor == date(2027, 5, 3) and "(30/04/2027)" in problemas[0]
    assert "ya pasó" in validar_valor("fecha_termino", "17/11/2026", None, HOY)[1][0]
    assert validar_valor("actividades", "  Mesas  ", None, HOY) == ("Mesas", [])
    assert validar_valor("actividades", " ", None, HOY)[1] == ["El texto no puede quedar vacío."]
    assert "muy largo" in validar_valor("actividades", "x" * 3001, None, HOY)[1][0]
    with pytest.raises(KeyError):
        validar_valor("valoracion", "atendido", None, HOY)


def test_posicion_institucional_rules() -> None:
    plazo = date(2026, 11, 20)
    assert en_tiempo(date(2026, 11, 20), plazo) is True
    assert en_tiempo(date(2026, 11, 23), plazo) is False
    assert en_tiempo(HOY, None) is None
    assert motivo_rechazo_documento("application/pdf") is None
    assert motivo_rechazo_documento("image/png") is not None
