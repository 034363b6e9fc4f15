"""The container image's steps, where no container engine exists: the Dockerfile's wheel, alone
in a fresh virtual environment, migrates a new database and starts against the Bot API double."""

from __future__ import annotations

import asyncio
import sys
import zipfile
from pathlib import Path

from bot.mensajes import textos
from botapi_double import BotApiDouble
from tests.cli.procesos import Asmbot

RAIZ = Path(__file__).resolve().parents[2]


def test_the_dockerfile_ships_the_wheel_alone_as_a_numeric_non_root_user() -> None:
    dockerfile = (RAIZ / "Dockerfile").read_text(encoding="utf-8")
    # The steps the next test repeats.
    assert "pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ." in dockerfile
    assert "pip install /wheels/*.whl" in dockerfile
    assert "COPY botapi_double" not in dockerfile and "COPY tests" not in dockerfile
    assert "USER 10001:10001" in dockerfile
    assert "HEALTHCHECK" in dockerfile and 'VOLUME ["/data"]' in dockerfile
    imagenes = [linea.split()[1] for linea in dockerfile.splitlines() if linea.startswith("FROM")]
    assert imagenes and all(":3.11." in i and "slim" in i for i in imagenes)  # a pinned patch


async def test_the_wheel_in_a_fresh_venv_migrates_and_starts(tmp_path: Path) -> None:
    ruedas = tmp_path / "wheels"
    await _correr(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(ruedas), str(RAIZ)
    )
    (rueda,) = ruedas.glob("asmbot-*.whl")
    with zipfile.ZipFile(rueda) as z:
        nombres = z.namelist()
    assert not [n for n in nombres if n.startswith(("botapi_double/", "tests/", "bench/"))]
    assert "storage/migrations/versions/0001_esquema_inicial.py" in nombres

    venv = tmp_path / "venv"
    await _correr(sys.executable, "-m", "venv", str(venv))
    await _correr(str(venv / "bin" / "pip"), "install", "--quiet", str(rueda))
    python = str(venv / "bin" / "python")
    falta = await _correr(
        python,
        "-c",
        "import importlib.util as u; print(u.find_spec('botapi_double') is None)",
        cwd=tmp_path,  # not the repository, whose folders Python would find first
    )
    assert falta.strip() == "True"  # no test double in what is deployed

    datos = tmp_path / "data"
    async with BotApiDouble() as double:
        env = {
            "TELEGRAM_BOT_TOKEN": double.token,
            "TELEGRAM_API_URL": double.api_url,
            "TELEGRAM_FILE_URL": double.file_url,
            "ASMBOT_DATA_DIR": str(datos),
        }
        asmbot = str(venv / "bin" / "asmbot")
        mejora = await _correr(asmbot, "db", "upgrade", env=env, cwd=tmp_path)
        assert mejora.startswith("Base de datos al día")
        bot = Asmbot(
            await asyncio.create_subprocess_exec(
                asmbot,
                "run",
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        )
        try:
            await bot.esperar_linea("bot en marcha (polling)", timeout=60)
            ana = double.user(first_name="Ana")
            await ana.send("/start")
            assert ana.last.text == textos.NO_REGISTRADO
        finally:
            assert await bot.terminar() == 0, bot.texto
    assert (datos / "asmbot.db").is_file()
    assert "Traceback" not in bot.texto


async def _correr(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    proceso = await asyncio.create_subprocess_exec(
        *args,
        env=None if env is None else {"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    salida, _ = await asyncio.wait_for(proceso.communicate(), 600)
    texto = salida.decode()
    assert proceso.returncode == 0, texto
    return texto
