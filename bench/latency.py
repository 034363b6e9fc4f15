"""Latency under load: 200 simulated enlaces doing /avance steps while a coordinador asks for
the consolidated Anexo A of 10,000 ASM.

Prints the p50 and p95 time from a person's action to the bot's answer, without and with the
Anexo A being generated, measured in the same run (target: p95 grows by at most 50 %).

    .venv/bin/python -m bench.latency [--enlaces 200] [--asm 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.app import construir_aplicacion
from bot.config import load_settings
from bot.entorno import abrir_entorno
from botapi_double import BotApiDouble, SimUser
from storage import migrate
from storage.db import make_engine
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Avance,
    Dependencia,
    Programa,
    Usuario,
)

AHORA = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)
DEPENDENCIAS = 20
PROGRAMAS = 40


def sembrar(url: str, n_asm: int, n_enlaces: int) -> None:
    """Bulk rows, fast: 10,000 ASM with a version, a responsable and three months of avance."""
    migrate.upgrade(url)
    engine = make_engine(url)
    rnd = random.Random(7)
    with engine.begin() as c:
        c.execute(
            insert(Dependencia),
            [
                {
                    "id": i + 1,
                    "nombre": f"Dependencia {i + 1}",
                    "siglas": f"D{i + 1}",
                    "tipo": "dependencia",
                    "creado_en": AHORA,
                }
                for i in range(DEPENDENCIAS)
            ],
        )
        c.execute(
            insert(Programa),
            [
                {"id": i + 1, "clave": f"E{i + 1:03d}", "nombre": f"Programa {i + 1}", "tipo": "pp"}
                for i in range(PROGRAMAS)
            ],
        )
        c.execute(
            insert(Asm),
            [
                {
                    "id": i + 1,
                    "programa_id": i % PROGRAMAS + 1,
                    "numero": i // PROGRAMAS + 1,
                    "creado_en": AHORA,
                }
                for i in range(n_asm)
            ],
        )
        c.execute(
            insert(AsmResponsable),
            [{"asm_id": i + 1, "dependencia_id": i % DEPENDENCIAS + 1} for i in range(n_asm)],
        )
        c.execute(insert(AsmVersion), [
            {"asm_id": i + 1, "vigente_desde": date(2026, 1, 15), "texto": "Actualizar el diagnóstico del programa con datos por colonia " * 3,
             "clasificacion": "especifico", "claridad": True, "relevancia": True, "justificacion": True, "factibilidad": True,
             "area_responsable": f"Dependencia {i % DEPENDENCIAS + 1} / Dirección de Planeación",
             "actividades": "1. Mesa de trabajo. 2. Documento. 3. Validación. 4. Publicación. " * 3,
             "fecha_termino": date(2027, rnd.randint(1, 12), 15), "resultados_esperados": "Información confiable " * 4,
             "productos_evidencias": "Documento, minuta y lista de asistencia " * 2, "observaciones": "",
             "estado_plan": "aprobado", "registrado_en": AHORA, "origen": "bench"}
            for i in range(n_asm)
        ])  # fmt: skip
        c.execute(insert(Avance), [
            {"asm_id": i + 1, "periodo": date(2026, m, 1), "porcentaje": 10 * (m - 7), "observaciones": "", "origen": "bench", "registrado_en": AHORA}
            for i in range(n_asm) for m in (8, 9, 10)
        ])  # fmt: skip
        c.execute(insert(Usuario), [
            {"telegram_id": 700_000 + i, "nombre": f"Enlace {i}", "rol": "enlace", "dependencia_id": i % DEPENDENCIAS + 1, "activo": True, "registrado_en": AHORA}
            for i in range(n_enlaces)
        ] + [{"telegram_id": 699_999, "nombre": "Coordinación", "rol": "coordinador", "dependencia_id": None, "activo": True, "registrado_en": AHORA}])  # fmt: skip
    engine.dispose()


async def _paso(usuario: SimUser, accion: object) -> float:
    """Seconds from the person's action to the bot's next new message in that chat."""
    ultimo = usuario.messages[-1].message_id if usuario.messages else 0
    inicio = time.perf_counter()
    await accion  # type: ignore[misc]
    await usuario.wait_until(lambda m: m.message_id > ultimo, timeout=300)
    return time.perf_counter() - inicio


async def _lista(usuario: SimUser) -> int:
    """/avance opens the first ASM due this month: «Ver todos» gives the list to pick from."""
    hecho = await usuario.send("/avance")
    if "Ver todos" in usuario.last.labels():
        hecho = await usuario.press("Ver todos")
    return hecho


async def enlace(
    usuario: SimUser, hasta: float, tiempos: list[float], rnd: random.Random, arranque: float
) -> None:
    await asyncio.sleep(arranque)  # people do not all start in the same second
    while time.perf_counter() < hasta:
        pasos: list[Callable[[], Awaitable[int]]] = [
            lambda: _lista(usuario),
            lambda: usuario.press(usuario.last.labels()[rnd.randrange(8)]),
            lambda: usuario.send(str(rnd.randint(40, 90))),
            lambda: usuario.press("Omitir"),
            lambda: usuario.press("Sin evidencia"),
            lambda: usuario.press("Cancelar"),
        ]
        for i, paso in enumerate(pasos):
            if i == len(pasos) - 1:
                await paso()  # «Cancelar» only edits the summary
                break
            tiempos.append(await _paso(usuario, paso()))
            # A person reads, thinks and taps: 10 to 30 s a step keeps 200 people under
            # Telegram's 30 messages per second (each step costs the bot about 2), so the
            # figures show the bot, not the flood limit.
            await asyncio.sleep(rnd.uniform(10.0, 30.0))


async def coordinador(usuario: SimUser, hasta: float, generados: list[float]) -> None:
    while time.perf_counter() < hasta:
        inicio = time.perf_counter()
        await usuario.send("/anexo")
        lista = await usuario.wait_until(lambda m: "Consolidado" in m.labels(), timeout=60)
        await usuario.press("Consolidado", lista)
        trimestres = await usuario.wait_until(
            lambda m: "en curso" in " ".join(m.labels()), timeout=60
        )
        await usuario.press(trimestres.labels()[0], trimestres)  # the current quarter
        await usuario.wait_until(lambda m: m.document is not None, timeout=300)
        generados.append(time.perf_counter() - inicio)
        usuario.messages.clear()


def percentil(valores: list[float], p: float) -> float:
    return statistics.quantiles(valores, n=100)[int(p) - 1] if len(valores) > 1 else float("nan")


async def medir(n_enlaces: int, n_asm: int, segundos: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'latencia.db'}"
        t0 = time.perf_counter()
        sembrar(url, n_asm, n_enlaces)
        print(
            f"Base de prueba: {n_asm} ASM, {n_enlaces} enlaces ({time.perf_counter() - t0:.1f} s)"
        )
        async with BotApiDouble() as double:

            async def sin_espera(_update_id: int) -> None:
                return None  # the bench waits for the answer itself

            double.wait_processed = sin_espera
            settings = load_settings(
                {"TELEGRAM_BOT_TOKEN": double.token, "TELEGRAM_API_URL": double.api_url,
                 "TELEGRAM_FILE_URL": double.file_url, "DATABASE_URL": url, "ASMBOT_DATA_DIR": tmp},
                env_file=Path(tmp) / "no.env",
            )  # fmt: skip
            entorno = abrir_entorno(settings)
            entorno.reloj = lambda: AHORA
            app = construir_aplicacion(entorno, con_trabajos=False)
            await app.initialize()
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0, timeout=1)
            enlaces = [double.user(700_000 + i) for i in range(n_enlaces)]
            coord = double.user(699_999)
            for u in (*enlaces, coord):
                u.talked = True
            resultados: dict[str, list[float]] = {}
            generados: list[float] = []
            for fase, con_anexo in (("sin Anexo A", False), ("con Anexo A", True)):
                tiempos: list[float] = []
                hasta = time.perf_counter() + segundos
                tareas = [
                    enlace(u, hasta, tiempos, random.Random(f"{fase}{i}"), i * 20.0 / n_enlaces)
                    for i, u in enumerate(enlaces)
                ]
                if con_anexo:
                    tareas.append(coordinador(coord, hasta, generados))
                await asyncio.gather(*tareas)
                resultados[fase] = tiempos
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
            entorno.cerrar()
    print(f"{n_enlaces} enlaces haciendo /avance durante {segundos:.0f} s por fase")
    print(f"{'fase':<14}{'pasos':>7}{'p50 (ms)':>10}{'p95 (ms)':>10}")
    for fase, tiempos in resultados.items():
        print(
            f"{fase:<14}{len(tiempos):>7}{1000 * percentil(tiempos, 50):>10.0f}{1000 * percentil(tiempos, 95):>10.0f}"
        )
    if generados:
        print(
            f"Anexo A consolidado de {n_asm} ASM: {len(generados)} generado(s), {statistics.mean(generados):.1f} s en promedio"
        )
    base, carga = (percentil(resultados[f], 95) for f in ("sin Anexo A", "con Anexo A"))
    print(f"p95 crece {100 * (carga / base - 1):+.0f} % (objetivo: a lo más +50 %)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--enlaces", type=int, default=200)
    p.add_argument("--asm", type=int, default=10_000)
    p.add_argument("--segundos", type=float, default=60.0)
    a = p.parse_args()
    asyncio.run(medir(a.enlaces, a.asm, a.segundos))


if __name__ == "__main__":
    main()
