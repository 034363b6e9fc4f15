"""The Anexo A of the Lineamientos as plain data, shared by its writer and its reader.

`anexo_a_escritura` turns `PlanAnexoA` into an .xlsx file; `anexo_a_lectura` turns the files that
dependencias fill into `AnexoLeido`. Neither knows about the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.dominio.periodos import Trimestre
from bot.dominio.vocabulario import Clasificacion, Semaforo, Valoracion

TITULO = "Plan de Acción: Aspectos Susceptibles de Mejora (ASM)"

# The ten columns, in the order and with the words of the Anexo A.
COLUMNAS: tuple[str, ...] = (
    "Núm.",
    "Aspecto Susceptible de Mejora (ASM)",
    "Clasificación (Por actores involucrados)",
    "Área responsable (Dependencia y Unidad Administrativa)",
    "Actividades / Acciones a Emprender",
    "Fecha de Término",
    "Resultados Esperados",
    "Productos y/o evidencias",
    "% de avance",
    "Observaciones / Justificaciones",
)


@dataclass(frozen=True)
class Encabezado:
    """Names above every Anexo A; configurable so another municipality can adopt the bot."""

    municipio: str = "H. Ayuntamiento del Municipio de Puebla"
    instituto: str = "Instituto Municipal de Planeación"


@dataclass(frozen=True)
class FilaAnexoA:
    """One ASM as the Anexo A shows it, as of a cut-off date."""

    numero: int
    asm: str
    clasificacion: Clasificacion
    area_responsable: str
    actividades: str
    fecha_termino: date | None
    resultados_esperados: str
    productos_evidencias: str
    avance: int | None  # whole percent 0–100; None when never reported
    observaciones: str
    # Not columns of the Anexo A: they feed the consolidated summary sheet.
    semaforo: Semaforo = Semaforo.A_TIEMPO
    valoracion: Valoracion | None = None


@dataclass(frozen=True)
class PlanAnexoA:
    """The action plan of one Pp or fondo for one quarter: one sheet of an Anexo A file."""

    programa_clave: str
    programa_nombre: str
    trimestre: Trimestre
    filas: Sequence[FilaAnexoA]

    @property
    def programa(self) -> str:
        """What the header shows under “Programa presupuestario / Fondo”."""
        return f"{self.programa_clave} {self.programa_nombre}".strip()


# --- What the reader finds in a file that a dependencia filled. ---


@dataclass(frozen=True)
class Problema:
    """A problem found in a file, located as Excel shows it (sheet, row number, column letter)."""

    hoja: str
    fila: int | None
    columna: str | None
    mensaje: str

    def __str__(self) -> str:
        if not self.hoja:  # about the whole file
            return self.mensaje
        lugar = [f"Hoja «{self.hoja}»"]
        if self.fila is not None:
            lugar.append(f"fila {self.fila}")
        if self.columna is not None:
            lugar.append(f"columna {self.columna}")
        return f"{', '.join(lugar)}: {self.mensaje}"


@dataclass(frozen=True)
class Actividad:
    """One activity of an ASM written over several rows, with what its own row says."""

    texto: str
    fecha_termino: date | None = None
    producto: str = ""


@dataclass(frozen=True)
class FilaLeida:
    """One ASM row read from a file; `fila` is the Excel row number it came from."""

    fila: int
    numero: int
    asm: str
    clasificacion: Clasificacion
    area_responsable: str
    actividades: str
    fecha_termino: date | None
    resultados_esperados: str
    productos_evidencias: str
    avance: int | None
    observaciones: str
    # The activities in order when the ASM takes several rows; `actividades` holds them as lines.
    detalle: tuple[Actividad, ...] = ()
    ultima_fila: int = field(default=0, compare=False)  # the last row the ASM takes


@dataclass(frozen=True)
class Omitida:
    """A row below the header that is not an ASM (a repeated header, a footer, a total…)."""

    fila: int
    motivo: str


@dataclass
class PlanLeido:
    """One sheet of a file: the header block as found, and its rows."""

    hoja: str
    programa: str | None  # the text under “Programa presupuestario / Fondo”, if present
    trimestre: Trimestre | None
    dependencia: str | None  # a “Dependencia” line in the header, if present
    filas: list[FilaLeida] = field(default_factory=list)
    # Excel column letter of each column found («avance»: «I»), for problems found later.
    columnas: dict[str, str] = field(default_factory=dict, compare=False)
    omitidas: list[Omitida] = field(default_factory=list, compare=False)
    # A quarter written in the header that could not be understood: a problem only when the
    # import is not told the quarter some other way (`--trimestre`).
    trimestre_ilegible: Problema | None = field(default=None, compare=False)
    programa_de_hoja: bool = field(
        default=False, compare=False
    )  # the Pp came from the sheet's name


@dataclass
class AnexoLeido:
    """A whole file: its plans and every problem found. Usable only when `problemas` is empty."""

    planes: list[PlanLeido] = field(default_factory=list)
    problemas: list[Problema] = field(default_factory=list)
    # What was read but deserves a look (a month taken as its last day, «N/A» as an empty %).
    advertencias: list[Problema] = field(default_factory=list)
