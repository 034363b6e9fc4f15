"""What every entry point needs, built once from the settings: database, sessions, calendar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from storage.db import make_engine, make_sessionmaker
from storage.models import utcnow

if TYPE_CHECKING:  # they load the spreadsheet, PDF and QR libraries: only for who asks
    from bot.servicios.anexo_proceso import PeticionAnexo, PeticionOficio
    from bot.servicios.oficios import ConfigOficio


@dataclass
class Entorno:
    settings: Settings
    engine: Engine
    sesiones: sessionmaker[Session]
    calendario: CalendarioHabil
    # The clock, replaceable so tests and the sandbox can move time.
    reloj: Callable[[], datetime] = field(default=utcnow)

    def ahora(self) -> datetime:
        return self.reloj()

    def hoy(self) -> date:
        """Today in the configured time zone."""
        return self.calendario.hoy(self.reloj())

    def peticion_anexo(
        self,
        trimestre: Trimestre,
        hoy: date,
        programa_clave: str | None = None,
        dependencia_id: int | None = None,
        formato: str = "xlsx",
    ) -> PeticionAnexo:
        from bot.servicios.anexo_proceso import PeticionAnexo

        s = self.settings
        return PeticionAnexo(
            database_url=s.database_url,
            trimestre=str(trimestre),
            hoy=hoy,
            encabezado=s.encabezado,
            dias_inhabiles=s.dias_inhabiles,
            recurrentes=s.dias_inhabiles_recurrentes,
            habiles=s.dias_habiles_municipales,
            zona=s.zona.key,
            programa_clave=programa_clave,
            dependencia_id=dependencia_id,
            formato=formato,
        )

    def config_oficio(self) -> ConfigOficio:
        from bot.servicios.oficios import ConfigOficio

        s = self.settings
        return ConfigOficio(
            municipio=s.encabezado.municipio,
            instituto=s.encabezado.instituto,
            prefijo=s.oficio_prefijo,
            lugar=s.oficio_lugar,
            bot=s.bot_username,
            data_dir=str(s.data_dir),
            zona=s.zona.key,
        )

    def peticion_oficio(
        self, dependencia_id: int, mes: date, actor: str, usuario_id: int | None = None
    ) -> PeticionOficio:
        from bot.servicios.anexo_proceso import PeticionOficio

        return PeticionOficio(
            database_url=self.settings.database_url,
            dependencia_id=dependencia_id,
            mes=mes,
            ahora=self.ahora(),
            config=self.config_oficio(),
            actor=actor,
            usuario_id=usuario_id,
        )

    def cerrar(self) -> None:
        self.engine.dispose()


def abrir_entorno(settings: Settings) -> Entorno:
    engine = make_engine(
        settings.database_url,
        limite_sentencia=settings.bd_limite_sentencia,
        limite_candado=settings.bd_limite_candado,
    )
    return Entorno(
        settings=settings,
        engine=engine,
        sesiones=make_sessionmaker(engine),
        calendario=settings.calendario(),
    )
