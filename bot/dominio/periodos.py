"""Quarters and months as the Anexo A speaks of them (“Trimestre y año”)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MESES = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio",
    "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip

_ORDINALES = ("Primer", "Segundo", "Tercer", "Cuarto")

_TRIMESTRE_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Tt]\s*([1-4])\s*$")


@dataclass(frozen=True, order=True)
class Trimestre:
    """A quarter of a year, written `2025T2`."""

    anio: int
    numero: int

    def __post_init__(self) -> None:
        if not 1 <= self.numero <= 4:
            raise ValueError(f"trimestre fuera de rango: {self.numero}")

    @classmethod
    def parse(cls, texto: str) -> Trimestre:
        """`2025T2` (also `2025-T2`, `2025t2`) → Trimestre(2025, 2)."""
        m = _TRIMESTRE_RE.match(texto)
        if not m:
            raise ValueError(
                f"«{texto}» no es un trimestre válido; escríbalo como 2025T2 (año, T y número 1 a 4)."
            )
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def de_fecha(cls, d: date) -> Trimestre:
        return cls(d.year, (d.month - 1) // 3 + 1)

    @property
    def inicio(self) -> date:
        return date(self.anio, 3 * self.numero - 2, 1)

    @property
    def fin(self) -> date:
        """Last calendar day of the quarter: the cut-off of its Anexo A."""
        return self.siguiente().inicio - timedelta(days=1)

    @property
    def ultimo_mes(self) -> date:
        """First day of the quarter's last month (the month its figures report)."""
        return date(self.anio, 3 * self.numero, 1)

    def siguiente(self) -> Trimestre:
        return (
            Trimestre(self.anio + 1, 1)
            if self.numero == 4
            else Trimestre(self.anio, self.numero + 1)
        )

    def anterior(self) -> Trimestre:
        return (
            Trimestre(self.anio - 1, 4)
            if self.numero == 1
            else Trimestre(self.anio, self.numero - 1)
        )

    @property
    def etiqueta(self) -> str:
        """`Segundo trimestre 2025`."""
        return f"{_ORDINALES[self.numero - 1]} trimestre {self.anio}"

    def __str__(self) -> str:
        return f"{self.anio}T{self.numero}"


def primer_dia_del_mes(d: date) -> date:
    return d.replace(day=1)


def nombre_mes(d: date) -> str:
    """`junio de 2025`."""
    return f"{MESES[d.month - 1]} de {d.year}"


def formato_fecha(d: date) -> str:
    """Dates as users read them: `30/06/2025`."""
    return d.strftime("%d/%m/%Y")
