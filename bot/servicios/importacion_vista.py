"""What importing an Anexo A would do, before it is done: the preview a coordinador confirms.

The preview runs the real import (bot.servicios.importacion) and rolls it back, so it can never disagree
with what «Confirmar» will do; around it, it compares each ASM's version and % de avance before
and after, to say which fields change.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.anexo_a.aislado import leer_aislado
from bot.anexo_a.modelo import AnexoLeido, Problema
from bot.servicios.importacion import (
    AvisoImportacion,
    CambioAsm,
    ImportacionFallida,
    ResumenImportacion,
    importar_anexo,
)

# Anexo A files are a few hundred KB; anything far larger is not one (and Telegram lets bots
# download at most 20 MB).
MAX_BYTES = 10 * 1024 * 1024
CARPETA = "importaciones"
# What the chat accepts as an Anexo A (the reader goes by the bytes, not by the name).
EXTENSIONES = ("xlsx", "xlsm", "xls", "ods", "csv")

__all__ = ["CambioAsm", "leer"]


def leer(contenido: bytes, nombre: str) -> AnexoLeido:
    """A file from a person, read in a worker process with memory and time limits."""
    return leer_aislado(contenido, nombre)


@dataclass
class VistaImportacion:
    """The summary, the ASM that change, and, when it cannot be imported, every problem."""

    resumen: ResumenImportacion | None
    cambios: list[CambioAsm] = field(default_factory=list)
    problemas: list[Problema] = field(default_factory=list)

    @property
    def importable(self) -> bool:
        return self.resumen is not None and not self.problemas


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
                plan.trimestre_ilegible
                or Problema(plan.hoja, None, None, "no indica el trimestre; escríbalo en el "
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
    limite_atencion: date | None = None,
) -> VistaImportacion:
    """Imports in a session of its own and rolls it back: nothing is ever saved. The import
    itself says what it changes, so the preview can never disagree with «Confirmar»."""
    problemas = list(leido.problemas) + faltantes(leido)
    if problemas:
        return VistaImportacion(None, problemas=problemas)
    with sesiones() as s:
        try:
            try:
                resumen = importar_anexo(
                    s, leido, nombre_archivo=nombre_archivo, sha256=sha256, actor=actor,
                    limite_atencion=limite_atencion,
                )  # fmt: skip
            except ImportacionFallida as e:
                return VistaImportacion(None, problemas=e.problemas)
        finally:
            s.rollback()
    return VistaImportacion(resumen, list(resumen.cambios))


def importar(
    session: Session,
    leido: AnexoLeido,
    *,
    nombre_archivo: str,
    sha256: str,
    actor: str,
    limite_atencion: date | None = None,
    aviso: Callable[[AvisoImportacion], str] | None = None,
) -> ResumenImportacion:
    """The import itself, inside the caller's transaction, with the chat's rules for the header.
    `aviso` writes the notice for the enlaces and the Contraloría (bot.mensajes.admin).

    Raises ImportacionFallida; the caller's transaction must then roll back.
    """
    problemas = list(leido.problemas) + faltantes(leido)
    if problemas:
        raise ImportacionFallida(problemas)
    return importar_anexo(
        session, leido, nombre_archivo=nombre_archivo, sha256=sha256, actor=actor,
        limite_atencion=limite_atencion, aviso=aviso,
    )  # fmt: skip


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
