"""`/healthz` and `/metrics`: what a container engine and Prometheus read."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from bot.config import load_settings
from bot.entorno import abrir_entorno
from bot.salud import ServidorSalud
from storage import migrate
from tests.pg_propio import pg_propio, puerto_libre


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_healthz_follows_the_database_and_metrics_are_prometheus_text(tmp_path: Path) -> None:
    with pg_propio() as pg:
        settings = load_settings(
            {
                "DATABASE_URL": pg.url,
                "ASMBOT_DATA_DIR": str(tmp_path),
                "ASMBOT_SALUD_ESCUCHA": f"127.0.0.1:{puerto_libre()}",
            },
            env_file=tmp_path / "no.env",
        )
        migrate.upgrade(settings.database_url)
        entorno = abrir_entorno(settings)
        assert settings.salud_escucha is not None
        salud = ServidorSalud(entorno, settings.salud_escucha)
        salud.iniciar()
        host, puerto = salud.direccion
        base = f"http://{host}:{puerto}"
        try:
            codigo, cuerpo = _get(f"{base}/healthz")
            assert codigo == 200
            datos = json.loads(cuerpo)
            assert datos["base_de_datos"] == "ok" and datos["salida_pendiente"] == 0

            codigo, metricas = _get(f"{base}/metrics")
            assert codigo == 200
            for nombre in (
                "asmbot_actualizaciones_total",
                "asmbot_respuesta_segundos_bucket",
                'asmbot_salida_mensajes{estado="pendiente"} 0.0',
                "asmbot_esperas_429_total",
                "asmbot_importacion_segundos_count",
                "asmbot_anexo_segundos_count",
            ):
                assert nombre in metricas, nombre

            pg.detener()
            codigo, cuerpo = _get(f"{base}/healthz")
            assert codigo == 503
            assert json.loads(cuerpo)["base_de_datos"].startswith("sin respuesta")

            pg.iniciar()  # and it recovers without a restart of the bot
            assert _get(f"{base}/healthz")[0] == 200
        finally:
            salud.detener()
            entorno.cerrar()


def test_health_is_off_by_default_in_polling_mode(tmp_path: Path) -> None:
    s = load_settings({"ASMBOT_DATA_DIR": str(tmp_path)}, env_file=tmp_path / "no.env")
    assert s.salud_escucha is None
    s = load_settings(
        {
            "ASMBOT_DATA_DIR": str(tmp_path),
            "ASMBOT_WEBHOOK_URL": "https://bot.ejemplo.gob.mx/telegram",
            "ASMBOT_WEBHOOK_SECRET": "x" * 32,
        },
        env_file=tmp_path / "no.env",
    )
    assert s.salud_escucha == ("0.0.0.0", 9090)
