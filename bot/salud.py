"""`/healthz` and `/metrics` on their own small HTTP server (a thread of the bot's process).

`/healthz` answers 200 when the database answers, 503 when it does not, with what an operator
needs first: the database, the last update received, the outbox backlog. `/metrics` is the
Prometheus text format. Neither shows personal data; put them behind the private network.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from bot import metricas
from bot.entorno import Entorno
from storage.models import Salida

log = logging.getLogger(__name__)


def estado(entorno: Entorno, lider: Any = None) -> tuple[bool, dict[str, Any]]:
    """(healthy, details): the database reachable, last update, outbox by state."""
    datos: dict[str, Any] = {}
    try:
        with entorno.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            por_estado = dict(
                conn.execute(select(Salida.estado, func.count()).group_by(Salida.estado)).all()
            )
        for nombre in ("pendiente", "enviado", "fallido"):
            metricas.SALIDA.labels(nombre).set(por_estado.get(nombre, 0))
        datos["base_de_datos"] = "ok"
        datos["salida_pendiente"] = por_estado.get("pendiente", 0)
        sano = True
    except Exception as e:  # any failure to reach the database is what this reports
        datos["base_de_datos"] = f"sin respuesta ({type(e).__name__})"
        datos["salida_pendiente"] = None
        sano = False
    ultima = metricas.ultima_actualizacion()
    datos["ultima_actualizacion"] = (
        datetime.fromtimestamp(ultima, UTC).isoformat(timespec="seconds") if ultima else None
    )
    if lider is not None:
        datos["lider"] = bool(lider.es_lider)
    return sano, datos


class ServidorSalud:
    def __init__(self, entorno: Entorno, direccion: tuple[str, int], lider: Any = None) -> None:
        servidor = self

        class Manejador(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                ruta = self.path.split("?", 1)[0]
                if ruta == "/healthz":
                    sano, datos = estado(servidor.entorno, servidor.lider)
                    self._responder(
                        200 if sano else 503,
                        "application/json; charset=utf-8",
                        json.dumps(datos, ensure_ascii=False).encode(),
                    )
                elif ruta == "/metrics":
                    estado(servidor.entorno, servidor.lider)  # refreshes the outbox gauges
                    self._responder(200, CONTENT_TYPE_LATEST, generate_latest())
                else:
                    self._responder(404, "text/plain; charset=utf-8", b"no encontrado\n")

            def _responder(self, codigo: int, tipo: str, cuerpo: bytes) -> None:
                self.send_response(codigo)
                self.send_header("Content-Type", tipo)
                self.send_header("Content-Length", str(len(cuerpo)))
                self.end_headers()
                self.wfile.write(cuerpo)

            def log_message(self, format: str, *args: Any) -> None:
                return None  # a probe every few seconds would drown the log

        self.entorno = entorno
        self.lider = lider
        self._http = ThreadingHTTPServer(direccion, Manejador)
        self._http.daemon_threads = True
        anfitrion, puerto = self._http.server_address[:2]
        self.direccion: tuple[str, int] = (str(anfitrion), int(puerto))
        self._hilo = threading.Thread(target=self._http.serve_forever, name="salud", daemon=True)

    def iniciar(self) -> None:
        self._hilo.start()
        log.info("salud y métricas en http://%s:%s/healthz y /metrics", *self.direccion)

    def detener(self) -> None:
        self._http.shutdown()
        self._http.server_close()
