"""A monthly round to 1,000 enlaces through the Bot API double with Telegram's limits on.

Prints messages per second against the 30/s limit (target: at least 90 % of it), the 429
answers received, and duplicates and losses (target: 0 and 0) — for a clean round, for one
whose sender is killed with SIGKILL half-way and started again, for one during which Telegram
is slower than the client's timeout for a while (it delivers, then answers too late: the
promise is at most one duplicate per message caught in that window, none lost), and for one
during which Telegram answers 502 for a while (an outage: nothing lost, nothing twice).

    .venv/bin/python -m bench.fanout [--enlaces 1000] [--enlaces-fallas 200]

In the last two the sender's clock runs 120 times faster, so back-offs of minutes pass in
seconds; claims still expire by the database's clock, as in production.

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
from typing import Any

from sqlalchemy import func, select, update

from bot.servicios import salida
from bot.servicios.salida import Mensaje
from botapi_double import BotApiDouble
from storage import migrate
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.models import Dependencia, Salida, Usuario, utcnow

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
    sin_confirmar: int = 0
    maximo: int = 1  # most copies one person received

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


def envejecer_reclamos(url: str) -> None:
    """As if the sender were started again two minutes later: its dead claims have expired."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            update(Salida)
            .where(Salida.estado == "enviando")
            .values(reclamado_en=utcnow() - timedelta(minutes=3))
        )
    engine.dispose()


def contar(url: str, estado: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).where(Salida.estado == estado)) or 0
    engine.dispose()
    return int(n)


def lanzar(
    url: str, double: BotApiDouble, desfase: int, *, acelerar: float = 1.0, lectura: float = 5.0
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": double.token,
        "TELEGRAM_API_URL": double.api_url,
        "TELEGRAM_FILE_URL": double.file_url,
        "ASMBOT_DATA_DIR": tempfile.mkdtemp(),
    }
    orden = [sys.executable, "-m", "bench.fanout", "--trabajador", "--desfase", str(desfase)]
    orden += ["--acelerar", str(acelerar), "--lectura", str(lectura)]
    return subprocess.Popen(orden, env=env)


async def escenario(
    nombre: str,
    n: int,
    matar_en: int | None,
    *,
    lento: float = 0.0,
    caida: float = 0.0,
) -> Resultado:
    """`lento`: for that many seconds Telegram answers after 2 s, the client waits 1 s.
    `caida`: for that many seconds Telegram answers 502."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'fanout.db'}"
        preparar(url, n)
        async with BotApiDouble(rate_limits=True) as double:
            usuarios = [double.user(PRIMER_ID + i) for i in range(n)]
            for u in usuarios:
                u.talked = True  # each enlace wrote to the bot when registering
            fallas = lento or caida
            inicio = time.monotonic()
            desde: float | None = None  # the fault starts once the round is under way
            if fallas:
                proceso = lanzar(url, double, 0, acelerar=120, lectura=1.0)
            else:
                proceso = lanzar(url, double, 0)
            primero = ultimo = 0.0
            muerto = False
            while True:
                await asyncio.sleep(0.02)
                if fallas and desde is None and double.stats.sent_messages >= 10:
                    desde = time.monotonic()
                    double.delay = 2.0 if lento else 0.0
                    double.outage_status = 502 if caida else None
                if desde is not None and time.monotonic() - desde > fallas:
                    double.delay, double.outage_status = 0.0, None
                enviados = double.stats.sent_messages
                if enviados and not primero:
                    primero = time.monotonic()
                if matar_en is not None and not muerto and enviados >= matar_en:
                    os.kill(proceso.pid, signal.SIGKILL)
                    proceso.wait()
                    muerto = True
                    # Started again later: claims of the dead process expire after 2 minutes
                    # by the database's clock.
                    envejecer_reclamos(url)
                    proceso = lanzar(url, double, 0)
                recibidos = sum(1 for u in usuarios if u.messages)
                if recibidos == n and not ultimo:
                    ultimo = time.monotonic()
                if fallas and not primero:
                    primero = inicio
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
                contar(url, "sin_confirmar"),
                max(conteos, default=0),
            )


async def trabajador(desfase: int, acelerar: float, lectura: float) -> None:
    """The real sender: builds the application and delivers the outbox until nothing is left
    to send (a message waiting for a retry is something left)."""
    from bot.app import construir_aplicacion
    from bot.config import load_settings
    from bot.entorno import abrir_entorno
    from scheduler.repartidor import Repartidor

    entorno = abrir_entorno(load_settings())
    arranque = utcnow()
    entorno.reloj = lambda: arranque + (utcnow() - arranque) * acelerar + timedelta(seconds=desfase)
    app = construir_aplicacion(entorno, con_trabajos=False)
    peticion: Any = app.bot.request
    peticion.lectura = lectura  # how long the client waits for an answer
    await app.initialize()
    repartidor: Repartidor = app.bot_data["repartidor"]
    while True:
        await repartidor.repartir()
        with entorno.sesiones() as s:
            quedan = s.scalar(
                select(func.count()).where(Salida.estado.in_(["pendiente", "enviando"]))
            )
        if not quedan:
            break
        repartidor._sondeado = -1e9  # the probe's pacing is on real time; the clock is fast
        await asyncio.sleep(0.2)
    await app.shutdown()
    entorno.cerrar()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--enlaces", type=int, default=1000)
    p.add_argument("--trabajador", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--enlaces-fallas", type=int, default=200)
    p.add_argument("--desfase", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--acelerar", type=float, default=1.0, help=argparse.SUPPRESS)
    p.add_argument("--lectura", type=float, default=5.0, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.trabajador:
        asyncio.run(trabajador(args.desfase, args.acelerar, args.lectura))
        return
    m = args.enlaces_fallas
    resultados = [
        asyncio.run(escenario("ronda completa", args.enlaces, None)),
        asyncio.run(escenario("SIGKILL a la mitad y reinicio", args.enlaces, args.enlaces // 2)),
        asyncio.run(escenario("Telegram lento (> timeout) 5 s", m, None, lento=5.0)),
        asyncio.run(escenario("Telegram con 502 por 10 s", m, None, caida=10.0)),
    ]
    print(f"Ronda mensual a {args.enlaces} enlaces por el doble de la Bot API, límites activos")
    print(
        f"{'escenario':<32}{'mensajes':>9}{'s':>8}{'msj/s':>8}{'% de 30/s':>10}{'429':>6}"
        f"{'dup.':>6}{'perd.':>6}{'sin conf.':>10}{'máx/pers.':>10}"
    )
    for r in resultados:
        print(
            f"{r.escenario:<32}{r.mensajes:>9}{r.segundos:>8.1f}{r.por_segundo:>8.1f}"
            f"{100 * r.por_segundo / LIMITE:>9.0f}%{r.too_many:>6}{r.duplicados:>6}{r.perdidos:>6}"
            f"{r.sin_confirmar:>10}{r.maximo:>10}"
        )
    print(
        "objetivo: ≥ 90 % de 30/s en la ronda limpia; 0 perdidos en todas; duplicados solo por "
        "mensajes en vuelo al morir el proceso o atrapados con Telegram lento, a lo más 1 por "
        "mensaje (máx/pers. ≤ 2)"
    )


if __name__ == "__main__":
    main()
