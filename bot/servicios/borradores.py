"""The step each person is at in a conversation, kept in the database at every step.

PTB's ConversationHandler keeps its state in memory and persists it only now and then; a row per
person, written at each step, survives a restart or a second instance and is never half-saved.

Each conversation has its steps (an enum) and its typed draft (a dataclass) here; the row keeps
the flow, the step and the other fields as JSON. handlers/__init__.py says which handler takes
typed text or a file at each step.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from bot.dominio.texto import limpiar
from storage.models import Borrador, utcnow


class Flujo(StrEnum):
    REGISTRO = "registro"
    AVANCE = "avance"
    EVIDENCIA = "evidencia"
    PLAN = "plan"
    REVISION = "revision"
    POSICION = "posicion"
    IMPORTAR = "importar"
    VALORACION = "valoracion"
    EVALUACIONES = "evaluaciones"  # /evaluaciones: a new evaluation or recommendation
    PRORROGA = "prorroga"  # an enlace types the new date and the justification
    VERIFICAR = "verificar"  # /verificar waits for a code or a PDF


@dataclass
class Paso:
    """A draft as stored (the untyped row): for flows that keep their own fields."""

    flujo: str
    paso: str
    datos: dict[str, Any] = field(default_factory=dict)


# --- The steps of each conversation (diagrams: handlers/*.md) ------------------------------


class PasoRegistro(StrEnum):
    AVISO = "aviso"  # the aviso de privacidad is shown; the code waits for the answer


class PasoAvance(StrEnum):
    ELEGIR = "elegir"  # the list of the dependencia's ASM
    PORCENTAJE = "porcentaje"
    OBSERVACIONES = "observaciones"
    EVIDENCIA = "evidencia"  # files arrive until «Listo»
    CONFIRMAR = "confirmar"  # the summary, waiting for «Confirmar»


class PasoPlan(StrEnum):
    MENU = "menu"  # the plan with its menu of fields
    VALOR = "valor"  # the value of the chosen field is typed


class PasoRevision(StrEnum):
    OBSERVACIONES = "observaciones"  # IMPLAN types its observations


class PasoPosicion(StrEnum):
    ARCHIVO = "archivo"  # the document is sent


class PasoImportar(StrEnum):
    CONFIRMAR = "confirmar"  # the preview, waiting for «Confirmar»


# --- The typed drafts ---------------------------------------------------------------------


@dataclass
class BorradorRegistro:
    FLUJO: ClassVar[Flujo] = Flujo.REGISTRO
    PASOS: ClassVar[type[StrEnum]] = PasoRegistro
    codigo_hash: str = ""  # only the invitation's hash is kept, never the code itself
    paso: PasoRegistro = PasoRegistro.AVISO
    codigo: str = ""  # drafts written before the hash: still redeemed


@dataclass
class BorradorAvance:
    """The monthly report (/avance) being written."""

    FLUJO: ClassVar[Flujo] = Flujo.AVANCE
    PASOS: ClassVar[type[StrEnum]] = PasoAvance
    paso: PasoAvance = PasoAvance.ELEGIR
    pagina: int = 0
    asm_id: int | None = None
    numero: int | None = None
    clave: str | None = None  # the Pp's
    conversacion: str | None = None  # set by guardar(): the unique key of the report it makes
    porcentaje: int | None = None
    obligatorias: bool = False  # observations are required (a lower % or an overdue ASM)
    observaciones: str | None = None
    evidencias: list[dict[str, Any]] = field(default_factory=list)  # ArchivoEvidencia.como_dict
    hechos: int = 0  # reports confirmed earlier in this pending run («Siguiente pendiente»)
    corrigiendo: bool = False  # «Corregir» at the summary: each change goes back to it

    @property
    def a_medias(self) -> bool:
        """Something was entered for an ASM: starting over would lose it, so it is asked."""
        return self.asm_id is not None and (self.porcentaje is not None or bool(self.evidencias))


@dataclass
class BorradorEvidencia(BorradorAvance):
    """Evidence only (/evidencia): the same fields, without % or observations."""

    FLUJO: ClassVar[Flujo] = Flujo.EVIDENCIA


@dataclass
class BorradorPlan:
    FLUJO: ClassVar[Flujo] = Flujo.PLAN
    PASOS: ClassVar[type[StrEnum]] = PasoPlan
    asm_id: int
    paso: PasoPlan = PasoPlan.MENU
    campo: str | None = None


@dataclass
class BorradorRevision:
    FLUJO: ClassVar[Flujo] = Flujo.REVISION
    PASOS: ClassVar[type[StrEnum]] = PasoRevision
    asm_id: int
    paso: PasoRevision = PasoRevision.OBSERVACIONES


@dataclass
class BorradorPosicion:
    FLUJO: ClassVar[Flujo] = Flujo.POSICION
    PASOS: ClassVar[type[StrEnum]] = PasoPosicion
    evaluacion_id: int
    paso: PasoPosicion = PasoPosicion.ARCHIVO


@dataclass
class BorradorImportar:
    FLUJO: ClassVar[Flujo] = Flujo.IMPORTAR
    PASOS: ClassVar[type[StrEnum]] = PasoImportar
    sha256: str
    nombre: str
    paso: PasoImportar = PasoImportar.CONFIRMAR


BorradorTipado = (
    BorradorRegistro
    | BorradorAvance
    | BorradorPlan
    | BorradorRevision
    | BorradorPosicion
    | BorradorImportar
)
_TIPOS: dict[str, type[Any]] = {
    t.FLUJO.value: t
    for t in (
        BorradorRegistro, BorradorAvance, BorradorEvidencia, BorradorPlan, BorradorRevision,
        BorradorPosicion, BorradorImportar,
    )
}  # fmt: skip


def _tipado(paso: Paso) -> BorradorTipado | Paso:
    tipo = _TIPOS.get(paso.flujo)
    if tipo is None:
        return paso
    campos = {f.name for f in dataclasses.fields(tipo)} - {"paso"}
    valores = {k: v for k, v in paso.datos.items() if k in campos}
    try:
        borrador: BorradorTipado = tipo(paso=tipo.PASOS(paso.paso), **valores)
    except (TypeError, ValueError):  # a row of an older version: start again
        return paso
    return borrador


def _fila(borrador: BorradorTipado) -> Paso:
    datos = {k: v for k, v in dataclasses.asdict(borrador).items() if k != "paso"}
    return Paso(borrador.FLUJO.value, borrador.paso.value, datos)


# --- Reading and writing ------------------------------------------------------------------

# A draft is one row, read and written whole at every step: on the table itself, not through
# the ORM's objects, whose bookkeeping (the session's map of loaded rows, kept in step with
# each UPDATE) costs a third of a step's save (bench/borrador.py). Nothing here loads a
# Borrador object, so none is left stale by an UPDATE here in the same session.
_TABLA = cast(Table, Borrador.__table__)
_COLUMNAS = (_TABLA.c.flujo, _TABLA.c.paso, _TABLA.c.datos)


def leer(session: Session, telegram_id: int) -> Paso | None:
    fila = session.execute(select(*_COLUMNAS).where(_TABLA.c.telegram_id == telegram_id)).first()
    return None if fila is None else Paso(fila.flujo, fila.paso, dict(fila.datos))


def _limpio(valor: Any) -> Any:
    if isinstance(valor, str):
        return limpiar(valor)
    if isinstance(valor, dict):
        return {k: _limpio(v) for k, v in valor.items()}
    if isinstance(valor, list):
        return [_limpio(v) for v in valor]
    return valor


def leer_borrador(session: Session, telegram_id: int) -> BorradorTipado | Paso | None:
    """The person's draft, typed (a `Paso` for a flow without its own type)."""
    paso = leer(session, telegram_id)
    return None if paso is None else _tipado(paso)


