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


def test_0005_conserva_las_evaluaciones_y_sus_asm(database_url: str) -> None:
    from datetime import date

    from sqlalchemy import text

    migrate.upgrade(database_url, "0004")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO programa (id, clave, nombre, tipo) VALUES (1, 'E003', 'A', 'pp')")
            )
            conn.execute(text(
                "INSERT INTO evaluacion (id, programa_id, tipo, ejercicio, fecha_notificacion, "
                "fecha_recepcion_asm) VALUES (1, 1, 'interna', 2025, '2026-11-13', '2026-11-27')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO asm (id, programa_id, numero, evaluacion_id, creado_en) VALUES "
                "(1, 1, 1, 1, '2026-11-01 00:00:00'), (2, 1, 2, NULL, '2026-11-01 00:00:00')"
            ))  # fmt: skip
        migrate.upgrade(database_url)
        with engine.connect() as conn:
            ev = conn.execute(text(
                "SELECT ejercicio_evaluado, fecha_notificacion, evaluador, fecha_limite_atencion "
                "FROM evaluacion"
            )).one()  # fmt: skip
            assert tuple(ev) in {
                (2025, date(2026, 11, 13), "", None),
                (2025, "2026-11-13", "", None),  # SQLite returns the text it keeps
            }
            asm = conn.execute(
                text("SELECT id, evaluacion_id, fecha_recepcion FROM asm ORDER BY id")
            ).all()
            recepciones = [(a[0], a[1], str(a[2]) if a[2] else None) for a in asm]
            # The receipt moved to the evaluation's ASM; the ASM without evaluation stays so.
            assert recepciones == [(1, 1, "2026-11-27"), (2, None, None)]
        migrate.downgrade(database_url, "0004")
        with engine.connect() as conn:
            fila = conn.execute(text("SELECT ejercicio, fecha_recepcion_asm FROM evaluacion")).one()
            assert (fila[0], str(fila[1])) == (2025, "2026-11-27")
    finally:
        engine.dispose()


def test_the_newest_revision_read_without_alembic_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    cabeza = migrate._cabeza_de_los_archivos()
    assert cabeza is not None and cabeza == script.get_current_head()
