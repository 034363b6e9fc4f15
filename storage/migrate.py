"""Alembic driven from code, so `asmbot db upgrade` needs no alembic.ini.

On PostgreSQL an upgrade holds an advisory lock: replicas starting together, or two
`asmbot db upgrade` at once, migrate one after the other, and the second finds nothing to do.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.pool import NullPool

from storage.candados import CLASE_MIGRACION
from storage.db import make_engine

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (a tenth of a second and some 11 MB) loads only to migrate or list migrations: every
# other command only checks that the schema is current (`is_current`), which needs none of it.

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on a "%" in a password.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def _candado(url: str) -> Iterator[None]:
    """The migration lock on PostgreSQL (waits for it); nothing on SQLite (one file, one writer)."""
    if not url.startswith("postgresql"):
        yield
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.execute(text("SET lock_timeout = 0"))  # wait as long as the other migrates
            conn.execute(
                text("SELECT pg_advisory_lock(:c, :o)"),
                {"c": CLASE_MIGRACION, "o": 1},
            )
            conn.commit()
            try:
                yield
            finally:
                conn.execute(
                    text("SELECT pg_advisory_unlock(:c, :o)"),
                    {"c": CLASE_MIGRACION, "o": 1},
                )
                conn.commit()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> bool:
    """Migrates to `revision`; False when the database already was there."""
    from alembic import command

    with _candado(url):
        antes = revision_actual(url)
        command.upgrade(alembic_config(url), revision)
        return revision_actual(url) != antes


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    with _candado(url):
        command.downgrade(alembic_config(url), revision)


def revision_actual(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def revision_final() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


@dataclass(frozen=True)
class Migracion:
    revision: str
    descripcion: str
    aplicada: bool


def historial(url: str) -> list[Migracion]:
    """Every migration, oldest first, and whether this database has it."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    actual = revision_actual(url)
    aplicadas = {r.revision for r in script.iterate_revisions(actual, "base")} if actual else set()
    return [
        Migracion(r.revision, r.doc or "", r.revision in aplicadas)
        for r in reversed(list(script.walk_revisions()))
    ]


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    final = _cabeza_de_los_archivos() or revision_final()
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        actuales = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return actuales == [final]


def _cabeza_de_los_archivos() -> str | None:
    """The newest revision, read from the migration files as Alembic reads them.

    None unless they form one chain (one head): then Alembic itself decides.
    """
    revisiones: set[str] = set()
    anteriores: set[str] = set()
    for archivo in (MIGRATIONS / "versions").glob("*.py"):
        valores: dict[str, object] = {}
        for nodo in ast.parse(archivo.read_text(encoding="utf-8")).body:
            objetivo: ast.expr | None = nodo.target if isinstance(nodo, ast.AnnAssign) else None
            if isinstance(nodo, ast.Assign) and len(nodo.targets) == 1:
                objetivo = nodo.targets[0]
            valor = getattr(nodo, "value", None)
            nombre = objetivo.id if isinstance(objetivo, ast.Name) else None
            if nombre in ("revision", "down_revision") and valor is not None:
                valores[str(nombre)] = ast.literal_eval(valor)
        revision, anterior = valores.get("revision"), valores.get("down_revision")
        if not isinstance(revision, str):
            return None
        revisiones.add(revision)
        if isinstance(anterior, str):
            anteriores.add(anterior)
        elif isinstance(anterior, tuple | list):
            anteriores.update(str(a) for a in anterior)
    cabezas = revisiones - anteriores
    return cabezas.pop() if len(cabezas) == 1 else None
