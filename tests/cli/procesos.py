"""`asmbot` as its own process, as a container runs it, with its output read line by line."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

ASMBOT = str(Path(sys.executable).parent / "asmbot")


class Asmbot:
    def __init__(self, proceso: asyncio.subprocess.Process) -> None:
        self.proceso = proceso
        self.salida: list[str] = []  # stdout and stderr, as they came
        self._cambio = asyncio.Event()
        self._lectores = [
            asyncio.create_task(self._leer(proceso.stdout)),
            asyncio.create_task(self._leer(proceso.stderr)),
        ]

    @classmethod
    async def iniciar(cls, *args: str, env: dict[str, str], cwd: Path) -> Asmbot:
        proceso = await asyncio.create_subprocess_exec(
            ASMBOT,
            *args,
            env={"PATH": os.environ.get("PATH", ""), **env},
            cwd=cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(proceso)

    async def _leer(self, flujo: asyncio.StreamReader | None) -> None:
        assert flujo is not None
        while linea := await flujo.readline():
            self.salida.append(linea.decode().rstrip("\n"))
            self._cambio.set()

    @property
    def texto(self) -> str:
        return "\n".join(self.salida)

    async def esperar_linea(self, parte: str, timeout: float = 30.0) -> str:
        async def buscar() -> str:
            while True:
                for linea in self.salida:
                    if parte in linea:
                        return linea
                self._cambio.clear()
                await self._cambio.wait()

        try:
            return await asyncio.wait_for(buscar(), timeout)
        except TimeoutError:
            raise AssertionError(f"no apareció «{parte}»:\n{self.texto}") from None

    async def terminar(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.proceso.returncode is None:
            self.proceso.send_signal(sig)
        codigo = await asyncio.wait_for(self.proceso.wait(), timeout)
        await asyncio.gather(*self._lectores)
        return codigo

    async def fin(self, timeout: float = 60.0) -> int:
        codigo = await asyncio.wait_for(self.proceso.wait(), timeout)
        await asyncio.gather(*self._lectores)
        return codigo
