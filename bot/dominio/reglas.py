"""Checks of the Lineamientos on what a person records: each returns the problems in Spanish,
addressed to the person (usted) and saying what to do; an empty list means it is valid."""

from __future__ import annotations

from datetime import date

from bot.dominio.vocabulario import Clasificacion, Valoracion

# Art. 14: "no aplica" means external causes, a failed collaboration with other bodies.
CLASIFICACIONES_NO_APLICA = frozenset(
    {Clasificacion.INTERINSTITUCIONAL, Clasificacion.INTERGUBERNAMENTAL}
)


def _en_blanco(texto: str | None) -> bool:
    return texto is None or not texto.strip()


def admite_sin_evidencia(porcentaje: int) -> bool:
    """Only a report below 100 % may go without evidence: 100 % must be proven (Art. 14: atendido needs documentary evidence)."""
    return porcentaje < 100


def validar_avance(
    nuevo: int, anterior: int | None, justificacion: str | None, evidencias: int
) -> list[str]:
    """A new % de avance (Anexo A, i), given the previous one and the evidence attached."""
    if not 0 <= nuevo <= 100:
        return [f"El avance {nuevo} % está fuera de rango; escriba un número entero de 0 a 100."]
    problemas: list[str] = []
    # Anexo A (j), Observaciones / Justificaciones: a drop in the percent must be explained.
    if anterior is not None and nuevo < anterior and _en_blanco(justificacion):
        problemas.append(
            f"El avance baja de {anterior} % a {nuevo} %; escriba la justificación de la "
            "disminución."
        )
    # Anexo A (h) and Art. 14: completion is shown with documentary evidence.
    if evidencias < 1 and not admite_sin_evidencia(nuevo):
        problemas.append("Para registrar 100 % de avance, adjunte al menos una evidencia.")
    return problemas


def requiere_observaciones(
    nuevo: int, anterior: int | None, fecha_termino: date | None, hoy: date
) -> bool:
    """Anexo A (j): observations are needed when the percent goes down or the ASM is overdue."""
    baja = anterior is not None and nuevo < anterior
    vencido = fecha_termino is not None and hoy > fecha_termino and nuevo < 100
    return baja or vencido


def validar_valoracion(
    valoracion: Valoracion,
    clasificacion: Clasificacion,
    avance: int | None,
    evidencias: int,
    observaciones: str | None,
) -> list[str]:
    """The valoración of an ASM against its state (Art. 14)."""
    problemas: list[str] = []
    if valoracion is Valoracion.ATENDIDO:
        # Fully done, with documentary evidence.
        if avance != 100:
            actual = "sin avance registrado" if avance is None else f"el avance es {avance} %"
            problemas.append(
                f"Para valorar «Atendido» el avance debe ser 100 % ({actual}); "
                "registre el avance completo o elija otra valoración."
            )
        if evidencias < 1:
            problemas.append("Para valorar «Atendido», adjunte al menos una evidencia documental.")
    elif valoracion is Valoracion.NO_ATENDIDO:
        # Internal causes, which must be written in the Observaciones column.
        if _en_blanco(observaciones):
            problemas.append(
                "Para valorar «No atendido», escriba en Observaciones las causas que impidieron "
                "el cumplimiento."
            )
    elif clasificacion not in CLASIFICACIONES_NO_APLICA:
        problemas.append(
            f"«No aplica» sólo procede para ASM interinstitucionales o intergubernamentales "
            f"(causas ajenas a la dependencia); este ASM es {clasificacion.etiqueta.lower()}. "
            "Elija «Atendido» o «No atendido»."
        )
    return problemas
