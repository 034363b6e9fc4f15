"""How the bot connects: no user data in errors, honest answers when a table is locked."""

import time

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from storage.db import make_engine
from storage.models import Auditoria
from tests.conftest import Db


def test_errors_never_carry_the_values_of_the_statement(db: Db) -> None:
    secreto = "CURP LOAA800101MPLPRN09"
    with pytest.raises(SQLAlchemyError) as error, db.engine.begin() as conn:
        conn.execute(text("SELECT * FROM tabla_que_no_existe WHERE x = :x"), {"x": secreto})
    assert secreto not in str(error.value)


def test_a_locked_table_gives_an_error_in_seconds_on_postgresql(db: Db) -> None:
    if db.engine.dialect.name == "sqlite":  # SQLite waits a bounded time of its own instead
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        return
    rapido = make_engine(db.url, limite_candado=1)
    try:
        with db.engine.connect() as bloqueo:
            bloqueo.execute(text("LOCK TABLE auditoria IN ACCESS EXCLUSIVE MODE"))
            inicio = time.monotonic()
            with pytest.raises(OperationalError) as error, rapido.begin() as conn:
                conn.execute(
                    insert(Auditoria).values(actor="x", accion="x", objeto="x", detalle={})
                )
            assert time.monotonic() - inicio < 5
            assert "lock timeout" in str(error.value)
            bloqueo.rollback()
    finally:
        rapido.dispose()
