"""Files from people are parsed in a worker process with a memory and a time limit.

`bot.anexo_a.crudo` refuses what it can see is too large before parsing; this covers the rest
(a sheet whose cells are few in the XML but expand in the parser, a pathological formula, a
library bug). The worker has its address space capped with RLIMIT_AS and a CPU-time limit; the
parent waits at most `TIEMPO` seconds per file and kills it. Either way the bot's own process
never holds the file's cells, so one bad file cannot slow anyone else.

One worker, started on first use from a forkserver and reused for the next files (starting a
process per file costs more than reading the file: the child imports the reader and the
program's main module again). A worker that fails, runs out of time or has read `RECICLAR`
files is replaced. Files are read one at a time (a lock): an import waits for the one before.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
import threading
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess

from bot.anexo_a.modelo import AnexoLeido, Problema

MEMORIA = 1024 * 1024 * 1024  # bytes of address space for the worker; a real Anexo A needs ~150 MB
TIEMPO = 60.0  # seconds of wall-clock time per file; a real Anexo A is read in well under one
RECICLAR = 200  # files read by one worker before it is replaced, so no memory piles up

_contexto: BaseContext | None = None
_candado = threading.Lock()


def _ctx() -> BaseContext:
    global _contexto
    if _contexto is None:
        if "forkserver" in multiprocessing.get_all_start_methods():
            servidor = multiprocessing.get_context("forkserver")
            servidor.set_forkserver_preload(["bot.anexo_a.lectura"])
            _contexto = servidor
        else:  # platforms without fork
            _contexto = multiprocessing.get_context("spawn")
    return _contexto


class _Trabajador:
    def __init__(self, memoria: int, tiempo: float) -> None:
        ctx = _ctx()
        self.memoria, self.tiempo = memoria, tiempo
        self.conexion, hijo = ctx.Pipe()
        self.proceso: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_servir, args=(hijo, memoria, tiempo), daemon=True
        )
        self.proceso.start()
        hijo.close()
        self.leidos = 0

    def leer(self, datos: bytes, nombre: str) -> AnexoLeido | None:
        """The file read, or None when the worker died or ran out of time (it is then ended)."""
        try:
            self.conexion.send((datos, nombre))
            if self.conexion.poll(self.tiempo):
                resultado = self.conexion.recv()
                self.leidos += 1
                return resultado if isinstance(resultado, AnexoLeido) else None
        except (EOFError, OSError, BrokenPipeError):  # died: out of memory, or killed
            pass
        self.terminar()
        return None

    def terminar(self) -> None:
        self.conexion.close()
        if self.proceso.is_alive():
            self.proceso.kill()
        self.proceso.join(5)


_trabajador: _Trabajador | None = None


def leer_aislado(
    datos: bytes, nombre: str, *, memoria: int = MEMORIA, tiempo: float = TIEMPO
) -> AnexoLeido:
    """`leer_anexo_a` in the worker; a worker that runs out of memory or time is a problem of
    the file (one sentence), never an exception of the caller."""
    global _trabajador
    with _candado:
        t = _trabajador
        if t is not None and (
            not t.proceso.is_alive()
            or t.leidos >= RECICLAR
            or (t.memoria, t.tiempo) != (memoria, tiempo)
        ):
            t.terminar()
            t = None
        if t is None:
            t = _Trabajador(memoria, tiempo)
        resultado = t.leer(datos, nombre)
        _trabajador = t if resultado is not None else None
    if resultado is not None:
        return resultado
    return AnexoLeido(problemas=[Problema("", None, None, demasiado_pesado(nombre))])


def cerrar() -> None:
    """Ends the worker (the bot calls it on shutdown; a new one starts if needed)."""
    global _trabajador
    with _candado:
        if _trabajador is not None:
            _trabajador.terminar()
            _trabajador = None


def demasiado_pesado(nombre: str) -> str:
    return (
        f"«{nombre}» es demasiado pesado para leerlo (agotó la memoria o el tiempo permitidos); "
        "revise que sea el Anexo A y envíe solo sus hojas, sin filas ni columnas de más."
    )


def _servir(conexion: multiprocessing.connection.Connection, memoria: int, tiempo: float) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the bot, which ends us
    # The cap counts what the process already maps (the interpreter and its libraries).
    resource.setrlimit(resource.RLIMIT_AS, (memoria, memoria))
    from bot.anexo_a.lectura import leer_anexo_a

    while True:
        try:
            datos, nombre = conexion.recv()
        except (EOFError, OSError):  # the bot closed its end
            return
        # CPU seconds for this file on top of those already used.
        usados = int(resource.getrusage(resource.RUSAGE_SELF).ru_utime) + 1
        limite = usados + int(tiempo) + 1
        # Only the soft limit moves (SIGXCPU ends us): raising a hard one needs privileges.
        duro = resource.getrlimit(resource.RLIMIT_CPU)[1]
        if duro != resource.RLIM_INFINITY:
            limite = min(limite, duro)
        resource.setrlimit(resource.RLIMIT_CPU, (limite, duro))
        try:
            conexion.send(leer_anexo_a(datos, nombre))
        except MemoryError:
            os._exit(3)  # the parent reports it; nothing here can allocate safely
