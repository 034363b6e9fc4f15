"""What every entry point needs, built once from the settings: database, sessions, calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.calendario import CalendarioHabil
from bot.config import Settings
from storage.db import make_engine, make_sessionmaker


@dataclass
class Entorno:
    settings: Settings
    engine: Engine
    sesiones: sessionmaker[Session]
    calendario: CalendarioHabil

    def hoy(self) -> date:
        return self.calendario.hoy()

    def cerrar(self) -> None:
        self.engine.dispose()


def abrir_entorno(settings: Settings) -> Entorno:
    engine = make_engine(settings.database_url)
    return Entorno(
        settings=settings,
        engine=engine,
        sesiones=make_sessionmaker(engine),
        calendario=CalendarioHabil(settings.dias_inhabiles, settings.zona),
    )
