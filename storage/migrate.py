"""Alembic driven from code, so `asmbot db upgrade` needs no alembic.ini.

On PostgreSQL an upgrade holds an advisory lock: replicas starting together, or two
`asmbot db upgrade` at once, migrate one after the other, and the second finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from storage.candados import CLASE_MIGRACION
from storage.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
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
    with _candado(url):
        antes = revision_actual(url)
        command.upgrade(alembic_config(url), revision)
        return revision_actual(url) != antes


def downgrade(url: str, revision: str) -> None:
    with _candado(url):
        command.downgrade(alembic_config(url), revision)


def revision_actual(url: str) -> str | None:
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def revision_final() -> str:
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
    script = ScriptDirectory.from_config(alembic_config(url))
    actual = revision_actual(url)
    aplicadas = {r.revision for r in script.iterate_revisions(actual, "base")} if actual else set()
    return [
        Migracion(r.revision, r.doc or "", r.revision in aplicadas)
        for r in reversed(list(script.walk_revisions()))
    ]


def is_current(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == revision_final()
