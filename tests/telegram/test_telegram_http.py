"""The bot's Bot API client: retries, what counts as «surely not sent», logs without the token.

A loopback server answers from a script, one entry per request: a status code, "lento" (answers
after the client's read limit) or "cortar" (drops the connection without answering)."""

import asyncio
import base64
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_http import SinToken, SolicitudConReintentos, configurar_logs, quizas_entregado

TOKEN = "1234567890:AAHk_fake-token-for-tests-0123456789"
LECTURA = 0.2


class Guion:
    def __init__(self, respuestas: list[int | str]) -> None:
        self.respuestas = respuestas
        self.vistas: list[tuple[str, str, bytes]] = []

    async def atender(self, request: web.Request) -> web.StreamResponse:
        self.vistas.append((request.path, request.content_type, await request.read()))
        r = self.respuestas.pop(0)
        if r == "lento":
            await asyncio.sleep(LECTURA * 3)
            r = 200
        if r == "cortar":
            assert request.transport is not None
            request.transport.abort()
            return web.Response()
        assert isinstance(r, int)
        return web.json_response({"ok": r == 200, "result": True, "description": "x"}, status=r)


def _puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def _servidor(
    guion: Guion, escuchar: bool = True
) -> AsyncIterator[tuple[str, Callable[[], Awaitable[None]]]]:
    """The server's base URL and a function that starts it listening (if it was not yet)."""
    app = web.Application()
    app.router.add_route("*", "/{camino:.*}", guion.atender)
    runner = web.AppRunner(app)
    await runner.setup()
    puerto = _puerto_libre()
    sitio = web.TCPSite(runner, "127.0.0.1", puerto)
    if escuchar:
        await sitio.start()
    try:
        yield f"http://127.0.0.1:{puerto}/bot{TOKEN}", sitio.start
    finally:
        await runner.cleanup()


@asynccontextmanager
async def _cliente(**kwargs: object) -> AsyncIterator[SolicitudConReintentos]:
    req = SolicitudConReintentos(espera_inicial=0.001, lectura=LECTURA, **kwargs)  # type: ignore[arg-type]
    await req.initialize()
    try:
        yield req
    finally:
        await req.shutdown()


def _datos(**parametros: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in parametros.items()])


async def test_5xx_answers_are_retried_until_success() -> None:
    guion = Guion([502, 500, 200])
    async with _servidor(guion) as (url, _), _cliente() as req:
        codigo, _ = await req.do_request(f"{url}/sendMessage", "POST", _datos(chat_id=1, text="a"))
    assert (codigo, len(guion.vistas)) == (200, 3)


async def test_gives_up_after_the_last_attempt_with_telegrams_answer() -> None:
    guion = Guion([503] * 4)
    async with _servidor(guion) as (url, _), _cliente() as req:
        codigo, _ = await req.do_request(f"{url}/getMe", "POST")
    assert codigo == 503  # PTB then raises its usual error for it
    assert len(guion.vistas) == 4


async def test_client_errors_are_not_retried() -> None:
    guion = Guion([400, 200])
    async with _servidor(guion) as (url, _), _cliente() as req:
        codigo, _ = await req.do_request(f"{url}/sendMessage", "POST", _datos(chat_id=1))
    assert (codigo, len(guion.vistas)) == (400, 1)


async def test_parameters_go_as_json_and_files_as_a_multipart_form() -> None:
    from telegram import InputFile

    guion = Guion([200, 200])
    async with _servidor(guion) as (url, _), _cliente() as req:
        teclado = {"inline_keyboard": [[{"text": "Sí", "callback_data": "s"}]]}
        await req.do_request(
            f"{url}/sendMessage", "POST", _datos(chat_id=7, text="ñ", reply_markup=teclado)
        )
        archivo = InputFile(b"contenido", filename="anexo.xlsx")
        await req.do_request(f"{url}/sendDocument", "POST", _datos(chat_id=7, document=archivo))
    (_, tipo1, cuerpo1), (_, tipo2, cuerpo2) = guion.vistas
    assert tipo1 == "application/json"
    assert cuerpo1.decode() == (
        '{"chat_id": 7, "text": "\\u00f1", "reply_markup": '
        '{"inline_keyboard": [[{"text": "S\\u00ed", "callback_data": "s"}]]}}'
    )
    assert tipo2 == "multipart/form-data"
    assert b'name="chat_id"' in cuerpo2 and b'filename="anexo.xlsx"' in cuerpo2
    assert b"contenido" in cuerpo2


async def test_a_timeout_never_resends_a_message_but_may_repeat_a_read() -> None:
    # Telegram may have delivered the message before the answer timed out: sending it again
    # here would duplicate it (the outbox decides about resending, by quizas_entregado).
    guion = Guion(["lento", 200])
    async with _servidor(guion) as (url, _), _cliente() as req:
        with pytest.raises(TimedOut) as error:
            await req.do_request(f"{url}/sendMessage", "POST", _datos(chat_id=1))
        assert len(guion.vistas) == 1
        assert quizas_entregado(error.value)
        guion.respuestas = ["lento", "cortar", 200]
        codigo, _ = await req.do_request(f"{url}/getUpdates", "POST")
    assert (codigo, len(guion.vistas)) == (200, 4)


