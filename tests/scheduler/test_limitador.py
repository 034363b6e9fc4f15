"""Pacing under Telegram's flood limits (scheduler/limitador.py)."""

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from scheduler.limitador import POR_CHAT, Limitador


async def _enviar(
    lim: Limitador, chat: int, marcas: list[tuple[int, float]], args: Any = None
) -> None:
    async def callback() -> bool:
        marcas.append((chat, time.monotonic()))
        return True

    await lim.process_request(callback, (), {}, "sendMessage", {"chat_id": chat}, args)


async def test_overall_rate_is_kept_after_a_short_burst() -> None:
    lim = Limitador(por_segundo=50, rafaga=4)
    marcas: list[tuple[int, float]] = []
    inicio = time.monotonic()
    await asyncio.gather(*(_enviar(lim, chat, marcas) for chat in range(30)))
    duracion = time.monotonic() - inicio
    # 30 requests at 50/s with a burst of ~5 take at least (30 - 5) / 50 = 0.5 s.
    assert duracion >= 0.48
    tiempos = sorted(t for _, t in marcas)
    ventana = max(sum(1 for t in tiempos if a <= t < a + 0.2) for a in tiempos)
    assert ventana <= 0.2 * 50 + 5  # never more than the rate plus the burst in any window


async def test_paced_messages_to_one_chat_are_spaced_but_a_conversation_is_not() -> None:
    lim = Limitador(por_segundo=1000, intervalo_chat=0.1)
    marcas: list[tuple[int, float]] = []
    await asyncio.gather(*(_enviar(lim, 7, marcas, POR_CHAT) for _ in range(3)))
    tiempos = sorted(t for _, t in marcas)
    assert tiempos[2] - tiempos[0] >= 0.19
    rapidas: list[tuple[int, float]] = []
    inicio = time.monotonic()
    await asyncio.gather(*(_enviar(lim, 8, rapidas) for _ in range(3)))  # replies in a chat
    assert time.monotonic() - inicio < 0.05


async def test_a_429_pauses_only_its_chat_and_is_retried() -> None:
    lim = Limitador(por_segundo=1000, intervalo_chat=0.0)
    intentos = {"n": 0}
    marcas: list[tuple[int, float]] = []

    async def con_429() -> bool:
        intentos["n"] += 1
        if intentos["n"] == 1:
            raise RetryAfter(timedelta(seconds=0.3))
        marcas.append((1, time.monotonic()))
        return True

    inicio = time.monotonic()
    tarea = asyncio.create_task(
        lim.process_request(con_429, (), {}, "sendMessage", {"chat_id": 1}, POR_CHAT)
    )
    await asyncio.sleep(0.05)
    await _enviar(lim, 2, marcas, POR_CHAT)  # another chat goes on meanwhile
    assert time.monotonic() - inicio < 0.2
    assert await tarea is True
    assert intentos["n"] == 2 and lim.esperas_429 == 1
    assert [c for c, _ in marcas] == [2, 1]


async def test_gives_up_after_the_retries() -> None:
    lim = Limitador(max_reintentos=1)

    async def siempre_429() -> bool:
        raise RetryAfter(timedelta(seconds=0.01))

    with pytest.raises(RetryAfter):
        await lim.process_request(siempre_429, (), {}, "sendMessage", {"chat_id": 1}, None)
