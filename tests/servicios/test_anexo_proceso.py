"""The Anexo A worker process does not outlive a bot that died without closing its pool."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parents[2]

# The bot starts its worker, then dies as SIGKILL or the OOM killer would leave it: no shutdown.
_BOT_QUE_MUERE = """
import asyncio, os, signal
from bot.servicios.anexo_proceso import Generador

generador = Generador()
asyncio.run(generador._correr(abs, -1))
print(*generador._pool._processes, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _vivo(pid: int) -> bool:
    try:
        estado = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return estado not in ("Z", "X")  # a zombie has ended; only its parent can reap it


def test_el_trabajador_termina_si_el_bot_muere_sin_cerrarlo(tmp_path: Path) -> None:
    salida = tmp_path / "pids"
    with salida.open("w") as f:  # a file, not a pipe: a surviving worker would hold a pipe open
        subprocess.run(
            [sys.executable, "-c", _BOT_QUE_MUERE],
            cwd=RAIZ, env={**os.environ, "PYTHONPATH": str(RAIZ)}, stdout=f, timeout=60,
        )  # fmt: skip
    pids = [int(x) for x in salida.read_text().split()]
    assert pids
    limite = time.monotonic() + 10
    while any(map(_vivo, pids)) and time.monotonic() < limite:
        time.sleep(0.2)
    vivos = [p for p in pids if _vivo(p)]
    for p in vivos:  # do not leave it behind for the next tests
        os.kill(p, signal.SIGKILL)
    assert not vivos, "el trabajador del Anexo A siguió vivo tras morir el bot"
