"""The action plan's rules (Art. 10–12): its states, who may move it, what it needs.

Plain functions over plain values, no Telegram and no database: the services in
bot/servicios/plan_accion.py and bot/servicios/posicion.py call them, and
tests/dominio/test_planes.py checks them directly.

    borrador ──enviar──▶ enviado ──aprobar──▶ aprobado
                  ▲           │
                  └─enviar── observado ◀──observar──┘
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum

from bot.dominio.periodos import formato_fecha
from bot.dominio.plazos import validar_fecha_termino
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Rol

# The plan's columns of the Anexo A (e–h) that the enlace fills, with their labels.
CAMPOS_PLAN: dict[str, str] = {
    "actividades": "Actividades / Acciones a emprender",
    "fecha_termino": "Fecha de término",
    "resultados_esperados": "Resultados esperados",
    "productos_evidencias": "Productos y/o evidencias",
}
MAX_TEXTO = 3000


class AccionPlan(StrEnum):
    EDITAR = "editar"  # change a field
    ENVIAR = "enviar"  # send to IMPLAN for review
    APROBAR = "aprobar"
    OBSERVAR = "observar"  # send observations back (Art. 12)


# Which states each action starts from, where it leads (None: the state does not change) and who
# does it: the dependencia writes its plan (Art. 10), IMPLAN reviews it (Art. 12).
_TRANSICIONES: dict[AccionPlan, tuple[frozenset[EstadoPlan], EstadoPlan | None, Rol]] = {
    AccionPlan.EDITAR: (
        frozenset({EstadoPlan.BORRADOR, EstadoPlan.OBSERVADO}),
        None,
        Rol.ENLACE,
    ),
    AccionPlan.ENVIAR: (
        frozenset({EstadoPlan.BORRADOR, EstadoPlan.OBSERVADO}),
        EstadoPlan.ENVIADO,
        Rol.ENLACE,
    ),
    AccionPlan.APROBAR: (frozenset({EstadoPlan.ENVIADO}), EstadoPlan.APROBADO, Rol.COORDINADOR),
    AccionPlan.OBSERVAR: (frozenset({EstadoPlan.ENVIADO}), EstadoPlan.OBSERVADO, Rol.COORDINADOR),
}

_ESTADO_ETIQUETA = {
    EstadoPlan.BORRADOR: "Borrador",
    EstadoPlan.ENVIADO: "Enviado a revisión",
    EstadoPlan.OBSERVADO: "Con observaciones",
    EstadoPlan.APROBADO: "Aprobado",
}

_POR_QUE_NO = {
    EstadoPlan.ENVIADO: "el plan está en revisión del IMPLAN; espere su respuesta",
    EstadoPlan.APROBADO: "el plan ya fue aprobado por el IMPLAN",
    EstadoPlan.BORRADOR: "el plan aún no se ha enviado a revisión",
    EstadoPlan.OBSERVADO: "el plan tiene observaciones y espera la corrección de la dependencia",
}


def etiqueta_estado(estado: EstadoPlan) -> str:
    return _ESTADO_ETIQUETA[estado]


def requiere_plan(clasificacion: Clasificacion) -> bool:
    # Art. 10: intergovernmental ASM need no action plan.
    return clasificacion is not Clasificacion.INTERGUBERNAMENTAL


def quien_puede(accion: AccionPlan) -> Rol:
    return _TRANSICIONES[accion][2]


def estado_siguiente(accion: AccionPlan, estado: EstadoPlan) -> EstadoPlan:
    """The state after `accion` (call validar_accion first)."""
    return _TRANSICIONES[accion][1] or estado


def validar_accion(
    accion: AccionPlan, estado: EstadoPlan, rol: Rol, clasificacion: Clasificacion
) -> list[str]:
    """May a person of `rol` do `accion` on a plan in `estado`? The problems, for the person."""
    desde, _, quien = _TRANSICIONES[accion]
    if rol is not quien:
        if rol is Rol.CONTRALORIA:
            return ["La Contraloría puede consultar los planes, pero no modificarlos."]
        if quien is Rol.ENLACE:
            return ["El plan de acción lo elabora y envía el Enlace de la dependencia."]
        return ["La revisión de los planes corresponde al Departamento de Evaluación del IMPLAN."]
    if not requiere_plan(clasificacion):
        return [
            "Los ASM intergubernamentales no requieren plan de acción (artículo 10 de los "
            "Lineamientos)."
        ]
    if estado not in desde:
        return [f"No se puede {_VERBO[accion]}: {_POR_QUE_NO[estado]}."]
    return []


_VERBO = {
    AccionPlan.EDITAR: "modificar el plan",
    AccionPlan.ENVIAR: "enviar el plan",
    AccionPlan.APROBAR: "aprobar el plan",
    AccionPlan.OBSERVAR: "enviar observaciones",
}


def faltantes_para_enviar(valores: Mapping[str, object], fecha_maxima: date | None) -> list[str]:
    """What a plan lacks before it can be sent: every field filled and the date within limits."""
    problemas = [
        f"Falta «{etiqueta}»."
        for campo, etiqueta in CAMPOS_PLAN.items()
        if valores.get(campo) is None or not str(valores.get(campo)).strip()
    ]
    fecha = valores.get("fecha_termino")
    if isinstance(fecha, date):
        problemas += validar_fecha_termino(fecha, fecha_maxima)
    return problemas


_FECHA = re.compile(r"^\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\s*$")


def interpretar_fecha(texto: str) -> date:
    """A date typed as dd/mm/aaaa (also with - or .). ValueError with a Spanish message."""
    m = _FECHA.match(texto)
    if m is None:
        raise ValueError(f"«{texto.strip()[:40]}» no es una fecha; escríbala como 31/03/2027.")
    dia, mes, anio = (int(g) for g in m.groups())
    try:
        return date(anio, mes, dia)
    except ValueError:
        raise ValueError(f"{texto.strip()} no es una fecha válida del calendario.") from None


def validar_valor(
    campo: str, texto: str, fecha_maxima: date | None, hoy: date
) -> tuple[str | date, list[str]]:
    """A typed value for a plan field: the value to store and the problems (empty when valid)."""
    if campo not in CAMPOS_PLAN:
        raise KeyError(campo)
    if campo != "fecha_termino":
        limpio = texto.strip()
        if not limpio:
            return limpio, ["El texto no puede quedar vacío."]
        if len(limpio) > MAX_TEXTO:
            return limpio, [f"El texto es muy largo (máximo {MAX_TEXTO} caracteres)."]
        return limpio, []
    try:
        fecha = interpretar_fecha(texto)
    except ValueError as e:
        return texto, [str(e)]
    if fecha < hoy:
        return fecha, [
            f"La fecha de término {formato_fecha(fecha)} ya pasó; escriba una fecha futura."
        ]
    return fecha, validar_fecha_termino(fecha, fecha_maxima)


# --- The posición institucional (Art. 8) --------------------------------------------------

# A documento de opinión: PDF or an office document, not pictures or archives.
TIPOS_DOCUMENTO = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
        "application/x-ole-storage",
        "application/vnd.oasis.opendocument.text",
    }
)


def en_tiempo(entrega: date, plazo: date | None) -> bool | None:
    """Art. 8: on time when delivered by the deadline day itself; None when it is unknown."""
    return None if plazo is None else entrega <= plazo


def motivo_rechazo_documento(tipo: str | None) -> str | None:
    """Art. 8: the posición is a documented opinion, so a document, not a picture."""
    if tipo in TIPOS_DOCUMENTO:
        return None
    return "La posición institucional se entrega como PDF o documento de Word; envíe ese archivo."
