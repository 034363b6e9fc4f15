"""CPU per update: the bot as a process (`asmbot run`, polling) beside a bare PTB echo bot with
AIORateLimiter (bench/eco.py), each on a Bot API double of its own, alternated.

CPU is the time the bot's process ran (user + system), read from its threads' scheduler
counters in nanoseconds (/proc/<pid>/task/*/schedstat) before and after a phase, less what the
process spends idle for as long (measured first). The tick-based counters of /proc/<pid>/stat
(10 ms) under-count a process that runs in bursts of a millisecond: the echo bot's phase is a
few ticks.

Phases, each with 40 people at once and one update each: /mis_asm, /avance (the list), the
press of an ASM's button, and the typed percentage (an /avance step). Then the load of the
issue: 40 people at once each send /mis_asm five times, one after the other, waiting for each
answer: throughput, p95, and CPU per update. Prints medians over the rounds and our/echo ratios.

Targets: CPU per update ≤ 2× the echo bot's; throughput ≥ 0.95× and p95 ≤ 1.2× it.

    .venv/bin/python -m bench.cpu [--personas 40] [--veces 5] [--rondas 3]
        [--pg postgresql://postgres@127.0.0.1:5432/test]  # a schema of its own, dropped after
        [--perfil prof.txt]  # instead, a py-spy profile of our bot (it slows the bot down)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.latency import percentil, sembrar
from bot.config import _with_driver
from botapi_double import BotApiDouble, SimUser

ENLACES_ID = 700_000  # as bench.latency seeds them


def cpu_de(pid: int) -> float:
    """CPU seconds the process's live threads have run so far (the first field of each
    thread's schedstat, in nanoseconds). A thread that ends takes its time with it: the bots'
    worker threads stay (Bot.fase checks)."""
    total = 0
    for hilo in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += int((hilo / "schedstat").read_text().split()[0])
    return total / 1e9


def hilos(pid: int) -> set[str]:
    return {h.name for h in Path(f"/proc/{pid}/task").iterdir()}


class Bot:
    """One bot process on its own double, with its simulated people."""

    def __init__(self, nombre: str, double: BotApiDouble, personas: int) -> None:
        self.nombre = nombre
        self.double = double
        self.personas = [double.user(ENLACES_ID + i) for i in range(personas)]
        for p in self.personas:
            p.talked = True
        self.proceso: subprocess.Popen[bytes] | None = None
        self.reposo = 0.0  # CPU seconds per second when idle
        self.lanzado = 0.0
        self.hilos_perdidos = 0  # threads that ended while measured: their time was missed

    def lanzar(self, orden: list[str], env: dict[str, str], bitacora: Path) -> None:
        env = {
            **os.environ,
            **env,
            "TELEGRAM_BOT_TOKEN": self.double.token,
            "TELEGRAM_API_URL": self.double.api_url,
            "TELEGRAM_FILE_URL": self.double.file_url,
        }
        self.lanzado = time.monotonic()
        with bitacora.open("wb") as salida:
            # A session of its own: the workers it starts go with it (Bot.detener).
            self.proceso = subprocess.Popen(
                orden, env=env, stdout=subprocess.DEVNULL, stderr=salida, start_new_session=True
            )

    @property
    def pid(self) -> int:
        assert self.proceso is not None
        return self.proceso.pid

    def cpu(self) -> tuple[float, set[str]]:
        return cpu_de(self.pid), hilos(self.pid)

    def gastado(self, antes: tuple[float, set[str]], t0: float) -> float:
        """CPU seconds since `antes` (Bot.cpu), less the idle process's for as long."""
        ahora, vivos = self.cpu()
        self.hilos_perdidos += len(antes[1] - vivos)
        return ahora - antes[0] - self.reposo * (time.perf_counter() - t0)

    async def quieto(self, silencio: float = 0.3) -> None:
        """Until the bot has made no request (other than its long poll) for `silencio` s."""
        d, loop = self.double, asyncio.get_running_loop()
        while d._in_flight or loop.time() - d._last_activity < silencio:
            await asyncio.sleep(0.02)

    async def medir_reposo(self, segundos: float = 5.0, arranque: float = 30.0) -> None:
        # Past the start-up work: our bot sets each person's command menu 10 s after starting.
        await asyncio.sleep(max(0.0, self.lanzado + arranque - time.monotonic()))
        await self.quieto()
        antes, t0 = self.cpu(), time.perf_counter()
        await asyncio.sleep(segundos)
        self.reposo = self.gastado(antes, t0) / (time.perf_counter() - t0)

    def peticiones(self) -> int:
        """Requests the bot made to the Bot API so far, but its long polls."""
        return sum(1 for metodo, _ in self.double.requests if metodo != "getUpdates")

    async def fase(self, accion: Callable[[SimUser], object]) -> tuple[float, float]:
        """CPU seconds and Bot API requests per update when every person does `accion` at
        once and gets an answer."""
        await self.quieto()
        antes, t0, pedidas = self.cpu(), time.perf_counter(), self.peticiones()
        await asyncio.gather(*(_y_respuesta(p, accion(p)) for p in self.personas))
        await self.quieto()
        n = len(self.personas)
        return self.gastado(antes, t0) / n, (self.peticiones() - pedidas) / n

    async def carga(self, veces: int) -> tuple[float, float, float]:
        """Every person sends /mis_asm `veces` times, each after the answer to the one before:
        (answers per second, p95 in seconds, CPU seconds per update)."""
        await self.quieto()
        tiempos: list[float] = []

        async def persona(p: SimUser) -> None:
            for _ in range(veces):
                inicio = time.perf_counter()
                await _y_respuesta(p, p.send("/mis_asm"))
                tiempos.append(time.perf_counter() - inicio)

        antes, t0 = self.cpu(), time.perf_counter()
        await asyncio.gather(*(persona(p) for p in self.personas))
        duracion = time.perf_counter() - t0
        await self.quieto()
        gastado = self.gastado(antes, t0)
        return len(tiempos) / duracion, percentil(tiempos, 95), gastado / len(tiempos)

    def detener(self) -> None:
        if self.proceso is None:
            return
        if self.proceso.poll() is None:
            self.proceso.send_signal(signal.SIGTERM)
            try:
                self.proceso.wait(20)
            except subprocess.TimeoutExpired:
                self.proceso.kill()
                self.proceso.wait()
        with contextlib.suppress(ProcessLookupError):  # what it left behind, if anything
            os.killpg(self.proceso.pid, signal.SIGKILL)


