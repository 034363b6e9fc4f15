"""What importing an Anexo A would do, before it is done: the preview a coordinador confirms.

The preview runs the real import (bot.servicios.importacion) and rolls it back, so it can never disagree
with what «Confirmar» will do; around it, it compares each ASM's version and % de avance before
and after, to say which fields change.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.anexo_a.modelo import AnexoLeido, PlanLeido, Problema
from bot.servicios import registro
from bot.servicios.catalogo import obtener_o_crear_programa
from bot.servicios.importacion import ImportacionFallida, ResumenImportacion, importar_anexo
from storage.models import Asm

# Anexo A files are a few hundred KB; anything far larger is not one (and Telegram lets bots
# download at most 20 MB).
MAX_BYTES = 10 * 1024 * 1024
CARPETA = "importaciones"


@dataclass(frozen=True)
class CambioAsm:
    """One ASM of the file that the import creates or changes."""

    programa: str  # clave
    numero: int
    nuevo: bool
    campos: tuple[str, ...] = ()  # names from registro.CAMPOS_VERSION that change
    avance: tuple[int | None, int] | None = None  # (before, after) when the % changes


@dataclass
class VistaImportacion:
    """The summary, the ASM that change, and, when it cannot be imported, every problem."""

    resumen: ResumenImportacion | None
    cambios: list[CambioAsm] = field(default_factory=list)
    problemas: list[Problema] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return self.resumen is not None and not self.problemas


@dataclass(frozen=True)
class _Estado:
    campos: dict[str, object] | None  # None: the ASM does not exist
    avance: int | None


def faltantes(leido: AnexoLeido) -> list[Problema]:
    """Sheets without Pp or trimestre: in the chat there are no --pp/--trimestre options, so the
    header must say them."""
    problemas = []
    for plan in leido.planes:
        if not plan.programa:
            problemas.append(
                Problema(plan.hoja, None, None, "no indica el Programa presupuestario / Fondo; "
                         "escríbalo en el encabezado del archivo y envíelo otra vez.")
            )  # fmt: skip
        if not plan.trimestre:
            problemas.append(
                Problema(plan.hoja, None, None, "no indica el trimestre; escríbalo en el "
                         "encabezado (Trimestre y año, p. ej. «Segundo trimestre 2025») y envíe "
                         "el archivo otra vez.")
            )  # fmt: skip
    return problemas


def vista_previa(
    sesiones: sessionmaker[Session],
    leido: AnexoLeido,
    *,
    nombre_archivo: str,
    sha256: str,
    actor: str,
) -> VistaImportacion:
    """Imports in a session of its own and rolls it back: nothing is ever saved."""
    problemas = list(leido.problemas) + faltantes(leido)
    if problemas:
        return VistaImportacion(None, problemas=problemas)
    with sesiones() as s:
        try:
            antes = _estados(s, leido, actor)
            try:
                resumen = importar_anexo(
                    s, leido, nombre_archivo=nombre_archivo, sha256=sha256, actor=actor
                )
            except ImportacionFallida as e:
                return VistaImportacion(None, problemas=e.problemas)
            despues = _estados(s, leido, actor)
        finally:
            s.rollback()
    return VistaImportacion(resumen, _cambios(antes, despues))


def importar(
    session: Session, leido: AnexoLeido, *, nombre_archivo: str, sha256: str, actor: str
) -> ResumenImportacion:
    """The import itself, inside the caller's transaction, with the chat's rules for the header.

    Raises ImportacionFallida; the caller's transaction must then roll back.
    """
    problemas = list(leido.problemas) + faltantes(leido)
    if problemas:
        raise ImportacionFallida(problemas)
    return importar_anexo(session, leido, nombre_archivo=nombre_archivo, sha256=sha256, actor=actor)


def _estados(s: Session, leido: AnexoLeido, actor: str) -> dict[tuple[str, int], _Estado]:
    """Each row's ASM as of its quarter: what the import compares against and writes."""
    estados: dict[tuple[str, int], _Estado] = {}
    for plan in leido.planes:
        estados.update(_estados_plan(s, plan, actor))
    return estados


def _estados_plan(s: Session, plan: PlanLeido, actor: str) -> dict[tuple[str, int], _Estado]:
    assert plan.programa is not None and plan.trimestre is not None  # see faltantes()
    t = plan.trimestre
    # The same lookup the import makes; a programa it creates here is rolled back with the rest.
    prog = obtener_o_crear_programa(s, plan.programa, actor)
    estados = {}
    for fila in plan.filas:
        asm = s.scalar(select(Asm).where(Asm.programa_id == prog.id, Asm.numero == fila.numero))
        if asm is None:
            estados[(prog.clave, fila.numero)] = _Estado(None, None)
            continue
        version = registro.version_vigente(s, asm.id, t.inicio)
        avance = registro.avance_vigente(s, asm.id, t.ultimo_mes)
        estados[(prog.clave, fila.numero)] = _Estado(
            registro.campos(version) if version is not None else None,
            avance.porcentaje if avance is not None else None,
        )
    return estados


def _cambios(
    antes: dict[tuple[str, int], _Estado], despues: dict[tuple[str, int], _Estado]
) -> list[CambioAsm]:
    cambios = []
    for (clave, numero), nuevo in despues.items():
        viejo = antes.get((clave, numero), _Estado(None, None))
        avance = (viejo.avance, nuevo.avance) if nuevo.avance is not None else None
        if avance is not None and avance[0] == avance[1]:
            avance = None
        if viejo.campos is None:
            cambios.append(CambioAsm(clave, numero, nuevo=True, avance=avance))
            continue
        campos = tuple(
            c for c in registro.CAMPOS_VERSION if (nuevo.campos or {}).get(c) != viejo.campos.get(c)
        )
        if campos or avance is not None:
            cambios.append(CambioAsm(clave, numero, nuevo=False, campos=campos, avance=avance))
    return sorted(cambios, key=lambda c: (c.programa, c.numero))


# --- The file between the preview and «Confirmar» ---------------------------------------


def guardar_archivo(data_dir: Path, contenido: bytes) -> str:
    """Keeps the file under `<data>/importaciones/<sha256>.xlsx`; returns its sha256.

    By content, so the pending import in the draft survives a restart and points at exactly the
    bytes that were previewed.
    """
    sha = hashlib.sha256(contenido).hexdigest()
    destino = ruta_archivo(data_dir, sha)
    if not destino.exists():
        destino.parent.mkdir(parents=True, exist_ok=True)
        # Write aside, then move into place: a crash never leaves half a file under the name.
        with tempfile.NamedTemporaryFile(dir=destino.parent, delete=False) as tmp:
            tmp.write(contenido)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, destino)
    return sha


def ruta_archivo(data_dir: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("sha256 inválido")
    return data_dir / CARPETA / f"{sha256}.xlsx"
