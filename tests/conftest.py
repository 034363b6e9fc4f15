"""Shared fixtures: a fresh database per test, on SQLite and, when configured, on PostgreSQL.

Set ASMBOT_TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/test) to run every
database test on PostgreSQL too, each in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.config import _with_driver
from bot.dominio.calendario import (
    RECURRENTES_PUEBLA,
    CalendarioHabil,
    cargar_dias_inhabiles,
    ruta_dias_inhabiles_predeterminada,
)
from botapi_double import BotApiDouble
from storage.db import make_engine, make_sessionmaker
from storage.models import Base
from tests.arnes import Arnes, Reloj, entorno_de_prueba, sembrar

PG_URL = os.environ.get("ASMBOT_TEST_DATABASE_URL", "").strip()
ENGINES = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = _with_driver(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:  # fails loudly when the server does not answer
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class Db:
    url: str
    engine: Engine
    sesiones: sessionmaker[Session]


@pytest.fixture
def db(database_url: str) -> Iterator[Db]:
    """A database with the current schema (create_all: the migrations have their own test)."""
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    try:
        yield Db(database_url, engine, make_sessionmaker(engine))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def cal() -> CalendarioHabil:
    """Puebla's calendar: federal holidays, the recurring municipal days and the shipped file."""
    return CalendarioHabil(
        cargar_dias_inhabiles(ruta_dias_inhabiles_predeterminada()), recurrentes=RECURRENTES_PUEBLA
    )


@pytest.fixture
async def arnes(db: Db, tmp_path: Path) -> AsyncIterator[Arnes]:
    """The bot running against the Bot API double, on a seeded database, at a fixed date."""
    with db.sesiones.begin() as s:
        sembrar(s)
    async with BotApiDouble() as double:
        reloj = Reloj()
        entorno = entorno_de_prueba(db.url, tmp_path / "data", double, reloj)
        a = Arnes(double, entorno, reloj)
        await a.arrancar()
        try:
            yield a
        finally:
            await a.detener()
            entorno.cerrar()