def _visto(p: SimUser) -> tuple[int, int]:
    return len(p.messages), sum(m.edits for m in p.messages)


async def _y_respuesta(p: SimUser, accion: object, timeout: float = 60.0) -> None:
    """Does the action and waits for the bot's answer in that chat: a new message or an edit
    (the rest of the answer, if any, is awaited by Bot.quieto)."""
    antes = _visto(p)
    await accion  # type: ignore[misc]
    await p.wait_until(lambda _m: _visto(p) != antes, timeout=timeout)


async def _hasta_boton(p: SimUser, accion: object, prefijo: str) -> None:
    """Does the action and waits until a message offers a button starting with `prefijo`."""
    await accion  # type: ignore[misc]
    await p.wait_until(lambda m: any(e.startswith(prefijo) for e in m.labels()), timeout=60)


def _pulsar(nuestro: bool) -> Callable[[SimUser], object]:
    if nuestro:
        return lambda p: p.press(
            next(e for m in p.messages[::-1] for e in m.labels() if e.startswith("Núm."))
        )
    return lambda p: p.press_data("av1:asm:1", p.last.message_id)


FASES = ("/mis_asm", "/avance", "botón Núm.", "paso: porcentaje")


async def ronda(bot: Bot, nuestro: bool) -> dict[str, tuple[float, float]]:
    """/avance opens our bot's next pending ASM at its % step; «Ver todos» (not measured)
    lists them all, and the measured press is that of an ASM's button in the list."""
    r = {
        "/mis_asm": await bot.fase(lambda p: p.send("/mis_asm")),
        "/avance": await bot.fase(lambda p: p.send("/avance")),
    }
    if nuestro:
        await bot.quieto()
        await asyncio.gather(*(_hasta_boton(p, p.press("Ver todos"), "Núm.") for p in bot.personas))
    r["botón Núm."] = await bot.fase(_pulsar(nuestro))
    r["paso: porcentaje"] = await bot.fase(lambda p: p.send("55"))
    if nuestro:  # back to no draft, for the next round's /avance
        await asyncio.gather(*(_cancelar(p) for p in bot.personas))
    return r


