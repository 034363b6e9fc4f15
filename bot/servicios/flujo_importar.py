"""An Anexo A sent in the chat (diagram: handlers/admin.md): its preview, kept as a draft with
the file stored by content, then the import on «Confirmar» or nothing on «Cancelar»."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bot.servicios import borradores
from bot.servicios.borradores import BorradorImportar
from bot.servicios.evaluaciones import vincular_planes
from bot.servicios.importacion import AvisoImportacion, ResumenImportacion
from bot.servicios.importacion_vista import (
    VistaImportacion,
    guardar_archivo,
    importar,
    leer,
    ruta_archivo,
    vista_previa,
)
from bot.servicios.rechazos import BotonVencido, Rechazado
from bot.servicios.usuarios import Persona


class ArchivoPerdido(Rechazado):
    """The stored file of the preview is gone (the data directory was cleaned)."""


def marca(sha256: str) -> int:
    """Which file a button is about (fits the 9 digits of callback data): an old preview's
    «Confirmar» must not import a newer file."""
    return int(sha256[:7], 16)


def previsualizar(
    sesiones: sessionmaker[Session], data_dir: Path, persona: Persona, contenido: bytes,
    nombre: str,
) -> tuple[str, VistaImportacion]:  # fmt: skip
    """A dry run of the import (nothing saved); a file that could be confirmed is stored and
    waits in the person's draft. Takes a while for a large file: call it off the event loop."""
    sha = hashlib.sha256(contenido).hexdigest()
    leido = leer(contenido, nombre)  # in a worker process with limits
    actor = f"usuario:{persona.id}"
    vista = vista_previa(sesiones, leido, nombre_archivo=nombre, sha256=sha, actor=actor)
    if vista.importable:
        guardar_archivo(data_dir, contenido)  # only files that may be confirmed
        with sesiones() as s, s.begin():
            borrador = BorradorImportar(sha256=sha, nombre=nombre)
            borradores.guardar_borrador(s, persona.telegram_id, borrador)
    return sha, vista


def reclamar(session: Session, persona: Persona, marca_boton: int) -> BorradorImportar:
    """The pending import this button is about, taken out of the draft: a second press, even
    one handled at the same time elsewhere, finds nothing to do (BotonVencido)."""
    b = borradores.leer_borrador(session, persona.telegram_id)
    if not isinstance(b, BorradorImportar) or marca(b.sha256) != marca_boton:
        raise BotonVencido()
    if not borradores.borrar(session, persona.telegram_id):
        raise BotonVencido()
    return b


def confirmar(
    session: Session, persona: Persona, marca_boton: int, data_dir: Path, hoy: date,
    aviso: Callable[[AvisoImportacion], str] | None = None,
) -> ResumenImportacion:  # fmt: skip
    """The import itself. Raises ImportacionFallida: the whole transaction, draft included,
    rolls back. `aviso` words what the enlaces and the Contraloría are told (bot.mensajes)."""
    b = reclamar(session, persona, marca_boton)
    ruta = ruta_archivo(data_dir, b.sha256)
    if not ruta.exists():
        raise ArchivoPerdido("archivo perdido")
    actor = f"usuario:{persona.id}"
    resumen = importar(
        session, leer(ruta.read_bytes(), b.nombre), nombre_archivo=b.nombre, sha256=b.sha256,
        actor=actor, aviso=aviso,
    )  # fmt: skip
    # Each Pp's ASM go to its one evaluation of the year, chosen without asking (Art. 10's
    # clock needs it); with none or several, the summary says so.
    resumen.evaluaciones = vincular_planes(session, resumen.planes, None, hoy, actor)
    return resumen
