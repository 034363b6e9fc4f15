"""Webhook mode: Telegram POSTs updates to the bot, which checks the secret on every request."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import ACTUALIZACIONES, App, construir_aplicacion
from bot.config import load_settings
from bot.entorno import abrir_entorno
from bot.mensajes import textos
from botapi_double import BotApiDouble
from tests.conftest import Db
from tests.pg_propio import puerto_libre

SECRETO = "s3creto-de-prueba-0123456789abcdef"


@pytest.fixture
async def webhook(db: Db, tmp_path: Path) -> AsyncIterator[tuple[BotApiDouble, App, str]]:
    puerto = puerto_libre()
    url = f"http://127.0.0.1:{puerto}/telegram"
    async with BotApiDouble() as double:
        settings = load_settings(
            {
                "TELEGRAM_BOT_TOKEN": double.token,
                "TELEGRAM_API_URL": double.api_url,
                "TELEGRAM_FILE_URL": double.file_url,
                "DATABASE_URL": db.url,
                "ASMBOT_DATA_DIR": str(tmp_path / "datos"),
                "ASMBOT_WEBHOOK_URL": url,
                "ASMBOT_WEBHOOK_SECRET": SECRETO,
            },
            env_file=tmp_path / "no.env",
        )
        entorno = abrir_entorno(settings)
        app = construir_aplicacion(entorno, con_trabajos=False, anexos_en_proceso=False)
        await app.initialize()
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=puerto,
            url_path="telegram",
            webhook_url=url,
            secret_token=SECRETO,
            allowed_updates=ACTUALIZACIONES,
        )
        try:
            yield double, app, url
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            entorno.cerrar()


async def test_updates_arrive_by_webhook_and_a_wrong_secret_is_refused(
    webhook: tuple[BotApiDouble, App, str],
) -> None:
    double, _app, url = webhook
    assert double.webhook_url == url and double.webhook_secret == SECRETO
    ana = double.user(first_name="Ana")
    await ana.send("hola")
    assert [m.text for m in ana.messages] == [textos.NO_REGISTRADO]
    assert double.stats.webhook_deliveries == 1

    falsa = {"update_id": 999, "message": ana._message(text="/start")}
    async with aiohttp.ClientSession() as http:
        for cabeceras in (
            {"X-Telegram-Bot-Api-Secret-Token": "otro-secreto-cualquiera-0123456789"},
            {},
        ):
            async with http.post(
                url,
                data=json.dumps(falsa),
                headers={"Content-Type": "application/json", **cabeceras},
            ) as r:
                assert r.status == 403
    assert len(ana.messages) == 1  # neither forged update reached the bot


def test_webhook_needs_a_secret(tmp_path: Path) -> None:
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="ASMBOT_WEBHOOK_SECRET"):
        load_settings(
            {"ASMBOT_WEBHOOK_URL": "https://bot.ejemplo.gob.mx/telegram"},
            env_file=tmp_path / "no.env",
        )


async def test_an_update_sent_again_after_it_was_handled_is_not_handled_twice(
    webhook: tuple[BotApiDouble, App, str],
) -> None:
    """Telegram sends an update again when its webhook was not answered (the replica died
    after handling it): the bot acknowledges it without answering the person twice."""
    double, _app, url = webhook
    ana = double.user(first_name="Ana")
    ana.talked = True
    actualizacion = {"update_id": 4242, "message": ana._message(text="hola")}
    async with aiohttp.ClientSession() as http:
        for _ in range(2):
            async with http.post(
                url,
                data=json.dumps(actualizacion),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRETO,
                },
            ) as r:
                assert r.status == 200  # answered once handled (bot/procesador.py)
    assert [m.text for m in ana.messages] == [textos.NO_REGISTRADO]