async def test_a_dropped_connection_may_have_delivered_the_message() -> None:
    guion = Guion(["cortar", 200])
    async with _servidor(guion) as (url, _), _cliente() as req:
        with pytest.raises(NetworkError) as error:
            await req.do_request(f"{url}/sendMessage", "POST", _datos(chat_id=1))
    assert len(guion.vistas) == 1
    assert quizas_entregado(error.value)


async def test_a_message_that_never_left_is_sent_again() -> None:
    guion = Guion([200])
    fallos: list[BaseException] = []
    async with _servidor(guion, escuchar=False) as (url, escuchar):

        class Contada(SolicitudConReintentos):
            async def _una_vez(self, *args, **kwargs):
                try:
                    return await super()._una_vez(*args, **kwargs)
                except NetworkError as e:
                    fallos.append(e)
                    await escuchar()  # nobody listened: the server starts now
                    raise

        req = Contada(espera_inicial=0.001)
        await req.initialize()
        try:
            codigo, _ = await req.do_request(f"{url}/sendDocument", "POST", _datos(chat_id=1))
        finally:
            await req.shutdown()
    assert (codigo, len(guion.vistas)) == (200, 1)
    assert len(fallos) == 1 and not quizas_entregado(fallos[0])


async def test_no_connection_at_all_gives_up_as_surely_not_sent() -> None:
    url = f"http://127.0.0.1:{_puerto_libre()}/bot{TOKEN}"
    async with _cliente() as req:
        with pytest.raises(NetworkError) as error:
            await req.do_request(f"{url}/sendMessage", "POST", _datos(chat_id=1))
    assert not quizas_entregado(error.value)


async def test_waiting_too_long_for_a_free_connection_is_surely_not_sent() -> None:
    guion = Guion(["lento", 200])
    limites = {"conexiones": 1, "conexion": 0.05, "espera_pool": 0.05, "intentos": 1}
    async with _servidor(guion) as (url, _), _cliente(**limites) as req:
        ocupada = asyncio.create_task(req.do_request(f"{url}/getMe", "POST", read_timeout=5))
        await asyncio.sleep(0.05)  # it holds the only connection
        with pytest.raises(TimedOut) as error:
            await req.do_request(f"{url}/sendMessage", "POST", _datos(chat_id=1))
        assert (await ocupada)[0] == 200
    assert not quizas_entregado(error.value)
    assert len(guion.vistas) == 1


async def test_telegrams_own_error_answer_is_not_a_maybe() -> None:
    assert not quizas_entregado(NetworkError("Bad Gateway"))


async def test_the_environments_proxy_is_used_unless_no_proxy_covers_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Telegram is https://: through a proxy the client asks it for a tunnel (CONNECT), with the
    proxy's credentials. This proxy refuses it, so nothing was sent."""
    pedidos: list[bytes] = []

    async def proxy(lector: asyncio.StreamReader, escritor: asyncio.StreamWriter) -> None:
        pedidos.append(await lector.readuntil(b"\r\n\r\n"))
        escritor.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        await escritor.drain()
        escritor.close()

    servidor = await asyncio.start_server(proxy, "127.0.0.1", 0)
    puerto = servidor.sockets[0].getsockname()[1]
    monkeypatch.setenv("HTTPS_PROXY", f"http://enlace:cl%40ve@127.0.0.1:{puerto}")
    # A proxy for http:// too: only NO_PROXY keeps the loopback request below off it.
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{puerto}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    guion = Guion([200])
    async with servidor, _servidor(guion) as (directo, _), _cliente(intentos=1) as req:
        with pytest.raises(NetworkError) as error:
            await req.do_request(
                f"https://api.telegram.invalid/bot{TOKEN}/sendMessage", "POST", _datos(chat_id=1)
            )
        codigo, _ = await req.do_request(f"{directo}/getMe", "POST")  # NO_PROXY: straight to it
    assert not quizas_entregado(error.value)
    (pedido,) = pedidos
    assert pedido.startswith(b"CONNECT api.telegram.invalid:443 HTTP/1.1\r\n")
    credenciales = base64.b64encode(b"enlace:cl@ve").decode()
    assert f"Proxy-Authorization: Basic {credenciales}\r\n".encode() in pedido
    assert (codigo, [camino for camino, _, _ in guion.vistas]) == (200, [f"/bot{TOKEN}/getMe"])


async def test_an_uninitialized_client_says_so() -> None:
    with pytest.raises(RuntimeError, match="initialize"):
        await SolicitudConReintentos().do_request("http://127.0.0.1:1/botX/getMe", "POST")


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
