"""The bot's HTTP client for the Bot API, on aiohttp: retries network errors and Telegram's 5xx
answers, and logs that never show the token.

Why not PTB's own HTTPXRequest: under a conversation's load httpx's connection pool re-checks
every connection for every queued request, and a Bot API request cost the bot about four times
the CPU it costs on aiohttp (bench/cliente_http.py), which the aiohttp server of the test double
and the sandbox already bring.

A call that sends something (sendMessage, sendDocument…) is retried here only when the request
surely never reached Telegram (no connection): after a timeout Telegram may have delivered it,
and Telegram has no idempotency key, so trying again here would send it twice. The outbox
decides about resending those (scheduler/repartidor.py), asking `quizas_entregado`."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# PTB marks a limit the caller left out with an instance of this class (DEFAULT_NONE's).
_POR_DEFECTO = type(BaseRequest.DEFAULT_NONE)


class _Respuesta5xx(Exception):
    def __init__(self, code: int, payload: bytes) -> None:
        super().__init__(code)
        self.code, self.payload = code, payload


# Errors of the HTTP client that mean the request was never sent: no connection could be made,
# or none was free in time (aiohttp's `connect` timeout covers the wait for the pool too).
_NO_ENVIADA = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.ClientHttpProxyError,  # the proxy refused the tunnel to Telegram
)


def quizas_entregado(e: BaseException) -> bool:
    """A network error after the request may have reached Telegram (a timeout waiting for the
    answer, a dropped connection): it may have been done. Not when it surely never left
    (_NO_ENVIADA)."""
    causa = e.__cause__  # an answer from Telegram (a 502, say) has no HTTP-client cause
    return (
        isinstance(e, NetworkError)
        and isinstance(causa, aiohttp.ClientError | TimeoutError)
        and not isinstance(causa, _NO_ENVIADA)
    )


def _envia_algo(url: str) -> bool:
    """Does this Bot API method deliver something to a chat (so repeating it duplicates)?"""
    metodo = url.rsplit("/", 1)[-1].split("?", 1)[0].lower()
    return (metodo.startswith("send") and metodo != "sendchataction") or metodo in (
        "copymessage", "copymessages", "forwardmessage", "forwardmessages",
    )  # fmt: skip


def _se_puede_repetir(e: BaseException, envia_algo: bool) -> bool:
    if isinstance(e, _Respuesta5xx):
        return True  # Telegram answered that it did not do it
    if not isinstance(e, NetworkError):
        return False
    return not envia_algo or isinstance(e.__cause__, _NO_ENVIADA)


def _cuerpo(datos: RequestData | None) -> tuple[bytes | aiohttp.FormData | None, str | None]:
    """The request's body and its type: JSON, as the Bot API accepts for every method (cheaper
    to build than a form), or a multipart form when it uploads a file."""
    if datos is None:
        return None, None
    if not datos.contains_files:
        return json.dumps(datos.parameters).encode(), "application/json"
    forma = aiohttp.FormData()
    for nombre, valor in datos.json_parameters.items():
        forma.add_field(nombre, valor)
    for nombre, (archivo, contenido, tipo) in datos.multipart_data.items():
        forma.add_field(nombre, contenido, filename=archivo, content_type=tipo)
    return forma, None


def _proxy_del_entorno(esquema: str, host: str | None) -> tuple[str | None, dict[str, str] | None]:
    """The environment's proxy for the scheme (HTTPS_PROXY for Telegram) unless NO_PROXY covers
    the host, as PTB's own client honoured, and the headers that carry its user and password
    (aiohttp sends them in the CONNECT of an https:// request, Telegram's)."""
    proxy = getproxies().get(esquema)
    if proxy is None or (host and proxy_bypass(host)):
        return None, None
    p = urlsplit(proxy)
    sin_credenciales = p._replace(netloc=p.netloc.rpartition("@")[2]).geturl()
    if not p.username:
        return sin_credenciales, None
    credenciales = aiohttp.encode_basic_auth(unquote(p.username), unquote(p.password or ""))
    return sin_credenciales, {"Proxy-Authorization": credenciales}


class SolicitudConReintentos(BaseRequest):
    """PTB's request interface on aiohttp that tries again, with growing pauses, when the
    network or Telegram fails. A 429 is not retried here: the rate limiter honours its
    `retry_after`.

    The time limits, in seconds, are PTB's: `lectura` for the answer (settable: tests shorten
    it), `escritura` for the request (`escritura_archivos` when it uploads one), `conexion` to
    connect and `espera_pool` for a free one among `conexiones` (aiohttp counts the two waits
    as one: a connection must be had within their sum).
    """

    def __init__(
        self,
        conexiones: int = 16,
        *,
        lectura: float | None = 5.0,
        escritura: float | None = 5.0,
        escritura_archivos: float | None = 20.0,
        conexion: float | None = 5.0,
        espera_pool: float | None = 1.0,
        intentos: int = 4,
        espera_inicial: float = 0.5,
    ) -> None:
        self._conexiones = conexiones
        self.lectura = lectura
        self._escritura, self._escritura_archivos = escritura, escritura_archivos
        self._conexion, self._espera_pool = conexion, espera_pool
        self._intentos = intentos
        self._espera = espera_inicial
        self._sesion: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[str | None, dict[str, str] | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        return self.lectura

    async def initialize(self) -> None:
        if self._sesion is None or self._sesion.closed:
            self._sesion = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._conexiones),
                headers={"User-Agent": self.USER_AGENT},
                # Not trust_env: it reads the environment and ~/.netrc in a worker thread on
                # every request. The proxy is looked up once per host instead (_proxy).
                trust_env=False,
            )

    async def shutdown(self) -> None:
        if self._sesion is not None and not self._sesion.closed:
            await self._sesion.close()

    def _plazos(
        self, lectura: Any, escritura: Any, conexion: Any, pool: Any, con_archivos: bool
    ) -> aiohttp.ClientTimeout:
        """PTB's four limits in aiohttp's terms; a DefaultValue means «this request's default»."""

        def elegir(valor: Any, defecto: float | None) -> float | None:
            return defecto if isinstance(valor, _POR_DEFECTO) else valor

        lectura = elegir(lectura, self.lectura)
        escritura = elegir(escritura, self._escritura_archivos if con_archivos else self._escritura)
        conexion = elegir(conexion, self._conexion)
        pool = elegir(pool, self._espera_pool)
        fases = (lectura, escritura, conexion, pool)
        # aiohttp has no write limit of its own: the whole request gets the sum of the phases.
        return aiohttp.ClientTimeout(
            total=None if None in fases else sum(fases),
            connect=None if conexion is None or pool is None else conexion + pool,
            sock_connect=conexion,
            sock_read=lectura,
        )

    def _proxy(self, url: str) -> tuple[str | None, dict[str, str] | None]:
        """The proxy for this URL's host, looked up at its first request (a change of the
        environment needs a restart)."""
        partes = urlsplit(url)
        clave = f"{partes.scheme}://{partes.netloc}"
        if clave not in self._proxies:
            self._proxies[clave] = _proxy_del_entorno(partes.scheme, partes.hostname)
        return self._proxies[clave]

    async def _una_vez(
        self, url: str, method: str, datos: RequestData | None, plazos: aiohttp.ClientTimeout
    ) -> tuple[int, bytes]:
        if self._sesion is None or self._sesion.closed:
            raise RuntimeError("SolicitudConReintentos no se ha iniciado (initialize).")
        cuerpo, tipo = _cuerpo(datos)
        encabezados = {"Content-Type": tipo} if tipo else None
        proxy, encabezados_proxy = self._proxy(url)
        try:
            async with self._sesion.request(
                method,
                url,
                data=cuerpo,
                headers=encabezados,
                timeout=plazos,
                proxy=proxy,
                proxy_headers=encabezados_proxy,
            ) as respuesta:
                return respuesta.status, await respuesta.read()
        except TimeoutError as e:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut(f"aiohttp.{type(e).__name__}: {e}") from e
        except aiohttp.ClientError as e:
            raise NetworkError(f"aiohttp.{type(e).__name__}: {e}") from e

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        envia_algo = _envia_algo(url)
        con_archivos = request_data is not None and request_data.contains_files
        plazos = self._plazos(
            read_timeout, write_timeout, connect_timeout, pool_timeout, con_archivos
        )
        reintentos = AsyncRetrying(
            stop=stop_after_attempt(self._intentos),
            wait=wait_exponential(multiplier=self._espera, max=8),
            retry=retry_if_exception(lambda e: _se_puede_repetir(e, envia_algo)),
            reraise=False,
        )
        try:
            async for intento in reintentos:
                with intento:
                    code, payload = await self._una_vez(url, method, request_data, plazos)
                    if code >= 500:
                        raise _Respuesta5xx(code, payload)
                    return code, payload
        except RetryError as e:
            ultimo = e.last_attempt.exception()
            if isinstance(ultimo, _Respuesta5xx):
                return ultimo.code, ultimo.payload  # PTB turns it into its usual error
            assert ultimo is not None
            raise ultimo from ultimo.__cause__  # the cause says whether the request left
        raise AssertionError("unreachable")  # pragma: no cover


class SinToken(logging.Filter):
    """Replaces anything that looks like a bot token in a log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        mensaje = record.getMessage()
        if _TOKEN.search(mensaje):
            record.msg = _TOKEN.sub("<token>", mensaje)
            record.args = None
        return True


def configurar_logs(nivel: int = logging.INFO) -> None:
    logging.basicConfig(level=nivel, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(SinToken())
    # httpx logs each request URL at INFO, and the URL carries the token (PTB still loads it).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
