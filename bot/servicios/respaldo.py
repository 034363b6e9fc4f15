"""`asmbot respaldo` and `asmbot restaurar`: the database and the evidence files in one .tar.gz.

One portable format for both engines: every table as JSON lines, so a backup of SQLite restores
into PostgreSQL and the other way round, and one code path serves both.

- Consistency while the bot runs. SQLite: the online backup API copies the database into a
  temporary file first (copying a live WAL database file by file may catch it half written),
  and the copy is dumped. PostgreSQL: every table is read in one REPEATABLE READ transaction.
- Evidence files are content-addressed and never overwritten, and their row is committed only
  after the file is in place, so copying them after the snapshot finds every file it refers to.
- The archive starts with `manifiesto.json` (format, schema revision, counts, sha256 of every
  member), so a restore reads the archive once, checks it all, and only then touches the
  database: a damaged archive never leaves a half-restored one.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import sqlite3
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, cast

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, MetaData, Table, create_engine, func, select, text
from sqlalchemy import types as sqltypes

from storage import migrate
from storage.db import make_engine

FORMATO = "asmbot-respaldo"
VERSION_FORMATO = 1
MANIFIESTO = "manifiesto.json"
_LOTE = 1000  # rows per INSERT on restore and per fetch on backup

# `evidencias/ab/cd/<sha256>`, as `AlmacenEvidencias` stores them.
_EVIDENCIA_RE = re.compile(r"^evidencias/([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})$")
_DATOS_RE = re.compile(r"^datos/([a-z_][a-z0-9_]*)\.jsonl$")

# What a long step reports to: `progreso(etiqueta, total)` opens a bar, the callable advances it.
Avanzar = Callable[[int], None]
Progreso = Callable[[str, int], AbstractContextManager[Avanzar]]


def sin_progreso(_etiqueta: str, _total: int) -> AbstractContextManager[Avanzar]:
    return nullcontext(lambda _n: None)


class ErrorRespaldo(Exception):
    """A backup or restore that cannot go on; the message is one sentence for the person."""


class RespaldoInvalido(ErrorRespaldo):
    """The file is not a backup of asmbot, or it is damaged."""


class BaseConDatos(ErrorRespaldo):
    """The database to restore into already has data."""


@dataclass
class ResumenRespaldo:
    revision: str
    filas: dict[str, int]
    evidencias: int
    bytes_evidencias: int
    advertencias: list[str] = field(default_factory=list)


@dataclass
class ResumenRestauracion:
    revision: str
    filas: dict[str, int]
    evidencias: int
    advertencias: list[str] = field(default_factory=list)


# --- Backup ---


def crear_respaldo(
    engine: Engine, data_dir: Path, destino: Path, progreso: Progreso = sin_progreso
) -> ResumenRespaldo:
    """Write the backup to `destino` (.tar.gz); a failure leaves no half-written file there."""
    with tempfile.TemporaryDirectory(prefix="asmbot-respaldo-") as tmp:
        carpeta = Path(tmp)
        if engine.dialect.name == "sqlite":
            copia = carpeta / "copia.db"
            _copiar_sqlite(engine, copia)
            fuente = create_engine(f"sqlite:///{copia}")
            try:
                revision, tablas = _volcar(fuente, carpeta, progreso)
            finally:
                fuente.dispose()
            copia.unlink()
        else:
            revision, tablas = _volcar(
                engine.execution_options(isolation_level="REPEATABLE READ"), carpeta, progreso
            )
        evidencias = _listar_evidencias(data_dir)
        manifiesto: dict[str, Any] = {
            "formato": FORMATO,
            "version": VERSION_FORMATO,
            "revision": revision,
            "motor": engine.dialect.name,
            "creado_en": datetime.now(UTC).isoformat(timespec="seconds"),
            "tablas": tablas,
            "evidencias": [
                {"archivo": nombre, "sha256": Path(nombre).name, "tamano": ruta.stat().st_size}
                for nombre, ruta in evidencias
            ],
        }
        destino.parent.mkdir(parents=True, exist_ok=True)
        parcial = destino.with_name(f".{destino.name}.parcial")
        try:
            advertencias = _escribir_archivo(parcial, manifiesto, carpeta, evidencias, progreso)
            os.replace(parcial, destino)
        finally:
            parcial.unlink(missing_ok=True)
    return ResumenRespaldo(
        revision=revision,
        filas={t["nombre"]: t["filas"] for t in tablas},
        evidencias=len(evidencias),
        bytes_evidencias=sum(e["tamano"] for e in manifiesto["evidencias"]),
        advertencias=advertencias,
    )


def _copiar_sqlite(engine: Engine, destino: Path) -> None:
    """A consistent copy of a live SQLite database, through SQLite's online backup API."""
    conexion = engine.raw_connection()
    try:
        fuente = conexion.driver_connection
        assert isinstance(fuente, sqlite3.Connection)
        copia = sqlite3.connect(destino)
        try:
            fuente.backup(copia)
        finally:
            copia.close()
    finally:
        conexion.close()


