"""Evidence files: type detected from the bytes, kept content-addressed, never overwritten."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import filetype

from bot.dominio.texto import limpiar_nombre_archivo

# What the Lineamientos' "documentos probatorios" are in practice: PDF, pictures, Office, ZIP.
ACEPTADOS: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "imagen JPEG",
    "image/png": "imagen PNG",
    "image/webp": "imagen WebP",
    "image/heic": "imagen HEIC",
    "image/gif": "imagen GIF",
    "image/tiff": "imagen TIFF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/msword": "Word 97-2003",
    "application/vnd.ms-excel": "Excel 97-2003",
    "application/vnd.ms-powerpoint": "PowerPoint 97-2003",
    "application/x-ole-storage": "Office 97-2003",
    "application/vnd.oasis.opendocument.text": "documento OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "hoja de cálculo OpenDocument",
    "application/zip": "ZIP",
}
_OLE = bytes.fromhex("d0cf11e0a1b11ae1")  # Office 97-2003 container
# The extension a file is served under follows its content, never the name it came with: a PDF
# called «informe.hta» is served as «informe.pdf», so no program on a coordinator's computer
# runs it as something else.
EXTENSIONES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/gif": "gif",
    "image/tiff": "tif",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.ms-powerpoint": "ppt",
    "application/x-ole-storage": "doc",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/zip": "zip",
}


def nombre_seguro(nombre: str, tipo: str) -> str:
    """The name a file is stored and served under: what the person called it, without folders
    or control characters, with the extension of the type detected from its bytes."""
    limpio = limpiar_nombre_archivo(nombre)
    base, punto, _ = limpio.rpartition(".")
    base = (base if punto and base.strip(". ") else limpio).strip(". ") or "evidencia"
    return f"{base[:150]}.{EXTENSIONES.get(tipo, 'bin')}"


@dataclass(frozen=True)
class ArchivoEvidencia:
    """A stored file, as kept in a conversation's draft and then in the `evidencia` table."""

    sha256: str
    tamano: int
    tipo: str  # MIME type detected from the content
    nombre: str  # what the phone called it, cleaned (a label)
    ruta: str  # relative to the data directory
    file_id: str | None = None
    file_unique_id: str | None = None

    def como_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def nombre_descarga(self) -> str:
        return nombre_seguro(self.nombre, self.tipo)

    @property
    def descripcion(self) -> str:
        return ACEPTADOS.get(self.tipo, self.tipo)


def detectar_tipo(contenido: bytes) -> str | None:
    """MIME type from the bytes (not from the name the phone sent); None when unknown."""
    tipo: str | None = filetype.guess_mime(contenido)
    if tipo is None and contenido.startswith(_OLE):
        return "application/x-ole-storage"
    return tipo


def motivo_rechazo(tamano: int, tipo: str | None, max_bytes: int) -> str | None:
    """Why a file is refused, in a sentence for the person; None when it is accepted."""
    if tamano == 0:
        return "El archivo está vacío; envíelo de nuevo."
    if tamano > max_bytes:
        return (
            f"El archivo pesa {tamano_legible(tamano)} y el máximo es {tamano_legible(max_bytes)}; "
            "redúzcalo (por ejemplo, comprimiendo el PDF o en partes) y envíelo de nuevo."
        )
    if tipo not in ACEPTADOS:
        return (
            "Ese tipo de archivo no se acepta como evidencia. Envíe PDF, imágenes, documentos "
            "de Office o un ZIP."
        )
    return None


def tamano_legible(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(1, round(n / 1024))} KB"
    return f"{n / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


class AlmacenEvidencias:
    """Files under `<data>/evidencias/ab/cd/<sha256>`: the same content is stored once."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def guardar(
        self,
        contenido: bytes,
        nombre: str,
        *,
        file_id: str | None = None,
        file_unique_id: str | None = None,
    ) -> ArchivoEvidencia:
        sha = hashlib.sha256(contenido).hexdigest()
        relativa = Path("evidencias") / sha[:2] / sha[2:4] / sha
        destino = self.data_dir / relativa
        if not destino.exists():
            destino.parent.mkdir(parents=True, exist_ok=True)
            # Write aside, then move into place: a crash never leaves half a file under the name.
            with tempfile.NamedTemporaryFile(dir=destino.parent, delete=False) as tmp:
                tmp.write(contenido)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp.name, destino)
        return ArchivoEvidencia(
            sha256=sha,
            tamano=len(contenido),
            tipo=detectar_tipo(contenido) or "application/octet-stream",
            nombre=limpiar_nombre_archivo(nombre),
            ruta=str(relativa),
            file_id=file_id,
            file_unique_id=file_unique_id,
        )

    def leer(self, archivo: ArchivoEvidencia) -> bytes:
        return (self.data_dir / archivo.ruta).read_bytes()
