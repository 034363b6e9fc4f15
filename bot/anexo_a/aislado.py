"""Files from people are parsed in a child process with a memory and a time limit.

`bot.anexo_a.crudo` refuses what it can see is too large before parsing; this covers the rest
(a sheet whose cells are few in the XML but expand in the parser, a pathological formula, a
library bug). The child has its address space capped with RLIMIT_AS and a CPU-time limit; the
parent waits at most `TIEMPO` seconds and kills it. Either way the bot's own process never holds
the file's cells, so one bad file cannot slow anyone else.

Children come from a forkserver that has already imported the reader: starting one costs a fork
(milliseconds), not a new interpreter.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import resource
import signal
from multiprocessing.context import BaseContext

from bot.anexo_a.modelo import AnexoLeido, Problema

MEMORIA = 1024 * 1024 * 1024  # bytes of address space for the child: a real Anexo A needs ~150 MB
TIEMPO = 60.0  # seconds of wall-clock time; a real Anexo A is read in well under one

_contexto: BaseContext | None = None


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


def leer_aislado(
    datos: bytes, nombre: str, *, memoria: int = MEMORIA, tiempo: float = TIEMPO
) -> AnexoLeido:
    """`leer_anexo_a` in a child process; a child that runs out of memory or time is a problem
    of the file (one sentence), never an exception of the caller."""
    ctx = _ctx()
    recibir, enviar = ctx.Pipe(duplex=False)
    hijo = ctx.Process(  # type: ignore[attr-defined]
        target=_trabajar, args=(datos, nombre, enviar, memoria, tiempo), daemon=True
    )
    hijo.start()
    enviar.close()
    try:
        if recibir.poll(tiempo):
            try:
                resultado = recibir.recv()
            except (EOFError, OSError):  # died before answering: out of memory, or killed
                resultado = None
        else:
            resultado = None
            hijo.kill()
    finally:
        recibir.close()
        hijo.join(5)
        if hijo.is_alive():
            hijo.kill()
            hijo.join()
    if isinstance(resultado, AnexoLeido):
        return resultado
    return AnexoLeido(problemas=[Problema("", None, None, demasiado_pesado(nombre))])


def demasiado_pesado(nombre: str) -> str:
    return (
        f"«{nombre}» es demasiado pesado para leerlo (agotó la memoria o el tiempo permitidos); "
        "revise que sea el Anexo A y envíe solo sus hojas, sin filas ni columnas de más."
    )


def _trabajar(
    datos: bytes,
    nombre: str,
    enviar: multiprocessing.connection.Connection,
    memoria: int,
    tiempo: float,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the bot, which ends us
    # The cap counts what the process already maps (the interpreter and its libraries).
    resource.setrlimit(resource.RLIMIT_AS, (memoria, memoria))
    segundos = int(tiempo) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (segundos, segundos + 1))
    try:
        from bot.anexo_a.lectura import leer_anexo_a

        enviar.send(leer_anexo_a(datos, nombre))
    except MemoryError:
        os._exit(3)  # the parent reports it; nothing here can allocate safely
    finally:
        enviar.close()
