"""The close of an ASM (Art. 14): which valoración fits its state, reopening, and prórrogas.

Plain functions over plain values: the service reads the facts from the database, these say
what is allowed and why not, in Spanish for the coordinador or the enlace.

| valoración  | conditions (Art. 14)                                                              |
| ----------- | --------------------------------------------------------------------------------- |
| Atendido    | 100 % first reported on or before the fecha de término in force, with evidence    |
| No atendido | the fecha de término in force passed without 100 % by then, or the dependencia    |
|             | declared it cannot comply; the causes are required (Anexo A, Observaciones)       |
| No aplica   | interinstitucional or intergubernamental ASM only; the cause and the institution  |
|             | or government whose collaboration failed are both required                        |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.dominio.periodos import formato_fecha
from bot.dominio.vocabulario import Clasificacion, Valoracion

# Art. 14: «no aplica» means external causes, a failed collaboration with other bodies.
CLASIFICACIONES_NO_APLICA = frozenset(
    {Clasificacion.INTERINSTITUCIONAL, Clasificacion.INTERGUBERNAMENTAL}
)
MAX_TEXTO = 2000


@dataclass(frozen=True)
class Hechos:
    """What Art. 14 looks at, as of `hoy`."""

    clasificacion: Clasificacion
    fecha_termino: date | None  # in force: the original or that of an approved prórroga
    avance: int | None  # the latest % de avance
    fecha_100: date | None  # the day 100 % was first reported
    evidencias: int
    hoy: date

    @property
    def completo_en_tiempo(self) -> bool:
        return (
            self.avance == 100
            and self.fecha_100 is not None
            and self.fecha_termino is not None
            and self.fecha_100 <= self.fecha_termino
        )

    @property
    def plazo_vencido(self) -> bool:
        return self.fecha_termino is not None and self.hoy > self.fecha_termino


@dataclass(frozen=True)
class Opcion:
    """A valoración as the coordinador sees it today: valid or not, and why not."""

    valoracion: Valoracion
    motivo: str = ""  # empty when valid
    por_declaracion: bool = False  # «no atendido» valid only on the dependencia's declaration
    condicion: str = ""  # with por_declaracion: why the dates alone do not allow it

    @property
    def valida(self) -> bool:
        return not self.motivo


def _en_blanco(texto: str | None) -> bool:
    return texto is None or not texto.strip()


def motivo_atendido(h: Hechos) -> str:
    """Why «Atendido» does not fit (empty when it does): done in full, on time, with evidence."""
    if h.avance != 100:
        actual = "sin avance registrado" if h.avance is None else f"el avance es {h.avance} %"
        return f"requiere 100 % de avance ({actual})."
    if h.fecha_termino is None:
        return "el ASM no tiene fecha de término; sin ella no se puede juzgar si fue en tiempo."
    assert h.fecha_100 is not None
    if h.fecha_100 > h.fecha_termino:
        return (
            f"el 100 % se informó el {formato_fecha(h.fecha_100)}, después de la fecha de "
            f"término ({formato_fecha(h.fecha_termino)})."
        )
    if h.evidencias < 1:
        return "falta la evidencia documental; la dependencia debe adjuntarla."
    return ""


def motivo_no_atendido(h: Hechos) -> str:
    """Why «No atendido» does not fit by the dates alone (the declaration is apart)."""
    if h.completo_en_tiempo:
        return "el ASM llegó a 100 % en tiempo."
    if h.fecha_termino is None:
        return "el ASM no tiene fecha de término; sólo procede si la dependencia declara que no podrá cumplir."
    if not h.plazo_vencido:
        return (
            f"la fecha de término ({formato_fecha(h.fecha_termino)}) no ha pasado; sólo procede "
            "si la dependencia declara que no podrá cumplir."
        )
    return ""


def motivo_no_aplica(h: Hechos) -> str:
    if h.clasificacion not in CLASIFICACIONES_NO_APLICA:
        return (
            "sólo procede para ASM interinstitucionales o intergubernamentales; este es "
            f"{h.clasificacion.etiqueta.lower()}."
        )
    return ""


def opciones(h: Hechos) -> list[Opcion]:
    """Every valoración with the reason when it does not fit today, in the order of Art. 14."""
    no_atendido = motivo_no_atendido(h)
    return [
        Opcion(Valoracion.ATENDIDO, motivo_atendido(h)),
        # Before the date, the dependencia's own declaration is the only way (Art. 14: causes
        # "internas" it notifies); the coordinador records that it was declared.
        Opcion(Valoracion.NO_ATENDIDO, no_atendido)
        if not no_atendido or h.completo_en_tiempo
        else Opcion(Valoracion.NO_ATENDIDO, "", por_declaracion=True, condicion=no_atendido),
        Opcion(Valoracion.NO_APLICA, motivo_no_aplica(h)),
    ]


def validar_valoracion(
    valoracion: Valoracion,
    h: Hechos,
    *,
    causas: str = "",
    institucion: str = "",
    declarada: bool = False,
) -> list[str]:
    """The valoración against the ASM's state (Art. 14); an empty list means it may be recorded."""
    problemas: list[str] = []
    if valoracion is Valoracion.ATENDIDO:
        if motivo := motivo_atendido(h):
            problemas.append(f"«Atendido» no procede: {motivo}")
    elif valoracion is Valoracion.NO_ATENDIDO:
        motivo = motivo_no_atendido(h)
        if motivo and (h.completo_en_tiempo or not declarada):
            problemas.append(f"«No atendido» no procede: {motivo}")
        if _en_blanco(causas):
            # Art. 14: the causes of the impediment are notified in the Anexo A.
            problemas.append("Para «No atendido» escriba las causas del incumplimiento.")
    else:
        if motivo := motivo_no_aplica(h):
            problemas.append(f"«No aplica» no procede: {motivo}")
        if _en_blanco(causas):
            problemas.append("Para «No aplica» escriba la causa ajena a la dependencia.")
        if _en_blanco(institucion):
            problemas.append(
                "Para «No aplica» escriba la institución o el gobierno cuya colaboración falló."
            )
    return problemas


