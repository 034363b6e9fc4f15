"""The Alembic migrations build exactly the schema the models describe, on every engine."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from storage import migrate
from storage.db import make_engine
from storage.models import Base


def test_upgrade_matches_models_and_downgrade_empties(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        assert migrate.is_current(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        migrate.downgrade(database_url, "base")
        tablas = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tablas == set()
        assert not migrate.is_current(engine)
        migrate.upgrade(database_url)  # and up again
        assert migrate.is_current(engine)
    finally:
        engine.dispose()
