"""A PostgreSQL server of the test's own, in a temporary folder, which a test may stop.

The shared server is never stopped; this one starts in about a second (initdb, no fsync) on a
free port of 127.0.0.1. initdb refuses to run as root, so as root it runs as `postgres`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def _bin(nombre: str) -> str:
    encontrados = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{nombre}"))
    ruta = encontrados[-1] if encontrados else shutil.which(nombre)
    assert ruta, f"falta {nombre} de PostgreSQL"
    return ruta


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgPropio:
    carpeta: Path
    puerto: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.puerto}/postgres"

    def _como_postgres(self, *args: str) -> None:
        prefijo = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefijo, *args], check=True, capture_output=True, timeout=60)

    def iniciar(self) -> None:
        self._como_postgres(
            _bin("pg_ctl"),
            "-D",
            str(self.carpeta / "datos"),
            "-l",
            str(self.carpeta / "log"),
            "-w",
            "-o",
            f"-p {self.puerto} -k {self.carpeta} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def detener(self) -> None:
        self._como_postgres(
            _bin("pg_ctl"), "-D", str(self.carpeta / "datos"), "-m", "immediate", "-w", "stop"
        )


@contextmanager
def pg_propio() -> Iterator[PgPropio]:
    carpeta = Path(tempfile.mkdtemp(prefix="asmbot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(carpeta, "postgres")
    pg = PgPropio(carpeta, puerto_libre())
    pg._como_postgres(
        _bin("initdb"), "-D", str(carpeta / "datos"), "-A", "trust", "-U", "postgres", "--no-sync"
    )
    pg.iniciar()
    try:
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # the test stopped it already
            pg.detener()
        shutil.rmtree(carpeta, ignore_errors=True)