def validar_reapertura(valoracion: Valoracion | None, motivo: str) -> list[str]:
    """A valued ASM may be reopened by the coordinación, always with a reason (audited)."""
    if valoracion is None:
        return ["Ese ASM no tiene valoración; no hay nada que reabrir."]
    if _en_blanco(motivo):
        return ["Escriba el motivo para reabrir el ASM."]
    return []


def observacion_valoracion(
    valoracion: Valoracion, causas: str, institucion: str, declarada: bool
) -> str:
    """The line that reaches the Anexo A's Observaciones / Justificaciones (Anexo A, j)."""
    if valoracion is Valoracion.NO_ATENDIDO:
        quien = " (declarado por la dependencia)" if declarada else ""
        return f"No atendido{quien}: {causas.strip()}"
    if valoracion is Valoracion.NO_APLICA:
        return f"No aplica: {causas.strip()} (colaboración fallida: {institucion.strip()})"
    return ""


# --- Prórroga -------------------------------------------------------------------------------


def validar_prorroga(
    nueva: date,
    vigente: date | None,
    limite: date | None,
    hoy: date,
    justificacion: str,
) -> list[str]:
    """A new fecha de término asked for or approved: later than the one in force, not past, and
    within the evaluation's fecha límite de atención (Anexo A, f) unless IMPLAN extends it."""
    problemas: list[str] = []
    if vigente is not None and nueva <= vigente:
        problemas.append(
            f"La nueva fecha debe ser posterior a la fecha de término vigente "
            f"({formato_fecha(vigente)})."
        )
    elif nueva < hoy:
        problemas.append(f"La fecha {formato_fecha(nueva)} ya pasó; escriba una fecha futura.")
    if limite is not None and nueva > limite:
        problemas.append(
            f"La fecha {formato_fecha(nueva)} excede la fecha límite de atención de la "
            f"evaluación ({formato_fecha(limite)}); elija una igual o anterior, o pida al IMPLAN "
            "que amplíe esa fecha límite."
        )
    if _en_blanco(justificacion):
        problemas.append("Escriba la justificación de la prórroga.")
    return problemas


def observacion_prorroga(original: date | None, nueva: date, aprobada_el: date) -> str:
    """What the Anexo A keeps about an approved prórroga: the original date stays visible."""
    antes = formato_fecha(original) if original is not None else "sin fecha"
    return (
        f"Prórroga aprobada el {formato_fecha(aprobada_el)}: fecha de término original "
        f"{antes}, nueva {formato_fecha(nueva)}."
    )
