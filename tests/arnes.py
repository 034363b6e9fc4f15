"""The real bot, end to end, against the project's Bot API double over loopback HTTP.

A test gets an `Arnes`: the double, the running application and its environment, a clock the
test controls, and helpers to invite and register simulated people.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.app import App, construir_aplicacion
from bot.config import load_settings
from bot.dominio.vocabulario import Rol
from bot.entorno import Entorno, abrir_entorno
from bot.procesador import ProcesadorPorChat
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo
from bot.servicios.invitaciones import crear_invitacion
from botapi_double import BotApiDouble, SimUser
from storage.db import unit_of_work
from storage.models import Asm, AsmResponsable, Programa

T = TypeVar("T")

# Wednesday 18 November 2026, 11:00 in Mexico City: a business day in the middle of a month.
AHORA = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)


class ProcesadorRastreable(ProcesadorPorChat):
    """The production processor, and it tells the tests when an update is done."""

    def __init__(self) -> None:
        super().__init__()
        self._hechos: set[int] = set()
        self._cambio = asyncio.Condition()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await super().do_process_update(update, coroutine)
        finally:
            async with self._cambio:
                self._hechos.add(getattr(update, "update_id", -1))
                self._cambio.notify_all()

    async def esperar(self, update_id: int, timeout: float = 15.0) -> None:
        async with self._cambio:
            await asyncio.wait_for(
                self._cambio.wait_for(lambda: update_id in self._hechos), timeout
            )


@dataclass
class Reloj:
    actual: datetime = AHORA

    def __call__(self) -> datetime:
        return self.actual

    def avanzar(self, **delta: float) -> None:
        self.actual += timedelta(**delta)


@dataclass
class Arnes:
    double: BotApiDouble
    entorno: Entorno
    reloj: Reloj
    app: App | None = None
    procesador: ProcesadorRastreable = field(default_factory=ProcesadorRastreable)
    # In a thread, so tests can patch the writer; one test checks the worker process itself.
    anexos_en_proceso: bool = False

    async def arrancar(self) -> None:
        self.procesador = ProcesadorRastreable()
        self.double.wait_processed = self.procesador.esperar
        # Jobs run on real time; tests run rounds themselves, with the clock they control.
        self.app = construir_aplicacion(
            self.entorno,
            procesador=self.procesador,
            espera_reintento=0.01,
            con_trabajos=False,
            anexos_en_proceso=self.anexos_en_proceso,
        )
        await self.app.initialize()
        if self.app.post_init is not None:  # what run_polling does in production
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0, timeout=1)

    async def detener(self) -> None:
        if self.app is None:
            return
        assert self.app.updater is not None
        await self.app.updater.stop()
        await self.app.stop()
        if self.app.post_shutdown is not None:  # what run_polling does in production
            await self.app.post_shutdown(self.app)
        await self.app.shutdown()
        self.app = None

    async def reiniciar(self) -> None:
        await self.detener()
        await self.arrancar()

    def bd(self, trabajo: Callable[[Session], T]) -> T:
        with unit_of_work(self.entorno.sesiones) as s:
            return trabajo(s)

    def invitar(self, rol: Rol, siglas: str | None = None) -> str:
        def crear(s: Session) -> str:
            dep = Catalogo(s).buscar(siglas) if siglas else None
            return crear_invitacion(s, rol, dep, "SeguimientoASMBot", ahora=self.reloj()).codigo

        return self.bd(crear)

    async def registrar(self, usuario: SimUser, rol: Rol, siglas: str | None = None) -> None:
        await usuario.send(f"/start {self.invitar(rol, siglas)}")
        await usuario.press("Acepto")
        assert "Su registro como" in usuario.last.text, usuario.transcript()


def sembrar(s: Session) -> None:
    """Two dependencias and a Pp with three ASM: two of the SMDIF (one already late), one of TM."""
    cat = Catalogo(s, "test")
    dif = cat.obtener_o_crear("Sistema Municipal DIF")
    dif.siglas = "SMDIF"
    tm = cat.obtener_o_crear("Tesorería Municipal")
    tm.siglas = "TM"
    prog = Programa(clave="E003", nombre="Asistencia social")
    s.add(prog)
    s.flush()
    datos = [
        (1, dif, "Integrar un padrón único de personas beneficiarias", date(2026, 12, 15), 40),
        (2, dif, "Documentar el procedimiento de entrega de apoyos", date(2026, 10, 30), 60),
        (3, tm, "Conciliar el avance financiero con Tesorería", date(2027, 3, 31), None),
    ]
    for numero, dep, texto, termino, avance in datos:
        asm = Asm(programa_id=prog.id, numero=numero)
        s.add(asm)
        s.flush()
        s.add(AsmResponsable(asm_id=asm.id, dependencia_id=dep.id))
        registro.nueva_version(
            s, asm, date(2026, 1, 15), "test", origen="test", texto=texto,
            clasificacion="especifico", area_responsable=dep.nombre,
            actividades="Mesas de trabajo y documento final", fecha_termino=termino,
        )  # fmt: skip
        if avance is not None:
            registro.registrar_avance(s, asm, date(2026, 10, 1), avance, "test", origen="test")


def entorno_de_prueba(
    database_url: str, data_dir: Path, double: BotApiDouble, reloj: Reloj
) -> Entorno:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": double.token,
            "TELEGRAM_API_URL": double.api_url,
            "TELEGRAM_FILE_URL": double.file_url,
            "DATABASE_URL": database_url,
            "ASMBOT_DATA_DIR": str(data_dir),
        },
        env_file=data_dir / "no.env",
    )
    entorno = abrir_entorno(settings)
    entorno.reloj = reloj
    return entorno
