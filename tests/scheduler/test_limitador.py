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


async def test_a_reply_queued_behind_a_round_goes_first_and_the_round_keeps_the_rate() -> None:
    lim = Limitador(por_segundo=50, rafaga=1)
    marcas: list[tuple[int, float]] = []
    ronda = [asyncio.create_task(_enviar(lim, 1000 + i, marcas, POR_CHAT)) for i in range(25)]
    await asyncio.sleep(0.1)  # a few of the round are out, the others wait for their slot
    ya_enviados = len(marcas)
    inicio = time.monotonic()
    await _enviar(lim, 7, marcas)  # a person's reply
    assert time.monotonic() - inicio < 0.05  # the next slot (1/50 s), not the round's end
    orden = [c for c, _ in marcas]
    assert orden.index(7) <= ya_enviados + 1
    await asyncio.gather(*ronda)
    # Not starved: the round took every other slot, so all 26 went at the overall rate.
    tiempos = sorted(t for _, t in marcas)
    assert tiempos[-1] - tiempos[0] < (26 / 50) * 1.25
    ventana = max(sum(1 for t in tiempos if a <= t < a + 0.2) for a in tiempos)
    assert ventana <= 0.2 * 50 + 2


async def test_replies_take_turns_in_order_among_themselves() -> None:
    lim = Limitador(por_segundo=100, rafaga=1)
    marcas: list[tuple[int, float]] = []
    ronda = [asyncio.create_task(_enviar(lim, 1000 + i, marcas, POR_CHAT)) for i in range(10)]
    await asyncio.sleep(0)
    respuestas = [asyncio.create_task(_enviar(lim, chat, marcas)) for chat in (1, 2, 3)]
    await asyncio.gather(*ronda, *respuestas)
    orden = [c for c, _ in marcas]
    assert [c for c in orden if c < 1000] == [1, 2, 3]
    assert max(orden.index(c) for c in (1, 2, 3)) <= 4  # before most of the round


async def test_a_request_refused_with_429_gives_its_slot_back() -> None:
    lim = Limitador(por_segundo=5, rafaga=1)
    intentos = {"n": 0}

    async def con_429() -> bool:
        intentos["n"] += 1
        if intentos["n"] == 1:
            raise RetryAfter(timedelta(seconds=0.5))
        return True

    await _enviar(lim, 1, [])  # the burst allowance is used
    tarea = asyncio.create_task(
        lim.process_request(con_429, (), {}, "sendMessage", {"chat_id": 2}, None)
    )
    await asyncio.sleep(0.02)  # it went in the burst, and Telegram refused it
    assert intentos["n"] == 1
    inicio = time.monotonic()
    await _enviar(lim, 3, [])  # the refused one's slot, not the one after it (1/5 s later)
    assert time.monotonic() - inicio < 0.1
    assert await tarea is True