def _volcar(engine: Engine, carpeta: Path, progreso: Progreso) -> tuple[str, list[dict[str, Any]]]:
    """Each table to `carpeta/<tabla>.jsonl`, in dependency order, inside one transaction."""
    with engine.connect() as conn, conn.begin():
        meta = MetaData()
        meta.reflect(conn)  # the schema the database has, including tables newer than this code
        revision = _revision(conn, meta)
        tablas = [t for t in meta.sorted_tables if t.name != "alembic_version"]
        conteos = {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tablas}
        resultado = []
        with progreso("Copiando la base de datos", sum(conteos.values())) as avanzar:
            for tabla in tablas:
                archivo = carpeta / f"{tabla.name}.jsonl"
                filas = _volcar_tabla(conn, tabla, archivo, avanzar)
                resultado.append(
                    {
                        "nombre": tabla.name,
                        "archivo": f"datos/{tabla.name}.jsonl",
                        "filas": filas,
                        "sha256": _sha256_de(archivo),
                    }
                )
    return revision, resultado


def _revision(conn: Connection, meta: MetaData) -> str:
    revision = None
    if "alembic_version" in meta.tables:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    if not revision:
        raise ErrorRespaldo(
            "La base de datos no tiene versión de esquema; ejecute primero «asmbot db upgrade»."
        )
    return str(revision)


def _volcar_tabla(conn: Connection, tabla: Table, archivo: Path, avanzar: Avanzar) -> int:
    filas = 0
    consulta = select(tabla).order_by(*tabla.primary_key.columns)
    with archivo.open("w", encoding="utf-8") as f:
        resultado = conn.execution_options(yield_per=_LOTE).execute(consulta).mappings()
        for lote in resultado.partitions():
            for fila in lote:
                f.write(json.dumps(dict(fila), default=_a_json, ensure_ascii=False) + "\n")
            filas += len(lote)
            avanzar(len(lote))
    return filas


def _a_json(valor: object) -> object:
    if isinstance(valor, date | time):  # datetime too; naive UTC as every engine stores it
        return valor.isoformat()
    if isinstance(valor, Decimal):
        return str(valor)
    if isinstance(valor, bytes):
        return base64.b64encode(valor).decode("ascii")
    raise TypeError(f"valor no serializable: {type(valor).__name__}")


def _listar_evidencias(data_dir: Path) -> list[tuple[str, Path]]:
    """Stored evidence files as (member name, path); files being written (temp names) are skipped."""
    raiz = data_dir / "evidencias"
    if not raiz.is_dir():
        return []
    encontrados = []
    for ruta in sorted(raiz.glob("??/??/*")):
        nombre = ruta.relative_to(data_dir).as_posix()
        if ruta.is_file() and _EVIDENCIA_RE.match(nombre):
            encontrados.append((nombre, ruta))
    return encontrados


