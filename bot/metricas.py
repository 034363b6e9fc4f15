"""The bot's Prometheus metrics, in one place every layer may import (it imports nothing of ours).

Labels never carry a chat id or a name: a person's data stays out of monitoring.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram

ACTUALIZACIONES = Counter("asmbot_actualizaciones", "Actualizaciones de Telegram atendidas")
LATENCIA = Histogram(
    "asmbot_respuesta_segundos",
    "Tiempo desde que llega una actualización hasta que se terminó de atender",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
SALIDA = Gauge(
    "asmbot_salida_mensajes", "Mensajes en la salida por estado (última lectura)", ["estado"]
)
ENVIADOS = Counter("asmbot_envios", "Mensajes de la salida entregados a Telegram")
ESPERAS_429 = Counter("asmbot_esperas_429", "Veces que Telegram pidió esperar (429)")
IMPORTACION = Histogram(
    "asmbot_importacion_segundos",
    "Duración de una importación de Anexo A",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120),
)
ANEXO = Histogram(
    "asmbot_anexo_segundos",
    "Duración de la generación de un Anexo A",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120),
)
ULTIMA_ACTUALIZACION = Gauge(
    "asmbot_ultima_actualizacion_timestamp", "Hora (Unix) de la última actualización recibida"
)
LIDER = Gauge("asmbot_lider", "1 si esta instancia planea las rondas y reparte la salida")


def marcar_actualizacion() -> float:
    """Notes an update's arrival; returns the monotonic clock to time its answer."""
    ULTIMA_ACTUALIZACION.set(time.time())
    return time.monotonic()


def ultima_actualizacion() -> float | None:
    valor = ULTIMA_ACTUALIZACION._value.get()
    return valor or None
