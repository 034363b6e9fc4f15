"""The services' tests run on a plain session over the seeded register (tests.arnes.sembrar)."""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tests.arnes import sembrar
from tests.conftest import Db


@pytest.fixture
def s(db: Db) -> Iterator[Session]:
    with db.sesiones() as sesion:
        sembrar(sesion)
        sesion.flush()
        yield sesion