def guardar(session: Session, telegram_id: int, paso: Paso) -> None:
    # Whatever the person typed is cleaned before it is kept (PostgreSQL refuses NUL).
    paso.datos = _limpio(paso.datos)
    # Names this conversation: the report it confirms keeps it, unique (seguimiento.py), so a
    # second confirmation of the same draft, from anywhere, cannot store a second report.
    paso.datos["conversacion"] = paso.datos.get("conversacion") or secrets.token_hex(16)
    # One UPDATE at every step, rather than reading the row to change it; the first inserts it.
    valores = {
        "flujo": paso.flujo,
        "paso": paso.paso,
        "datos": paso.datos,
        "actualizado_en": utcnow(),
    }
    cambio = session.execute(
        update(_TABLA).where(_TABLA.c.telegram_id == telegram_id).values(**valores)
    )
    if not cambio.rowcount:  # type: ignore[attr-defined]
        session.execute(insert(_TABLA).values(telegram_id=telegram_id, **valores))


def guardar_borrador(session: Session, telegram_id: int, borrador: BorradorTipado) -> None:
    guardar(session, telegram_id, _fila(borrador))


def borrar(session: Session, telegram_id: int) -> bool:
    resultado = session.execute(delete(_TABLA).where(_TABLA.c.telegram_id == telegram_id))
    return bool(resultado.rowcount)  # type: ignore[attr-defined]
