"""Evidence files: type detected from the bytes, kept content-addressed, never overwritten."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime
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


_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# An Office 2007+ file is a ZIP; its parts say which one it is, wherever they sit in the archive.
_PARTES_OFFICE = {"word/document.xml": _WORD, "xl/workbook.xml": _EXCEL,
                  "ppt/presentation.xml": _POWERPOINT}  # fmt: skip


def detectar_tipo(contenido: bytes) -> str | None:
    """MIME type from the bytes (not from the name the phone sent); None when unknown."""
    tipo: str | None = filetype.guess_mime(contenido)
    if tipo is None and contenido.startswith(_OLE):
        return "application/x-ole-storage"
    if tipo == "application/zip":
        # filetype looks only at the first parts; some programs write [Content_Types].xml last.
        return _office_en_zip(contenido) or tipo
    return tipo


def _office_en_zip(contenido: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(contenido)) as z:
            nombres = set(z.namelist())  # the central directory only: nothing is unpacked
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in nombres:
        return None
    return next((t for parte, t in _PARTES_OFFICE.items() if parte in nombres), None)


_IMAGENES = frozenset(t for t in ACEPTADOS if t.startswith("image/"))
_OFFICE_97 = frozenset({"application/msword", "application/vnd.ms-excel",
                        "application/vnd.ms-powerpoint", "application/x-ole-storage"})  # fmt: skip
_ODT = "application/vnd.oasis.opendocument.text"
_ODS = "application/vnd.oasis.opendocument.spreadsheet"
# What the ending of a name promises: the words for it and the types that keep the promise. The
# three Office 97-2003 formats share one container, so any of its types keeps theirs.
PROMESAS: dict[str, tuple[str, frozenset[str]]] = {
    "pdf": ("un PDF", frozenset({"application/pdf"})),
    "jpg": ("una imagen JPG", frozenset({"image/jpeg"})),
    "jpeg": ("una imagen JPG", frozenset({"image/jpeg"})),
    "png": ("una imagen PNG", frozenset({"image/png"})),
    "webp": ("una imagen WebP", frozenset({"image/webp"})),
    "heic": ("una imagen HEIC", frozenset({"image/heic"})),
    "gif": ("una imagen GIF", frozenset({"image/gif"})),
    "tif": ("una imagen TIFF", frozenset({"image/tiff"})),
    "tiff": ("una imagen TIFF", frozenset({"image/tiff"})),
    "docx": ("un documento de Word", frozenset({_WORD})),
    "xlsx": ("una hoja de Excel", frozenset({_EXCEL})),
    "pptx": ("una presentación de PowerPoint", frozenset({_POWERPOINT})),
    "doc": ("un documento de Word", _OFFICE_97),
    "xls": ("una hoja de Excel", _OFFICE_97),
    "ppt": ("una presentación de PowerPoint", _OFFICE_97),
    "odt": ("un documento OpenDocument", frozenset({_ODT})),
    "ods": ("una hoja de cálculo OpenDocument", frozenset({_ODS})),
    "zip": ("un ZIP", frozenset({"application/zip", _WORD, _EXCEL, _POWERPOINT, _ODT, _ODS})),
}


def motivo_nombre(nombre: str, tipo: str | None) -> str | None:
    """Why a file whose content is not what its name says is refused, in a sentence for the
    person; None when the name promises nothing we know or the content keeps the promise.

    A picture under another picture's ending (a phone that converts) is no broken promise: it
    is kept and served under the ending of what it is (nombre_seguro)."""
    base, punto, final = nombre.strip().rpartition(".")
    promesa = PROMESAS.get(final.lower()) if punto and base else None
    if promesa is None:
        return None
    que, tipos = promesa
    if tipo in tipos or (tipo in _IMAGENES and tipos <= _IMAGENES):
        return None
    final = final.lower()
    como = f".{final}" if final == "pdf" else f".{final} (o como PDF)"
    return (
        f"El archivo se llama .{final} pero no es {que}. Puede estar dañado o ser otro tipo de "
        f"archivo renombrado: ábralo en su equipo, guárdelo de nuevo como {como} y envíelo "
        "otra vez."
    )


def nombre_libre(nombre: str, usados: set[str]) -> str:
    """`nombre`, or «nombre (2).ext» and so on when the list already has one so called (two
    photos of the same minute, say)."""
    base, punto, final = nombre.rpartition(".")
    if not punto:
        base, final = nombre, ""
    n = 1
    while nombre in usados:
        n += 1
        nombre = f"{base} ({n}){punto}{final}"
    return nombre


def nombre_de_foto(momento: datetime, tipo: str | None) -> str:
    """A camera photo comes without a name: it gets one from when it arrived (local time)."""
    return f"foto_{momento:%Y-%m-%d_%H%M}.{EXTENSIONES.get(tipo or '', 'jpg')}"


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