def _escribir_archivo(
    destino: Path,
    manifiesto: dict[str, Any],
    carpeta: Path,
    evidencias: list[tuple[str, Path]],
    progreso: Progreso,
) -> list[str]:
    advertencias = []
    # Level 6: evidence is mostly PDF and pictures, already compressed; JSON shrinks well anyway.
    with tarfile.open(destino, "w:gz", compresslevel=6) as tar:
        _agregar(tar, MANIFIESTO, io.BytesIO(_json_bytes(manifiesto)), None)
        for t in manifiesto["tablas"]:
            with (carpeta / f"{t['nombre']}.jsonl").open("rb") as f:
                _agregar(tar, t["archivo"], f, None)
        with progreso("Copiando evidencias", len(evidencias)) as avanzar:
            for nombre, ruta in evidencias:
                with ruta.open("rb") as f:
                    lector = _LectorConHash(f)
                    # tarfile only calls read(); the wrapper hashes on the way through.
                    _agregar(tar, nombre, cast(IO[bytes], lector), ruta.stat().st_size)
                if lector.hexdigest() != ruta.name:
                    advertencias.append(
                        f"El archivo de evidencia {nombre} ya no coincide con su sha256 "
                        "(se alteró en el disco); se respaldó como está."
                    )
                avanzar(1)
    return advertencias


def _json_bytes(datos: object) -> bytes:
    return json.dumps(datos, ensure_ascii=False, indent=1).encode("utf-8")


def _agregar(tar: tarfile.TarFile, nombre: str, f: IO[bytes], tamano: int | None) -> None:
    """A member with neutral owner and date, so that the archive tells nothing about the server."""
    info = tarfile.TarInfo(nombre)
    if tamano is None:
        f.seek(0, os.SEEK_END)
        tamano = f.tell()
        f.seek(0)
    info.size = tamano
    info.mode = 0o644
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, f)


class _LectorConHash(io.RawIOBase):
    """Reads a file while hashing it, so that each evidence file is read only once."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f
        self._hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        datos = self._f.read(n)
        self._hash.update(datos)
        return datos

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def _sha256_de(ruta: Path) -> str:
    h = hashlib.sha256()
    with ruta.open("rb") as f:
        while bloque := f.read(1 << 20):
            h.update(bloque)
    return h.hexdigest()


# --- Restore ---


def leer_manifiesto(archivo: Path) -> dict[str, Any]:
    """The manifest at the start of a backup; RespaldoInvalido if the file is not one."""
    try:
        with tarfile.open(archivo, "r|gz") as tar:
            return _manifiesto(tar, archivo)
    except (OSError, tarfile.TarError, EOFError, zlib.error) as e:
        raise _invalido(archivo) from e


def _invalido(archivo: Path) -> RespaldoInvalido:
    return RespaldoInvalido(
        f"«{archivo.name}» no es un respaldo de asmbot o está dañado; "
        "use un archivo creado con «asmbot respaldo»."
    )


def _manifiesto(tar: tarfile.TarFile, archivo: Path) -> dict[str, Any]:
    miembro = tar.next()
    if miembro is None or miembro.name != MANIFIESTO or not miembro.isfile():
        raise _invalido(archivo)
    f = tar.extractfile(miembro)
    assert f is not None
    try:
        datos = json.loads(f.read())
        valido = (
            datos.get("formato") == FORMATO
            and isinstance(datos.get("revision"), str)
            and all({"nombre", "archivo", "filas", "sha256"} <= set(t) for t in datos["tablas"])
            and all({"archivo", "sha256"} <= set(e) for e in datos["evidencias"])
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        valido = False
    if not valido:
        raise _invalido(archivo)
    if datos["version"] > VERSION_FORMATO:
        raise RespaldoInvalido(
            f"«{archivo.name}» se creó con una versión más nueva de asmbot; "
            "actualice asmbot antes de restaurarlo."
        )
    return dict(datos)


def filas_en_base(engine: Engine) -> int:
    """How many rows the database holds, in every table but Alembic's."""
    with engine.connect() as conn:
        meta = MetaData()
        meta.reflect(conn)
        return sum(
            conn.scalar(select(func.count()).select_from(t)) or 0
            for t in meta.sorted_tables
            if t.name != "alembic_version"
        )


