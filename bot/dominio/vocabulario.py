"""The vocabulary of the Lineamientos: enumerations shared by every layer.

Values are the lowercase words of the Lineamientos, stored as such in the database.
"""

from __future__ import annotations

from enum import StrEnum


class Clasificacion(StrEnum):
    """Classification by the actors involved (Art. 9)."""

    ESPECIFICO = "especifico"  # the UR alone
    INSTITUCIONAL = "institucional"  # two or more areas of one dependencia
    INTERINSTITUCIONAL = "interinstitucional"  # more than one dependencia or entidad
    INTERGUBERNAMENTAL = "intergubernamental"  # other governments

    @property
    def etiqueta(self) -> str:
        return _ETIQUETAS_CLASIFICACION[self]


_ETIQUETAS_CLASIFICACION = {
    Clasificacion.ESPECIFICO: "Específico",
    Clasificacion.INSTITUCIONAL: "Institucional",
    Clasificacion.INTERINSTITUCIONAL: "Interinstitucional",
    Clasificacion.INTERGUBERNAMENTAL: "Intergubernamental",
}


class Prioridad(StrEnum):
    """Priority (Art. 9)."""

    ALTO = "alto"
    MEDIO = "medio"
    BAJO = "bajo"


class Valoracion(StrEnum):
    """Degree of compliance (Art. 14)."""

    ATENDIDO = "atendido"
    NO_ATENDIDO = "no_atendido"
    NO_APLICA = "no_aplica"

    @property
    def etiqueta(self) -> str:
        return {"atendido": "Atendido", "no_atendido": "No atendido", "no_aplica": "No aplica"}[
            self.value
        ]


class TipoEvaluacion(StrEnum):
    """Sources of ASM (Art. 6)."""

    INTERNA = "interna"
    EXTERNA = "externa"
    SEGUIMIENTO = "seguimiento"

    @property
    def etiqueta(self) -> str:
        return {
            "interna": "Evaluación interna",
            "externa": "Evaluación externa",
            "seguimiento": "Informe de seguimiento y monitoreo",
        }[self.value]

    def titulo(self, ejercicio_evaluado: int, programa_clave: str) -> str:
        """`Evaluación externa del ejercicio 2025 · E001`: how an evaluation is named."""
        return f"{self.etiqueta} del ejercicio {ejercicio_evaluado} · {programa_clave}"


class TipoPrograma(StrEnum):
    PROGRAMA = "pp"  # programa presupuestario
    FONDO = "fondo"


class TipoDependencia(StrEnum):
    DEPENDENCIA = "dependencia"  # centralized administration (Art. 1 IV)
    ENTIDAD = "entidad"  # decentralized bodies (Art. 1 VI)


class EstadoPlan(StrEnum):
    """Life of an action plan under IMPLAN's review (Art. 10–12)."""

    BORRADOR = "borrador"
    ENVIADO = "enviado"
    OBSERVADO = "observado"
    APROBADO = "aprobado"


class Rol(StrEnum):
    ENLACE = "enlace"
    COORDINADOR = "coordinador"
    CONTRALORIA = "contraloria"


class Semaforo(StrEnum):
    A_TIEMPO = "a_tiempo"
    EN_RIESGO = "en_riesgo"
    VENCIDO = "vencido"

    @property
    def etiqueta(self) -> str:
        return {"a_tiempo": "A tiempo", "en_riesgo": "En riesgo", "vencido": "Vencido"}[self.value]
