"""A monthly round to 1,000 enlaces through the Bot API double with Telegram's limits on.

Prints messages per second against the 30/s limit (target: at least 90 % of it), the 429
answers received, and duplicates and losses (target: 0 and 0) — for a clean round and for one
whose sender is killed with SIGKILL half-way and started again.

    .venv/bin/python -m bench.fanout [--enlaces 1000]

The sender runs in its own process (the real application's outbox sender, as in production);
the double runs here, so it outlives the kill and counts what each person received.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.servicios import salida
from bot.servicios.salida import Mensaje
from botapi_double import BotApiDouble
from storage import migrate
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.models import Dependencia, Usuario, utcnow

LIMITE = 30.0
PRIMER_ID = 500_000


@dataclass
class Resultado:
    escenario: str
    mensajes: int
    segundos: float
    too_many: int
    duplicados: int
    perdidos: int

    @property
    def por_segundo(self) -> float:
        return self.mensajes / self.segundos if self.segundos else 0.0


def preparar(url: str, n: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as s:
        dep = Dependencia(nombre="Secretaría de Prueba", siglas="SP")
        s.add(dep)
        s.flush()
        s.add_all(
            Usuario(
                telegram_id=PRIMER_ID + i, nombre=f"Enlace {i}", rol="enlace", dependencia_id=dep.id
            )
            for i in range(n)
        )
        s.flush()
        ids = s.query(Usuario.id, Usuario.telegram_id).all()
        ahora = utcnow()
        salida.encolar(
            s,
            [
                Mensaje(
                    clave=f"mensual_inicio:u{uid}:2026-11",
                    tipo="mensual_inicio",
                    chat_id=tid,
                    usuario_id=uid,
                    texto="Recuerde informar el avance de noviembre de 2026 de sus ASM.",
                    botones=[[("Informar avance", "av1:ini")]],
                    solo_en_horario=False,
                )
                for uid, tid in ids
            ],
            ahora,
        )
    engine.dispose()


def lanzar(url: str, double: BotApiDouble, desfase: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": double.token,
        "TELEGRAM_API_URL": double.api_url,
        "TELEGRAM_FILE_URL": double.file_url,
        "ASMBOT_DATA_DIR": tempfile.mkdtemp(),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bench.fanout", "--trabajador", "--desfase", str(desfase)], env=env
    )


async def escenario(nombre: str, n: int, matar_en: int | None) -> Resultado:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'fanout.db'}"
        preparar(url, n)
        async with BotApiDouble(rate_limits=True) as double:
            usuarios = [double.user(PRIMER_ID + i) for i in range(n)]
            for u in usuarios:
                u.talked = True  # each enlace wrote to the bot when registering
            proceso = lanzar(url, double, 0)
            primero = ultimo = 0.0
            muerto = False
            while True:
                await asyncio.sleep(0.02)
                enviados = double.stats.sent_messages
                if enviados and not primero:
                    primero = time.monotonic()
                if matar_en is not None and not muerto and enviados >= matar_en:
                    os.kill(proceso.pid, signal.SIGKILL)
                    proceso.wait()
                    muerto = True
                    # Started again later: claims of the dead process expire after 2 minutes.
                    proceso = lanzar(url, double, 180)
                recibidos = sum(1 for u in usuarios if u.messages)
                if recibidos == n and not ultimo:
                    ultimo = time.monotonic()
                if proceso.poll() is not None and (matar_en is None or muerto):
                    break
            proceso.wait()
            conteos = [len(u.messages) for u in usuarios]
            return Resultado(
                nombre,
                sum(conteos),
                (ultimo or time.monotonic()) - primero,
                double.stats.too_many_requests,
                sum(c - 1 for c in conteos if c > 1),
                sum(1 for c in conteos if c == 0),
            )


async def trabajador(desfase: int) -> None:
    """The real sender: builds the application and delivers the outbox until it is empty."""
    from bot.app import construir_aplicacion
    from bot.config import load_settings
    from bot.entorno import abrir_entorno
    from scheduler.repartidor import Repartidor

    entorno = abrir_entorno(load_settings())
    entorno.reloj = lambda: utcnow() + timedelta(seconds=desfase)
    app = construir_aplicacion(entorno, con_trabajos=False)
    await app.initialize()
    repartidor: Repartidor = app.bot_data["repartidor"]
    while await repartidor.repartir():
        pass
    await app.shutdown()
    entorno.cerrar()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--enlaces", type=int, default=1000)
    p.add_argument("--trabajador", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--desfase", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.trabajador:
        asyncio.run(trabajador(args.desfase))
        return
    resultados = [
        asyncio.run(escenario("ronda completa", args.enlaces, None)),
        asyncio.run(escenario("SIGKILL a la mitad y reinicio", args.enlaces, args.enlaces // 2)),
    ]
    print(f"Ronda mensual a {args.enlaces} enlaces por el doble de la Bot API, límites activos")
    print(
        f"{'escenario':<32}{'mensajes':>9}{'s':>8}{'msj/s':>8}{'% de 30/s':>10}{'429':>6}{'dup.':>6}{'perd.':>6}"
    )
    for r in resultados:
        print(
            f"{r.escenario:<32}{r.mensajes:>9}{r.segundos:>8.1f}{r.por_segundo:>8.1f}"
            f"{100 * r.por_segundo / LIMITE:>9.0f}%{r.too_many:>6}{r.duplicados:>6}{r.perdidos:>6}"
        )
    print("objetivo: ≥ 90 % de 30/s, 0 duplicados y 0 perdidos")


if __name__ == "__main__":
    main()