def restaurar(
    url: str,
    data_dir: Path,
    archivo: Path,
    *,
    vaciar: bool = False,
    progreso: Progreso = sin_progreso,
) -> ResumenRestauracion:
    """Restore `archivo` into the database at `url` and the evidence files into `data_dir`.

    The database must be empty; with `vaciar`, whatever it holds is dropped first. The schema is
    built to the backup's revision, the rows are loaded, and then it is brought up to date.
    """
    engine = make_engine(url)
    try:
        with tempfile.TemporaryDirectory(prefix="asmbot-restaurar-") as tmp:
            manifiesto, advertencias = _desempacar(archivo, Path(tmp), data_dir, progreso)
            _revision_conocida(url, manifiesto["revision"])
            if not vaciar and filas_en_base(engine):
                raise BaseConDatos(
                    "La base de datos ya tiene datos; restaure en una base vacía, "
                    "o use --forzar para borrarla primero."
                )
            _borrar_todo(engine)  # also empty tables, which may be of another revision
            migrate.upgrade(url, manifiesto["revision"])
            filas = _cargar(engine, manifiesto, Path(tmp), progreso)
        migrate.upgrade(url)  # a backup of an older revision goes on to the current one
    finally:
        engine.dispose()
    return ResumenRestauracion(
        revision=manifiesto["revision"],
        filas=filas,
        evidencias=len(manifiesto["evidencias"]) - len(advertencias),
        advertencias=advertencias,
    )


def _desempacar(
    archivo: Path, carpeta: Path, data_dir: Path, progreso: Progreso
) -> tuple[dict[str, Any], list[str]]:
    """One pass over the archive: tables to `carpeta`, evidence into `data_dir`, all checked.

    Evidence goes straight to its place: content-addressed and checked, a file is either
    right or not written, so an interrupted restore leaves nothing wrong behind.
    """
    try:
        with tarfile.open(archivo, "r|gz") as tar:
            manifiesto = _manifiesto(tar, archivo)
            tablas = {t["archivo"]: t for t in manifiesto["tablas"]}
            evidencias = {e["archivo"]: e for e in manifiesto["evidencias"]}
            vistos: set[str] = set()
            advertencias = []
            with progreso("Leyendo el respaldo", len(tablas) + len(evidencias)) as avanzar:
                while (miembro := tar.next()) is not None:
                    nombre = miembro.name
                    f = tar.extractfile(miembro) if miembro.isfile() else None
                    if f is None or nombre in vistos:
                        raise _invalido(archivo)
                    vistos.add(nombre)
                    if nombre in tablas and _DATOS_RE.match(nombre):
                        destino = carpeta / Path(nombre).name
                        if _copiar_verificando(f, destino) != tablas[nombre]["sha256"]:
                            raise _invalido(archivo)
                    elif nombre in evidencias and _EVIDENCIA_RE.match(nombre):
                        if not _instalar_evidencia(f, data_dir / nombre, evidencias[nombre]):
                            advertencias.append(
                                f"La evidencia {Path(nombre).name} no coincide con su sha256 "
                                "y no se restauró."
                            )
                    else:
                        raise _invalido(archivo)
                    avanzar(1)
    except (OSError, tarfile.TarError, EOFError, zlib.error) as e:
        raise _invalido(archivo) from e
    if vistos != set(tablas) | set(evidencias):
        raise _invalido(archivo)  # a member the manifest lists is missing
    return manifiesto, advertencias


def _copiar_verificando(f: IO[bytes], destino: Path) -> str:
    h = hashlib.sha256()
    with destino.open("wb") as salida:
        while bloque := f.read(1 << 20):
            h.update(bloque)
            salida.write(bloque)
    return h.hexdigest()


def _instalar_evidencia(f: IO[bytes], destino: Path, esperado: dict[str, Any]) -> bool:
    """Put the file in place if its content is its address (the sha256 it is named after, which
    the database rows refer to); False (nothing written) if not. The manifest's own sha256 is
    not trusted alone: whoever altered a file could have altered the manifest too."""
    direccion = destino.name
    if esperado.get("sha256") != direccion:
        return False
    destino.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=destino.parent, delete=False) as tmp:
        ruta_tmp = Path(tmp.name)
    try:
        if _copiar_verificando(f, ruta_tmp) != direccion:
            return False
        os.replace(ruta_tmp, destino)
        return True
    finally:
        ruta_tmp.unlink(missing_ok=True)


def _revision_conocida(url: str, revision: str) -> None:
    scripts = ScriptDirectory.from_config(migrate.alembic_config(url))
    try:
        conocida = scripts.get_revision(revision) is not None
    except CommandError:
        conocida = False
    if not conocida:
        raise RespaldoInvalido(
            f"El respaldo es de una versión del esquema ({revision}) que esta versión de asmbot "
            "no conoce; actualice asmbot antes de restaurarlo."
        )


