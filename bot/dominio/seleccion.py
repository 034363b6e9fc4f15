"""From recommendations to ASM: the selection criteria (Art. 7) and the classification by the
actors involved (Art. 9), as plain rules that return the problems found, in Spanish; and which
ASM an enlace reports next this month, in what order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.dominio.estado import informo_en, por_informar
from bot.dominio.vocabulario import Clasificacion, Valoracion


class Criterio(StrEnum):
    """The four criteria of Art. 7, in the Lineamientos' order (also the model's column names)."""

    CLARIDAD = "claridad"
    RELEVANCIA = "relevancia"
    JUSTIFICACION = "justificacion"
    FACTIBILIDAD = "factibilidad"

    @property
    def etiqueta(self) -> str:
        return {"justificacion": "Justificación"}.get(self.value, self.value.capitalize())


def criterios_no_cumplidos(criterios: Mapping[str, bool | None]) -> list[str]:
    """Art. 7: a recommendation becomes an ASM only when it meets all four criteria; the ones
    not met (or not checked yet), as labels."""
    return [c.etiqueta for c in Criterio if criterios.get(c.value) is not True]


def problemas_de_seleccion(criterios: Mapping[str, bool | None]) -> list[str]:
    faltan = criterios_no_cumplidos(criterios)
    if not faltan:
        return []
    return [
        "Una recomendación se vuelve ASM solo si cumple los cuatro criterios del Art. 7; "
        f"no cumple o falta revisar: {', '.join(faltan)}. Regístrela como no seleccionada "
        "con su motivo."
    ]


@dataclass(frozen=True)
class Responsable:
    """A dependencia (or entidad) and, when known, its unidad administrativa."""

    dependencia_id: int
    unidad_id: int | None = None


def clasificacion_sugerida(
    responsables: Sequence[Responsable], gobierno_externo: str | None
) -> Clasificacion | None:
    """The classification Art. 9 gives to these actors; None without any responsable."""
    if gobierno_externo and gobierno_externo.strip():
        return Clasificacion.INTERGUBERNAMENTAL
    dependencias = {r.dependencia_id for r in responsables}
    if len(dependencias) > 1:
        return Clasificacion.INTERINSTITUCIONAL
    if len(responsables) > 1:
        return Clasificacion.INSTITUCIONAL
    if responsables:
        return Clasificacion.ESPECIFICO
    return None


def problemas_de_clasificacion(
    clasificacion: Clasificacion,
    responsables: Sequence[Responsable],
    gobierno_externo: str | None = None,
) -> list[str]:
    """Art. 9: the classification must match the actors. Específico: one unidad responsable;
    institucional: two or more areas of one dependencia; interinstitucional: more than one
    dependencia or entidad; intergubernamental: another government, named."""
    if not responsables:
        return ["Indique al menos una dependencia o entidad responsable (Art. 9)."]
    dependencias = {r.dependencia_id for r in responsables}
    otro_gobierno = bool(gobierno_externo and gobierno_externo.strip())
    problema: str | None = None
    if clasificacion is Clasificacion.ESPECIFICO and len(responsables) > 1:
        problema = "un ASM específico tiene una sola unidad responsable"
    elif clasificacion is Clasificacion.INSTITUCIONAL and (
        len(dependencias) > 1 or len(responsables) < 2
    ):
        problema = "un ASM institucional involucra dos o más áreas de una misma dependencia"
    elif clasificacion is Clasificacion.INTERINSTITUCIONAL and len(dependencias) < 2:
        problema = "un ASM interinstitucional involucra a más de una dependencia o entidad"
    elif clasificacion is Clasificacion.INTERGUBERNAMENTAL and not otro_gobierno:
        problema = "un ASM intergubernamental requiere el nombre del otro gobierno involucrado"
    elif clasificacion is not Clasificacion.INTERGUBERNAMENTAL and otro_gobierno:
        problema = "si participa otro gobierno, el ASM es intergubernamental"
    if problema is None:
        return []
    sugerida = clasificacion_sugerida(responsables, gobierno_externo)
    sugerencia = f" Con estos responsables corresponde «{sugerida.etiqueta}»." if sugerida else ""
    return [
        f"La clasificación «{clasificacion.etiqueta}» no corresponde: {problema} (Art. 9).{sugerencia}"
    ]


# --- The month's pending run -------------------------------------------------------------


def pendiente_del_mes(
    valoracion: Valoracion | None, avance: int | None, periodo_avance: date | None, mes: date
) -> bool:
    """Due this month: the % de avance is updated every month (Anexo A, i) while the ASM is open:
    not valued (Art. 14 closes it), below 100 %, and not yet reported for `mes`."""
    return por_informar(valoracion, avance) and not informo_en(periodo_avance, mes)


def orden_de_pendiente(
    fecha_termino: date | None, hoy: date, programa: str, numero: int
) -> tuple[bool, date, str, int]:
    """Sort key of the pending run: overdue first (its fecha de término in force passed, Anexo A
    f), then the nearest fecha de término, an ASM without one last; ties by Pp and Núm."""
    vencido = fecha_termino is not None and fecha_termino < hoy
    return (not vencido, fecha_termino or date.max, programa, numero)
