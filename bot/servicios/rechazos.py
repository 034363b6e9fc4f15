"""The one shape of a refusal: a service raises a `Rechazado` whose message says, to the person,
why nothing was done and what to do next.

A refusal is raised before the service changes anything, so the only rows it may leave are the
audit rows that record it; handlers.base.en_bd commits those and the edge turns the exception
into the reply.
"""

from __future__ import annotations


class Rechazado(Exception):
    """A use case refused; str(e) is the message for the person (Spanish, usted)."""


class BotonVencido(Rechazado):
    """The conversation moved on (or never was where the button says): nothing to do."""

    def __init__(self, mensaje: str = "Ese botón ya no está vigente.") -> None:
        super().__init__(mensaje)