async def _cancelar(p: SimUser) -> None:
    """«Cancelar», until the bot has answered it."""
    await _y_respuesta(p, p.press("Cancelar"))


async def preparado(bot: Bot, limite: float = 60.0) -> None:
    """Until the process answers (it migrates and starts first); each person once, as warm-up."""
    fin = time.monotonic() + limite
    while not bot.double._polls:
        if bot.proceso is not None and bot.proceso.poll() is not None:
            raise SystemExit(f"{bot.nombre}: el proceso terminó al arrancar")
        if time.monotonic() > fin:
            raise SystemExit(f"{bot.nombre}: no empezó a leer actualizaciones en {limite} s")
        await asyncio.sleep(0.1)
    await asyncio.gather(*(_y_respuesta(p, p.send("/mis_asm")) for p in bot.personas))


async def perfilar(pid: int, destino: Path, segundos: float) -> subprocess.Popen[bytes]:
    py_spy = str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--format", "raw", "--output", str(destino),
         "--duration", str(int(segundos)), "--rate", "200", "--nonblocking", "--gil"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def resumir_perfil(crudo: Path, destino: Path, top: int = 25) -> None:
    """py-spy's collapsed stacks as the functions with most samples, own and with callees."""
    propio: Counter[str] = Counter()
    total: Counter[str] = Counter()
    muestras = 0
    for linea in crudo.read_text().splitlines():
        pila, _, n = linea.rpartition(" ")
        if not pila or not n.isdigit():
            continue
        cuadros = [c.split(" (", 1)[0] + " (" + c.split(" (", 1)[1].split(":")[0] + ")"
                   if " (" in c else c for c in pila.split(";")[1:]]  # fmt: skip
        if not cuadros:
            continue
        muestras += int(n)
        propio[cuadros[-1]] += int(n)
        for c in set(cuadros):
            total[c] += int(n)
    lineas = [f"{muestras} muestras de la CPU del proceso (todas las hebras)", "", "propio:"]
    lineas += [f"{100 * v / muestras:5.1f} %  {k}" for k, v in propio.most_common(top)]
    lineas += ["", "con lo que llama:"]
    lineas += [f"{100 * v / muestras:5.1f} %  {k}" for k, v in total.most_common(top * 2)]
    destino.write_text("\n".join(lineas) + "\n")


