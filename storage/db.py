"""Engines and sessions. One place decides how to connect to SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(
    url: str, *, limite_sentencia: int = 30, limite_candado: int = 5, **kwargs: Any
) -> Engine:
    # Error messages and logs never carry the values of a statement (what people typed, CURP).
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_pre_ping=True, **kwargs)

    def limites(dbapi_conn: Any, _record: Any) -> None:
        # A locked table or a runaway statement answers with an error in seconds, not silence.
        cur = dbapi_conn.cursor()
        cur.execute(f"SET statement_timeout = {int(limite_sentencia) * 1000}")
        cur.execute(f"SET lock_timeout = {int(limite_candado) * 1000}")
        cur.close()
        dbapi_conn.commit()

    event.listen(engine, "connect", limites)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # WAL lets the bot read while a long import writes; foreign keys are off by default in SQLite.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commits once at the end, or rolls back everything on an error."""
    with factory() as session, session.begin():
        yield session
