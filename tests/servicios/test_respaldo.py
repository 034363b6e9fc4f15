"""Backup and restore: a restored database has every row and every evidence file, on any engine."""

import hashlib
import io
import json
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, MetaData, create_engine, inspect, select, text

from bot.cli.main import main
from bot.dominio.calendario import CalendarioHabil
from bot.servicios import demo, registro
from bot.servicios.evidencias import AlmacenEvidencias
from bot.servicios.respaldo import (
    MANIFIESTO,
    BaseConDatos,
    RespaldoInvalido,
    crear_respaldo,
    leer_manifiesto,
    restaurar,
)
from storage import migrate
from storage.db import make_engine, make_sessionmaker
from storage.models import Asm, Dependencia, Evidencia, Usuario
from tests.conftest import ENGINES, PG_URL

HOY = date(2026, 11, 26)


@contextmanager
def base_vacia(motor: str, carpeta: Path) -> Iterator[str]:
    """Another empty database, for the restore: a SQLite file or a fresh PostgreSQL schema."""
    if motor == "sqlite":
        yield f"sqlite:///{carpeta / f'{uuid.uuid4().hex}.db'}"
        return
    from bot.config import _with_driver

    base = _with_driver(PG_URL)
    esquema = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{esquema}"'))
    try:
        yield f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{esquema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{esquema}" CASCADE'))
        admin.dispose()


def poblar(url: str, data_dir: Path, cal: CalendarioHabil) -> list[str]:
    """The demo register plus a person and three evidence files; returns their sha256."""
    migrate.upgrade(url)
    engine = make_engine(url)
    almacen = AlmacenEvidencias(data_dir)
    shas = []
    try:
        with make_sessionmaker(engine).begin() as s:
            demo.llenar_demo(s, cal, HOY, num_asm=30)
            u = Usuario(telegram_id=555000111, nombre="Enlace de Prueba", rol="enlace")
            s.add(u)
            s.flush()
            for i, asm in enumerate(s.scalars(select(Asm).order_by(Asm.id).limit(3))):
                contenido = b"%PDF-1.4 evidencia " + bytes([i]) * (1000 * (i + 1))
                archivo = almacen.guardar(contenido, f"oficio {i}.pdf")
                avance = registro.registrar_avance(
                    s, asm, date(2026, 11, 1), 50 + i, f"usuario:{u.id}", origen="bot",
                    usuario_id=u.id, folio=f"AV-{i}",
                )  # fmt: skip
                s.add(
                    Evidencia(
                        asm_id=asm.id, avance_id=avance.id, sha256=archivo.sha256,
                        tamano=archivo.tamano, tipo_detectado=archivo.tipo,
                        nombre_original=archivo.nombre, ruta=archivo.ruta, usuario_id=u.id,
                    )
                )  # fmt: skip
                shas.append(archivo.sha256)
    finally:
        engine.dispose()
    return shas


def todas_las_filas(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as conn:
        meta = MetaData()
        meta.reflect(conn)
        return {
            t.name: [
                dict(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns)).mappings()
            ]
            for t in meta.sorted_tables
            if t.name != "alembic_version"
        }


@pytest.mark.parametrize("destino", ENGINES)
def test_a_restored_backup_has_every_row_and_file(
    database_url: str, destino: str, tmp_path: Path, cal: CalendarioHabil
) -> None:
    shas = poblar(database_url, tmp_path / "data", cal)
    archivo = tmp_path / "respaldo.tar.gz"
    origen = make_engine(database_url)
    try:
        resumen = crear_respaldo(origen, tmp_path / "data", archivo)
        antes = todas_las_filas(origen)
    finally:
        origen.dispose()
    assert resumen.evidencias == 3 and not resumen.advertencias
    assert resumen.filas["asm"] == 30

    with base_vacia(destino, tmp_path) as url:
        r = restaurar(url, tmp_path / "data2", archivo)
        assert not r.advertencias and r.evidencias == 3
        engine = make_engine(url)
        try:
            assert migrate.is_current(engine)
            despues = todas_las_filas(engine)
            # Every table, every row, every column, whatever engine each side runs on.
            assert despues == antes
            for tabla in ("asm", "asm_version", "avance", "evidencia"):
                assert len(despues[tabla]) == resumen.filas[tabla] > 0
            # New rows get fresh ids (on PostgreSQL, the sequences were moved past the ids).
            with make_sessionmaker(engine).begin() as s:
                d = Dependencia(nombre="Dependencia nueva tras restaurar")
                s.add(d)
                s.flush()
                assert d.id > max(f["id"] for f in antes["dependencia"])
        finally:
            engine.dispose()
    for sha in shas:
        ruta = tmp_path / "data2" / "evidencias" / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(ruta.read_bytes()).hexdigest() == sha


def test_files_that_are_not_backups_get_one_sentence(
    database_url: str, tmp_path: Path, cal: CalendarioHabil
) -> None:
    poblar(database_url, tmp_path / "data", cal)
    bueno = tmp_path / "bueno.tar.gz"
    engine = make_engine(database_url)
    try:
        crear_respaldo(engine, tmp_path / "data", bueno)
    finally:
        engine.dispose()

    texto = tmp_path / "notas.tar.gz"
    texto.write_text("no soy un respaldo", encoding="utf-8")
    cortado = tmp_path / "cortado.tar.gz"
    cortado.write_bytes(bueno.read_bytes()[: bueno.stat().st_size // 2])
    sin_manifiesto = tmp_path / "otro.tar.gz"
    with tarfile.open(sin_manifiesto, "w:gz") as tar:
        info = tarfile.TarInfo("hola.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"hola"))
    alterado = tmp_path / "alterado.tar.gz"
    _alterar_tabla(bueno, alterado, "datos/avance.jsonl")

    for malo in (texto, cortado, sin_manifiesto, alterado):
        with base_vacia("sqlite", tmp_path) as url:
            with pytest.raises(RespaldoInvalido) as e:
                restaurar(url, tmp_path / "data3", malo)
            assert str(e.value).startswith(f"«{malo.name}» no es un respaldo de asmbot")
            # Checked before the database is touched: it stays as it was.
            vacia = make_engine(url)
            assert inspect(vacia).get_table_names() == []
            vacia.dispose()

    r = _cli(tmp_path, f"sqlite:///{tmp_path / 'vacia.db'}", "restaurar", str(texto))
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        "Error: «notas.tar.gz» no es un respaldo de asmbot o está dañado; "
        "use un archivo creado con «asmbot respaldo»."
    ]


def _alterar_tabla(fuente: Path, destino: Path, miembro: str) -> None:
    """The same archive with one row changed in `miembro` (the manifest left as it was)."""
    with tarfile.open(fuente, "r:gz") as entrada, tarfile.open(destino, "w:gz") as salida:
        for info in entrada.getmembers():
            f = entrada.extractfile(info)
            assert f is not None
            datos = f.read()
            if info.name == miembro:
                datos = datos.replace(b'"porcentaje": 5', b'"porcentaje": 9', 1)
            info.size = len(datos)
            salida.addfile(info, io.BytesIO(datos))


def test_restore_refuses_a_database_with_data_unless_forced(
    database_url: str, tmp_path: Path, cal: CalendarioHabil
) -> None:
    poblar(database_url, tmp_path / "data", cal)
    archivo = tmp_path / "respaldo.tar.gz"
    r = _cli(tmp_path, database_url, "respaldo", "-o", str(archivo))
    assert r.exit_code == 0, r.output
    assert "Respaldo: " in r.output and "3 archivos de evidencia" in r.output

    with pytest.raises(BaseConDatos):
        restaurar(database_url, tmp_path / "data", archivo)
    r = _cli(tmp_path, database_url, "restaurar", str(archivo))
    assert r.exit_code == 1
    assert "La base de datos ya tiene datos" in r.output and "--forzar" in r.output

    r = _cli(tmp_path, database_url, "restaurar", str(archivo), "--forzar", entrada="no\n")
    assert r.exit_code == 1
    assert "Se borrará TODO el contenido" in r.output and "Cancelado." in r.output

    # Something done after the backup, which the forced restore takes away.
    engine = make_engine(database_url)
    with make_sessionmaker(engine).begin() as s:
        s.add(Dependencia(nombre="Creada después del respaldo"))
    r = _cli(tmp_path, database_url, "restaurar", str(archivo), "--forzar", entrada="BORRAR\n")
    assert r.exit_code == 0, r.output
    assert "3 evidencias verificadas" in r.output
    with make_sessionmaker(engine)() as s:
        nombres = set(s.scalars(select(Dependencia.nombre)))
        assert "Creada después del respaldo" not in nombres
        assert s.scalar(select(Usuario.nombre)) == "Enlace de Prueba"
    engine.dispose()
    r = _cli(tmp_path, database_url, "restaurar", str(archivo), "--forzar", "--si")
    assert r.exit_code == 0, r.output


def test_an_altered_evidence_file_is_reported_and_not_restored(
    database_url: str, tmp_path: Path, cal: CalendarioHabil
) -> None:
    shas = poblar(database_url, tmp_path / "data", cal)
    sha = shas[0]
    (tmp_path / "data" / "evidencias" / sha[:2] / sha[2:4] / sha).write_bytes(b"otra cosa")
    archivo = tmp_path / "respaldo.tar.gz"
    engine = make_engine(database_url)
    try:
        resumen = crear_respaldo(engine, tmp_path / "data", archivo)
    finally:
        engine.dispose()
    assert len(resumen.advertencias) == 1 and sha in resumen.advertencias[0]
    assert {e["sha256"] for e in leer_manifiesto(archivo)["evidencias"]} == set(shas)
    with base_vacia("sqlite", tmp_path) as url:
        r = restaurar(url, tmp_path / "data2", archivo)
    assert r.evidencias == 2
    assert r.advertencias == [f"La evidencia {sha} no coincide con su sha256 y no se restauró."]
    assert not (tmp_path / "data2" / "evidencias" / sha[:2] / sha[2:4] / sha).exists()


def test_manifest_comes_first_and_names_the_schema(
    database_url: str, tmp_path: Path, cal: CalendarioHabil
) -> None:
    poblar(database_url, tmp_path / "data", cal)
    archivo = tmp_path / "respaldo.tar.gz"
    engine = make_engine(database_url)
    try:
        crear_respaldo(engine, tmp_path / "data", archivo)
        with engine.connect() as conn:
            revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    finally:
        engine.dispose()
    with tarfile.open(archivo, "r:gz") as tar:
        nombres = tar.getnames()
        assert nombres[0] == MANIFIESTO
        for t in leer_manifiesto(archivo)["tablas"]:
            f = tar.extractfile(t["archivo"])
            assert f is not None
            datos = f.read()
            assert hashlib.sha256(datos).hexdigest() == t["sha256"]
            assert datos.count(b"\n") == t["filas"]
    m = leer_manifiesto(archivo)
    assert m["revision"] == revision
    assert "alembic_version" not in {t["nombre"] for t in m["tablas"]}


def _cli(tmp_path: Path, database_url: str, *args: str, entrada: str | None = None) -> Result:
    return CliRunner().invoke(
        main,
        list(args),
        input=entrada,
        env={"DATABASE_URL": database_url, "ASMBOT_DATA_DIR": str(tmp_path / "data")},
        prog_name="asmbot",
    )


@pytest.fixture(autouse=True)
def _sin_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env is read


def test_an_evidence_file_replaced_with_its_manifest_is_not_restored(
    database_url: str, tmp_path: Path, cal: CalendarioHabil
) -> None:
    shas = poblar(database_url, tmp_path / "data", cal)
    archivo = tmp_path / "respaldo.tar.gz"
    engine = make_engine(database_url)
    try:
        crear_respaldo(engine, tmp_path / "data", archivo)
    finally:
        engine.dispose()
    # Someone swaps one evidence file and rewrites the manifest to match the new content.
    sha = shas[0]
    falso = b"%PDF-1.4 otro documento"
    alterado = tmp_path / "alterado.tar.gz"
    with tarfile.open(archivo, "r:gz") as entrada, tarfile.open(alterado, "w:gz") as salida:
        for info in entrada.getmembers():
            f = entrada.extractfile(info)
            assert f is not None
            datos = f.read()
            if info.name.endswith(sha):
                datos = falso
            elif info.name == "manifiesto.json":
                contenido = json.loads(datos)
                for e in contenido["evidencias"]:
                    if e["archivo"].endswith(sha):
                        e["sha256"], e["tamano"] = hashlib.sha256(falso).hexdigest(), len(falso)
                datos = json.dumps(contenido).encode()
            info.size = len(datos)
            salida.addfile(info, io.BytesIO(datos))
    manifiesto = leer_manifiesto(alterado)
    entrada_falsa = [e for e in manifiesto["evidencias"] if e["archivo"].endswith(sha)]
    assert entrada_falsa and entrada_falsa[0]["sha256"] == hashlib.sha256(falso).hexdigest()
    with base_vacia("sqlite", tmp_path) as url:
        r = restaurar(url, tmp_path / "data2", alterado)
    assert r.evidencias == len(shas) - 1
    assert r.advertencias == [f"La evidencia {sha} no coincide con su sha256 y no se restauró."]
    assert not (tmp_path / "data2" / "evidencias" / sha[:2] / sha[2:4] / sha).exists()
