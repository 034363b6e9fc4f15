"""Checks of the Lineamientos on what a person records: each returns the problems in Spanish,
addressed to the person (usted) and saying what to do; an empty list means it is valid."""

from __future__ import annotations

from datetime import date

# The valoración of Art. 14 has its own module: bot.dominio.valoracion.


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