def _borrar_todo(engine: Engine) -> None:
    with engine.begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)


def _cargar(
    engine: Engine, manifiesto: dict[str, Any], carpeta: Path, progreso: Progreso
) -> dict[str, int]:
    """Insert every table's rows, parents first, in one transaction."""
    total = sum(t["filas"] for t in manifiesto["tablas"])
    respaldadas = {t["nombre"]: t for t in manifiesto["tablas"]}
    filas: dict[str, int] = {}
    with engine.begin() as conn, progreso("Cargando la base de datos", total) as avanzar:
        meta = MetaData()
        meta.reflect(conn)
        desconocidas = set(respaldadas) - set(meta.tables)
        if desconocidas:
            raise RespaldoInvalido(
                f"El respaldo trae tablas que el esquema {manifiesto['revision']} no tiene "
                f"({', '.join(sorted(desconocidas))}); el respaldo está dañado."
            )
        for tabla in meta.sorted_tables:
            if tabla.name in respaldadas:
                n = _cargar_tabla(conn, tabla, carpeta / f"{tabla.name}.jsonl", avanzar)
                if n != respaldadas[tabla.name]["filas"]:
                    raise RespaldoInvalido(
                        f"La tabla {tabla.name} trae {n} filas y el manifiesto dice "
                        f"{respaldadas[tabla.name]['filas']}; el respaldo está dañado."
                    )
                filas[tabla.name] = n
        if conn.dialect.name == "postgresql":
            _reiniciar_secuencias(conn, [t for t in meta.sorted_tables if t.name in filas])
    return filas


def _cargar_tabla(conn: Connection, tabla: Table, archivo: Path, avanzar: Avanzar) -> int:
    convertir = {c.name: _convertidor(c.type) for c in tabla.columns}
    n = 0
    for lote in _lotes(archivo):
        filas = []
        for fila in lote:
            if not set(fila) <= set(convertir):
                raise RespaldoInvalido(
                    f"La tabla {tabla.name} del respaldo trae columnas que el esquema no tiene; "
                    "el respaldo está dañado."
                )
            filas.append({k: convertir[k](v) for k, v in fila.items()})
        conn.execute(tabla.insert(), filas)
        n += len(filas)
        avanzar(len(filas))
    return n


def _lotes(archivo: Path) -> Iterator[list[dict[str, Any]]]:
    lote: list[dict[str, Any]] = []
    with archivo.open(encoding="utf-8") as f:
        for linea in f:
            lote.append(json.loads(linea))
            if len(lote) == _LOTE:
                yield lote
                lote = []
    if lote:
        yield lote


def _convertidor(tipo: sqltypes.TypeEngine[Any]) -> Callable[[Any], Any]:
    """JSON value → what the column type takes (dates come back from their ISO text)."""
    de_texto: Callable[[str], Any] | None = None
    if isinstance(tipo, sqltypes.DateTime):
        de_texto = datetime.fromisoformat
    elif isinstance(tipo, sqltypes.Date):
        de_texto = date.fromisoformat
    elif isinstance(tipo, sqltypes.Time):
        de_texto = time.fromisoformat
    elif isinstance(tipo, sqltypes.LargeBinary):
        de_texto = base64.b64decode
    elif isinstance(tipo, sqltypes.Numeric) and not isinstance(tipo, sqltypes.Float):
        de_texto = Decimal
    if de_texto is None:
        return lambda v: v
    convertir = de_texto
    return lambda v: convertir(v) if isinstance(v, str) else v


def _reiniciar_secuencias(conn: Connection, tablas: list[Table]) -> None:
    """Rows came with their ids: move each id sequence past the largest, or inserts would clash."""
    q = conn.dialect.identifier_preparer.quote
    for tabla in tablas:
        pk = list(tabla.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sqltypes.Integer):
            continue
        secuencia = conn.scalar(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": q(tabla.name), "c": pk[0].name}
        )
        if secuencia:
            conn.execute(
                text(
                    f"SELECT setval(CAST(:s AS regclass), "
                    f"COALESCE((SELECT MAX({q(pk[0].name)}) FROM {q(tabla.name)}), 0) + 1, false)"
                ),
                {"s": secuencia},
            )
