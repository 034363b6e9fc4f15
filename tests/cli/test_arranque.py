"""`asmbot run` as a deployer meets it: its own process, the Bot API double, a real database."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.config import _with_driver
from bot.mensajes import textos
from botapi_double import BotApiDouble
from tests.cli.procesos import Asmbot
from tests.pg_propio import pg_propio

RECHAZADO = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"


def _env(double: BotApiDouble, database_url: str, datos: Path, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": double.token,
        "TELEGRAM_API_URL": double.api_url,
        "TELEGRAM_FILE_URL": double.file_url,
        "DATABASE_URL": database_url,
        "ASMBOT_DATA_DIR": str(datos),
        **extra,
    }


async def test_a_rejected_token_is_one_line_that_never_shows_it(tmp_path: Path) -> None:
    async with BotApiDouble() as double:
        env = _env(double, f"sqlite:///{tmp_path / 'bot.db'}", tmp_path / "datos")
        bot = await Asmbot.iniciar(
            "run", env={**env, "TELEGRAM_BOT_TOKEN": RECHAZADO}, cwd=tmp_path
        )
        codigo = await bot.fin()
    assert codigo == 1
    assert RECHAZADO not in bot.texto and RECHAZADO.split(":")[1] not in bot.texto
    assert "Traceback" not in bot.texto
    assert bot.salida[-1] == (
        "Error: TELEGRAM_BOT_TOKEN: Telegram rechazó el token; cópielo de nuevo de @BotFather "
        "(/mybots → API Token)."
    )


async def test_two_replicas_start_at_once_migrate_once_and_the_standby_takes_over(
    tmp_path: Path,
) -> None:
    with pg_propio() as pg:
        async with BotApiDouble() as double:
            env = _env(double, pg.url, tmp_path / "datos", ASMBOT_LOG_FORMAT="json")
            a, b = await asyncio.gather(
                Asmbot.iniciar("run", env=env, cwd=tmp_path),
                Asmbot.iniciar("run", env=env, cwd=tmp_path),
            )
            try:
                await a.esperar_linea("Bot en marcha")
                await b.esperar_linea("Bot en marcha")
                # One polls, the other waits: never two pollers on one token.
                en_marcha = await asyncio.wait_for(_primera([a, b], "bot en marcha (polling)"), 30)
                reserva = b if en_marcha is a else a
                await reserva.esperar_linea("en espera: otra instancia atiende el bot")
                ana = double.user(first_name="Ana")
                await ana.send("hola")
                # Another process answers: wait for it (the double cannot see it working).
                assert (await ana.next_message(timeout=30)).text == textos.NO_REGISTRADO

                await en_marcha.terminar(signal.SIGKILL)
                inicio = asyncio.get_running_loop().time()
                await reserva.esperar_linea("bot en marcha (polling)", timeout=15)
                relevo = asyncio.get_running_loop().time() - inicio
                await ana.send("hola otra vez")
                # The standby answers now, once.
                assert (await ana.next_message(timeout=30)).text == textos.NO_REGISTRADO
                await asyncio.sleep(1)
                assert len(ana.messages) == 2
            finally:
                for p in (a, b):
                    await p.terminar()
    migraron = [p for p in (a, b) if "Esquema actualizado a" in p.texto]
    assert len(migraron) == 1, a.texto + "\n---\n" + b.texto
    assert relevo < 10
    assert "Conflict" not in a.texto + b.texto  # no 409: the two never polled at once
    for p in (a, b):  # every log line is one JSON object with a time stamp, and no token
        registros = [json.loads(linea) for linea in p.salida if linea.startswith("{")]
        assert registros and all(r["ts"] and r["nivel"] for r in registros)
        assert double.token not in p.texto


async def _primera(procesos: list[Asmbot], parte: str) -> Asmbot:
    while True:
        for p in procesos:
            if any(parte in linea for linea in p.salida):
                return p
        await asyncio.sleep(0.05)


async def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    async with BotApiDouble() as double:
        env = _env(double, "postgres://asmbot@127.0.0.1:9/asmbot", tmp_path / "datos")
        bot = await Asmbot.iniciar("run", env=env, cwd=tmp_path)
        assert await bot.fin() == 1
    assert len(bot.salida) == 1, bot.texto
    assert bot.salida[0].startswith("Error: DATABASE_URL: no se pudo conectar con la base de datos")


def test_two_upgrades_at_once_on_postgresql_both_succeed() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from storage import migrate

    with pg_propio() as pg:
        url = _with_driver(pg.url)
        with ThreadPoolExecutor(2) as hilos:
            cambios = list(hilos.map(lambda _: migrate.upgrade(url), range(2)))
        assert sorted(cambios) == [False, True]
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                migrate.revision_final()
            )
        engine.dispose()
