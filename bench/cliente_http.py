"""What one Bot API request costs an HTTP client: httpx (under PTB's HTTPXRequest, PTB's own
and the bot's until this figure moved it) beside aiohttp (bot/telegram_http.py's), both posting the same sendMessage form (a 1,700-character text,
as a /mis_asm answer) to the Bot API double in a process of its own, 40 requests at once over a
pool of 16 connections (the bot's), alternated.

Prints the CPU of this process per request, medians over the rounds. No target: it tells where
the CPU of an update goes beside the database (bench/cpu.py) and why the bot's request class
is on aiohttp.

    .venv/bin/python -m bench.cliente_http [--peticiones 400] [--a-la-vez 40] [--rondas 5]
        [--conexiones 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx

TEXTO = "<b>Sus ASM</b>\n" + "• Núm. 1 · E003 · 40 % · Actualizar el diagnóstico por colonia\n" * 27
CONEXIONES = 16  # bot.app: connection_pool_size


async def _doble() -> None:
    from botapi_double import BotApiDouble

    async with BotApiDouble() as d:
        d.user(700_001).talked = True
        print(d.api_url + d.token, flush=True)
        await asyncio.Event().wait()


def _datos() -> dict[str, str]:
    return {"chat_id": "700001", "text": TEXTO, "parse_mode": "HTML"}


async def medir(
    base: str, peticiones: int, a_la_vez: int, rondas: int, conexiones: int
) -> dict[str, float]:
    url = base + "/sendMessage"
    cupo = asyncio.Semaphore(a_la_vez)

    async def por_peticion(una: Callable[[], Awaitable[None]]) -> float:
        async def con_cupo() -> None:
            async with cupo:
                await una()

        inicio = time.process_time()
        await asyncio.gather(*(con_cupo() for _ in range(peticiones)))
        return (time.process_time() - inicio) / peticiones

    async with (
        httpx.AsyncClient(limits=httpx.Limits(max_connections=conexiones)) as hx,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conexiones)) as ah,
    ):

        async def con_httpx() -> None:
            r = await hx.post(url, data=_datos())
            assert json.loads(r.content)["ok"]

        async def con_aiohttp() -> None:
            async with ah.post(url, data=_datos()) as r:
                assert json.loads(await r.read())["ok"]

        clientes = {"httpx": con_httpx, "aiohttp": con_aiohttp}
        for una in clientes.values():  # warm-up: connections open
            await por_peticion(una)
        cifras: dict[str, list[float]] = {k: [] for k in clientes}
        for i in range(rondas):
            for nombre in list(clientes) if i % 2 == 0 else list(clientes)[::-1]:
                cifras[nombre].append(await por_peticion(clientes[nombre]))
    return {k: statistics.median(v) for k, v in cifras.items()}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--peticiones", type=int, default=400)
    p.add_argument("--a-la-vez", type=int, default=40)
    p.add_argument("--rondas", type=int, default=5)
    p.add_argument("--conexiones", type=int, default=CONEXIONES)
    p.add_argument("--doble", action="store_true", help=argparse.SUPPRESS)  # the server process
    a = p.parse_args()
    if a.doble:
        asyncio.run(_doble())
        return
    doble = subprocess.Popen(
        [sys.executable, "-m", "bench.cliente_http", "--doble"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert doble.stdout is not None
        base = doble.stdout.readline().strip()
        cifras = asyncio.run(medir(base, a.peticiones, a.a_la_vez, a.rondas, a.conexiones))
    finally:
        doble.kill()
        doble.wait()
    print(
        f"sendMessage de {len(TEXTO)} caracteres, {a.a_la_vez} a la vez, {a.conexiones} conexiones"
    )
    print("CPU del cliente por petición, mediana de las rondas")
    for nombre, cpu in cifras.items():
        print(f"{nombre:<10}{1000 * cpu:>8.2f} ms{cpu / cifras['httpx']:>8.2f}×")


if __name__ == "__main__":
    main()
