"""Retries of the Bot API client and logs without the token."""

import logging

import httpx
import pytest
from telegram.error import NetworkError

from bot.telegram_http import SinToken, SolicitudConReintentos, configurar_logs

TOKEN = "1234567890:AAHk_fake-token-for-tests-0123456789"


def _solicitud(respuestas: list[int | Exception]) -> tuple[SolicitudConReintentos, list[str]]:
    vistas: list[str] = []

    def responder(request: httpx.Request) -> httpx.Response:
        vistas.append(str(request.url))
        r = respuestas.pop(0)
        if isinstance(r, Exception):
            raise r
        return httpx.Response(r, json={"ok": r == 200, "result": True, "description": "x"})

    req = SolicitudConReintentos(
        espera_inicial=0.001, httpx_kwargs={"transport": httpx.MockTransport(responder)}
    )
    return req, vistas


async def test_5xx_and_network_errors_are_retried_until_success() -> None:
    req, vistas = _solicitud([502, httpx.ConnectError("caída"), 500, 200])
    await req.initialize()
    try:
        codigo, _ = await req.do_request("http://127.0.0.1:1/botX/getMe", "POST")
    finally:
        await req.shutdown()
    assert codigo == 200
    assert len(vistas) == 4


async def test_gives_up_after_the_last_attempt() -> None:
    req, vistas = _solicitud([503] * 4)
    await req.initialize()
    try:
        codigo, _ = await req.do_request("http://127.0.0.1:1/botX/getMe", "POST")
        assert codigo == 503  # PTB then raises its usual error for it
        req2, _ = _solicitud([httpx.ConnectError("x")] * 4)
        await req2.initialize()
        with pytest.raises(NetworkError):
            await req2.do_request("http://127.0.0.1:1/botX/getMe", "POST")
        await req2.shutdown()
    finally:
        await req.shutdown()
    assert len(vistas) == 4


async def test_client_errors_are_not_retried() -> None:
    req, vistas = _solicitud([400, 200])
    await req.initialize()
    try:
        codigo, _ = await req.do_request("http://127.0.0.1:1/botX/sendMessage", "POST")
    finally:
        await req.shutdown()
    assert codigo == 400
    assert len(vistas) == 1


def test_token_is_redacted_from_log_records() -> None:
    registro = logging.LogRecord(
        "httpx",
        logging.WARNING,
        "x",
        1,
        "POST %s failed",
        (f"https://api.telegram.org/bot{TOKEN}/getMe",),
        None,
    )
    SinToken().filter(registro)
    assert TOKEN not in registro.getMessage()
    assert "bot<token>/getMe" in registro.getMessage()


def test_http_client_request_logs_are_silenced() -> None:
    configurar_logs()
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert all(
        any(isinstance(f, SinToken) for f in h.filters) for h in logging.getLogger().handlers
    )


async def test_a_timeout_never_resends_a_message_but_may_repeat_a_read() -> None:
    # Telegram may have delivered the message before the answer timed out: sending it again
    # here would duplicate it (the outbox decides about resending).
    req, vistas = _solicitud([httpx.ReadTimeout("lento"), 200])
    await req.initialize()
    try:
        with pytest.raises(NetworkError):
            await req.do_request("http://127.0.0.1:1/botX/sendMessage", "POST")
        assert len(vistas) == 1
        req2, vistas2 = _solicitud(
            [httpx.ReadTimeout("lento"), httpx.RemoteProtocolError("x"), 200]
        )
        await req2.initialize()
        codigo, _ = await req2.do_request("http://127.0.0.1:1/botX/getUpdates", "POST")
        await req2.shutdown()
        assert (codigo, len(vistas2)) == (200, 3)
    finally:
        await req.shutdown()


async def test_a_message_that_never_left_is_sent_again() -> None:
    req, vistas = _solicitud([httpx.ConnectError("sin red"), 200])
    await req.initialize()
    try:
        codigo, _ = await req.do_request("http://127.0.0.1:1/botX/sendDocument", "POST")
    finally:
        await req.shutdown()
    assert (codigo, len(vistas)) == (200, 2)