async def medir(
    personas: int, veces: int, rondas: int, perfil: Path | None, pg: str | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp, _base(pg, Path(tmp)) as url:
        sembrar(url, 10 * 20, personas)  # 20 dependencias with 10 ASM each
        async with BotApiDouble() as d_nuestro, BotApiDouble() as d_eco:
            for d in (d_nuestro, d_eco):

                async def sin_espera(_update_id: int) -> None:
                    return None  # the bench waits for the answers itself

                d.wait_processed = sin_espera
            nuestro = Bot("nuestro", d_nuestro, personas)
            eco = Bot("eco", d_eco, personas)
            nuestro.lanzar(
                [str(Path(sys.executable).parent / "asmbot"), "run"],
                {"DATABASE_URL": url, "ASMBOT_DATA_DIR": tmp},
                Path(tmp) / "nuestro.log",
            )
            eco.lanzar([sys.executable, "-m", "bench.eco"], {}, Path(tmp) / "eco.log")
            try:
                await preparado(nuestro)
                await preparado(eco)
                await nuestro.medir_reposo()
                await eco.medir_reposo()
                if perfil is not None:
                    await _perfilar(nuestro, perfil, veces)
                    return
                fases: dict[str, dict[str, list[tuple[float, float]]]] = {
                    "nuestro": {},
                    "eco": {},
                }
                cargas: dict[str, list[tuple[float, float, float]]] = {"nuestro": [], "eco": []}
                for i in range(rondas):
                    orden = [(nuestro, True), (eco, False)]
                    for bot, es_nuestro in orden if i % 2 == 0 else orden[::-1]:
                        for k, v in (await ronda(bot, es_nuestro)).items():
                            fases[bot.nombre].setdefault(k, []).append(v)
                        cargas[bot.nombre].append(await bot.carga(veces))
            except BaseException:
                print((Path(tmp) / "nuestro.log").read_text()[-3000:], file=sys.stderr)
                raise
            finally:
                for b in (nuestro, eco):
                    b.detener()
    print(f"Base: {'PostgreSQL' if pg else 'SQLite'}")
    for b in (nuestro, eco):
        if b.hilos_perdidos:
            print(
                f"aviso: {b.hilos_perdidos} hebras de «{b.nombre}» terminaron durante una medición"
            )
    _imprimir(personas, veces, rondas, fases, cargas, nuestro.reposo, eco.reposo)


@contextlib.contextmanager
def _base(pg: str | None, tmp: Path) -> Iterator[str]:
    """A SQLite file, or a schema of its own on that PostgreSQL server (dropped afterwards)."""
    if pg is None:
        yield f"sqlite:///{tmp / 'cpu.db'}"
        return
    base = _with_driver(pg)
    esquema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{esquema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{esquema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{esquema}" CASCADE'))
        admin.dispose()


async def _perfilar(bot: Bot, destino: Path, veces: int) -> None:
    crudo = destino.with_name(destino.stem + "-pilas.txt")  # py-spy's collapsed stacks
    spy = await perfilar(bot.pid, crudo, 600)
    await asyncio.sleep(1.0)  # py-spy attached
    for _ in range(2):
        await ronda(bot, True)
        await bot.carga(veces)
    spy.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
    await asyncio.to_thread(spy.wait, 30)
    resumir_perfil(crudo, destino)
    print(f"Perfil de nuestro bot (py-spy, {bot.nombre}): {destino}")
    print(destino.read_text())


def _imprimir(
    personas: int,
    veces: int,
    rondas: int,
    fases: dict[str, dict[str, list[tuple[float, float]]]],
    cargas: dict[str, list[tuple[float, float, float]]],
    reposo_nuestro: float,
    reposo_eco: float,
) -> None:
    med = statistics.median
    print(
        f"CPU por actualización (usuario + sistema, del proceso), {personas} personas a la vez, "
        f"mediana de {rondas} rondas alternadas; en reposo: nuestro {1000 * reposo_nuestro:.1f} "
        f"ms/s, eco {1000 * reposo_eco:.1f} ms/s (descontado)"
    )
    print(
        f"{'actualización':<20}{'nuestro (ms)':>14}{'eco (ms)':>10}{'razón':>8}"
        f"{'peticiones a la Bot API, nuestro / eco':>42}"
    )
    for k in FASES:
        n, e = (med(c for c, _ in fases[b][k]) for b in ("nuestro", "eco"))
        pn, pe = (med(p for _, p in fases[b][k]) for b in ("nuestro", "eco"))
        print(f"{k:<20}{1000 * n:>14.1f}{1000 * e:>10.1f}{n / e:>7.2f}×{pn:>34.1f} / {pe:.1f}")
    print(
        f"\n{personas} personas a la vez envían /mis_asm {veces} veces (cada una tras la "
        "respuesta anterior), mediana de las rondas"
    )
    print(f"{'':<20}{'nuestro':>10}{'eco':>10}{'razón':>8}")
    filas = (("respuestas/s", 0, 1.0, ".1f"), ("p95 (ms)", 1, 1000.0, ".0f"),
             ("CPU/act. (ms)", 2, 1000.0, ".1f"))  # fmt: skip
    for nombre, i, escala, f in filas:
        n = med(c[i] for c in cargas["nuestro"])
        e = med(c[i] for c in cargas["eco"])
        print(f"{nombre:<20}{format(escala * n, f):>10}{format(escala * e, f):>10}{n / e:>7.2f}×")
    print(
        "objetivo: CPU ≤ 2× el eco; respuestas/s ≥ 0.95× y p95 ≤ 1.2× el eco "
        "(ambos al ritmo de Telegram)"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--personas", type=int, default=40)
    p.add_argument("--veces", type=int, default=5)
    p.add_argument("--rondas", type=int, default=3)
    p.add_argument("--perfil", type=Path, help="escribe aquí un perfil py-spy de nuestro bot")
    p.add_argument("--pg", help="PostgreSQL en vez de SQLite (un esquema propio, que se borra)")
    a = p.parse_args()
    asyncio.run(medir(a.personas, a.veces, a.rondas, a.perfil, a.pg))


if __name__ == "__main__":
    main()
