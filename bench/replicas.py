"""Two replicas in webhook mode on one PostgreSQL, one of them SIGKILLed half-way.

The Bot API double plays Telegram and a load balancer: it sends each update to the next replica
in turn, one at a time per chat, and sends it again (to the other) when a replica does not
answer. 200 enlaces (starting over a minute) report their monthly avance (with a burst of four quick messages each, whose
answers must come back in order) while a 1,000-message round drains the outbox. When half the
round is sent, the leader replica is SIGKILLed and started again.

Prints duplicates, losses and per-chat order violations (target 0, 0, 0) and the p95 of the
replies before and after the kill.

    .venv/bin/python -m bench.replicas [--pg postgresql://postgres@127.0.0.1:5432/test]

Each run uses a schema of its own on that server (dropped afterwards). A message claimed by the
killed leader is sent by the other once its claim expires (2 minutes), so a run takes ~3 min.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from bot.config import _with_driver
from bot.servicios import registro, salida
from bot.servicios.salida import Mensaje
from botapi_double import BotApiDouble, SimUser
from storage import migrate
from storage.db import make_engine, make_sessionmaker, unit_of_work
from storage.models import Asm, AsmResponsable, Avance, Dependencia, Programa, Usuario, utcnow
from tests.pg_propio import puerto_libre

ENLACES_ID = 700_000
RONDA_ID = 800_000
SECRETO = "secreto-del-banco-de-pruebas-0123456789"
PALABRAS = ("uno", "dos", "tres", "cuatro")


def preparar(url: str, enlaces: int, ronda: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as s:
        prog = Programa(clave="E900", nombre="Programa de prueba")
        s.add(prog)
        s.flush()
        for i in range(enlaces):
            dep = Dependencia(nombre=f"Dependencia {i:03d}", siglas=f"D{i:03d}")
            s.add(dep)
            s.flush()
            asm = Asm(programa_id=prog.id, numero=i + 1)
            s.add(asm)
            s.flush()
            s.add(AsmResponsable(asm_id=asm.id, dependencia_id=dep.id))
            registro.nueva_version(
                s, asm, date(2026, 1, 15), "bench", origen="bench",
                texto=f"Aspecto de mejora {i}", clasificacion="especifico",
                area_responsable=dep.nombre, actividades="Mesas de trabajo",
                fecha_termino=date(2027, 6, 30),
            )  # fmt: skip
            s.add(
                Usuario(
                    telegram_id=ENLACES_ID + i,
                    nombre=f"Enlace {i}",
                    rol="enlace",
                    dependencia_id=dep.id,
                    aviso_aceptado_en=utcnow(),
                )
            )
        otra = Dependencia(nombre="Dependencia de la ronda", siglas="RONDA")
        s.add(otra)
        s.flush()
        s.add_all(
            Usuario(telegram_id=RONDA_ID + i, nombre=f"R {i}", rol="enlace", dependencia_id=otra.id)
            for i in range(ronda)
        )
        s.flush()
        ids = s.execute(
            select(Usuario.id, Usuario.telegram_id).where(Usuario.telegram_id >= RONDA_ID)
        ).all()
        salida.encolar(
            s,
            [
                Mensaje(
                    clave=f"bench:u{uid}",
                    tipo="mensual_inicio",
                    chat_id=tid,
                    usuario_id=uid,
                    texto="Recuerde informar el avance del mes de sus ASM.",
                    solo_en_horario=False,
                )
                for uid, tid in ids
            ],
            utcnow(),
        )
    engine.dispose()


def lanzar(
    url: str, double: BotApiDouble, puerto: int, salud: int, datos: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": double.token,
        "TELEGRAM_API_URL": double.api_url,
        "TELEGRAM_FILE_URL": double.file_url,
        "ASMBOT_DATA_DIR": str(datos),  # the shared volume of both replicas
        "ASMBOT_WEBHOOK_URL": "http://127.0.0.1:9/telegram",  # the balancer's; the double balances
        "ASMBOT_WEBHOOK_SECRET": SECRETO,
        "ASMBOT_WEBHOOK_ESCUCHA": f"127.0.0.1:{puerto}",
        "ASMBOT_SALUD_ESCUCHA": f"127.0.0.1:{salud}",
        "ASMBOT_LOG_LEVEL": "WARNING",
    }
    asmbot = str(Path(sys.executable).parent / "asmbot")
    return subprocess.Popen([asmbot, "run"], env=env, stdout=subprocess.DEVNULL)


class Enlace:
    def __init__(self, usuario: SimUser) -> None:
        self.u = usuario
        self.latencias: list[tuple[float, float]] = []  # (when, seconds)
        self.fuera_de_orden = 0
        self.error: str | None = None
        self.detalle = ""  # the failure with the chat's transcript (--trazas)
        self.rafaga = 0.0
        self.repetidas = 0

    async def paso(self, accion: object) -> None:
        inicio = time.monotonic()
        await accion  # type: ignore[misc]
        self.latencias.append((inicio, time.monotonic() - inicio))

    async def informar(self, retraso: float) -> None:
        await asyncio.sleep(retraso)  # people report through the morning, not all in one second
        u = self.u
        try:
            await self.paso(u.send("/avance"))
            if "Ver todos" in u.last.labels():  # /avance opened the first ASM due this month
                await self.paso(u.press("Ver todos"))
            await self.paso(u.press("Núm."))
            antes = len(u.messages)
            inicio = time.monotonic()
            await asyncio.gather(*(u.send(p) for p in PALABRAS))  # four quick messages
            # Paced by Telegram's limit of about one message a second per chat: not a reply time.
            self.rafaga = time.monotonic() - inicio
            # Each answer quotes its message: «uno» no es un porcentaje… In order, once each;
            # an update a killed replica handled but never acknowledged is answered again.
            citadas = [
                m.text[1 : m.text.index("»")]
                for m in u.messages[antes:]
                if m.text.startswith("«") and "»" in m.text
            ]
            sin_repetir = [c for i, c in enumerate(citadas) if i == 0 or citadas[i - 1] != c]
            if sin_repetir != list(PALABRAS):
                self.fuera_de_orden += 1
            self.repetidas += len(citadas) - len(sin_repetir)
            await self.paso(u.send("55"))
            await self.paso(u.press("Omitir"))
            await self.paso(u.press("Sin evidencia"))
            await self.paso(u.press("Confirmar"))
        except (AssertionError, TimeoutError) as e:
            self.error = (str(e).splitlines() or [type(e).__name__])[0]
            self.detalle = f"{e}\n{u.transcript()}"


async def correr(
    url: str, enlaces: int, ronda: int, escalonar: float, trazas: Path | None = None
) -> None:
    # A replica killed mid-request makes aiohttp log the reset connection: expected here.
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)
    preparar(url, enlaces, ronda)
    datos = Path(tempfile.mkdtemp(prefix="asmbot-replicas-"))
    puertos = [puerto_libre(), puerto_libre()]
    salud = [puerto_libre(), puerto_libre()]
    async with BotApiDouble() as double:
        double.balance = [f"http://127.0.0.1:{p}" for p in puertos]
        destinatarios = [double.user(RONDA_ID + i) for i in range(ronda)]
        for d in destinatarios:
            d.talked = True
        personas = [Enlace(double.user(ENLACES_ID + i, first_name=f"E{i}")) for i in range(enlaces)]
        for p in personas:
            p.u.talked = True

        def recibidos() -> int:
            return sum(1 for d in destinatarios if d.messages)

        replicas = [lanzar(url, double, p, h, datos) for p, h in zip(puertos, salud, strict=True)]
        try:
            while not double.webhook_url:
                await asyncio.sleep(0.1)
            await asyncio.sleep(2)  # both replicas listening
            inicio = time.monotonic()
            informes = asyncio.gather(
                *(p.informar(escalonar * i / len(personas)) for i, p in enumerate(personas))
            )
            while recibidos() < ronda // 2:
                await asyncio.sleep(0.05)
            lider = await asyncio.to_thread(_lider, salud)
            victima = 0 if lider is None else lider
            os.kill(replicas[victima].pid, signal.SIGKILL)
            replicas[victima].wait()
            momento_kill = time.monotonic()
            await asyncio.sleep(2)
            replicas[victima] = lanzar(url, double, puertos[victima], salud[victima], datos)
            await informes
            limite = time.monotonic() + 200
            while recibidos() < ronda and time.monotonic() < limite:
                await asyncio.sleep(0.2)
            duracion = time.monotonic() - inicio
            await asyncio.sleep(2)  # anything sent twice arrives now
        finally:
            for r in replicas:
                if r.poll() is None:
                    r.send_signal(signal.SIGTERM)
            for r in replicas:
                try:
                    r.wait(20)
                except subprocess.TimeoutExpired:
                    r.kill()
                    r.wait()

    engine = create_engine(url)
    with engine.connect() as conn:
        por_usuario = Counter(
            dict(
                conn.execute(
                    select(Usuario.telegram_id, func.count())
                    .join(Avance, Avance.usuario_id == Usuario.id)
                    .where(Avance.origen == "bot")
                    .group_by(Usuario.telegram_id)
                ).all()
            )
        )
        # A step handled twice on a moved-on conversation stores what was not meant («55» as
        # the observations): every report here is 55 % without observations.
        alterados = conn.execute(
            select(func.count())
            .select_from(Avance)
            .where(Avance.origen == "bot", (Avance.porcentaje != 55) | (Avance.observaciones != ""))
        ).scalar_one()
    engine.dispose()
    conteos = [len(d.messages) for d in destinatarios]
    informes_ok = [por_usuario.get(ENLACES_ID + i, 0) for i in range(enlaces)]
    antes = [s for p in personas for t, s in p.latencias if t < momento_kill]
    despues = [s for p in personas for t, s in p.latencias if t >= momento_kill]
    errores = [p.error for p in personas if p.error]

    print(
        f"Dos réplicas en modo webhook, una PostgreSQL; {enlaces} enlaces informan mientras una "
        f"ronda de {ronda} mensajes se reparte; SIGKILL a la réplica "
        f"{'líder' if lider is not None else '1'} a la mitad de la ronda, y reinicio"
    )
    print(f"{'':<34}{'dup.':>6}{'perd.':>7}{'desorden':>10}")
    print(
        f"{'ronda (mensajes)':<34}{sum(c - 1 for c in conteos if c > 1):>6}"
        f"{sum(1 for c in conteos if c == 0):>7}{'—':>10}"
    )
    print(
        f"{'informes de avance (enlaces)':<34}{sum(c - 1 for c in informes_ok if c > 1):>6}"
        f"{sum(1 for c in informes_ok if c == 0):>7}{sum(p.fuera_de_orden for p in personas):>10}"
    )
    print(
        f"respuestas p95: antes del SIGKILL {_p95(antes):.2f} s ({len(antes)} pasos), después "
        f"{_p95(despues):.2f} s ({len(despues)} pasos); ráfaga de 4 mensajes (1/s por chat), "
        f"mediana {statistics.median(p.rafaga for p in personas):.1f} s"
    )
    print(
        f"entregas por webhook: {double.stats.webhook_deliveries}, reintentos tras un fallo: "
        f"{double.stats.webhook_failures}; duración {duracion:.0f} s"
    )
    print(
        "respuestas repetidas (actualización atendida por la réplica muerta y enviada otra vez): "
        f"{sum(p.repetidas for p in personas)}"
    )
    print(f"informes con otro contenido que el escrito (55 %, sin observaciones): {alterados}")
    if errores:
        print(f"{len(errores)} enlace(s) no terminaron; el primero: {errores[0]}")
        if trazas is not None:
            trazas.write_text("\n\n".join(p.detalle for p in personas if p.error))
            print(f"sus conversaciones: {trazas}")
    print("objetivo: 0 duplicados, 0 perdidos, 0 fuera de orden")


def _lider(salud: list[int]) -> int | None:
    """Which replica holds the leader lock, as its /healthz says."""
    for i, puerto in enumerate(salud):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{puerto}/healthz", timeout=5) as r:
                if json.loads(r.read()).get("lider"):
                    return i
        except OSError:
            continue
    return None


def _p95(valores: list[float]) -> float:
    if len(valores) < 2:
        return valores[0] if valores else 0.0
    return statistics.quantiles(valores, n=20)[-1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--enlaces", type=int, default=200)
    p.add_argument("--ronda", type=int, default=1000)
    p.add_argument(
        "--escalonar", type=float, default=60.0, help="segundos en que empiezan los enlaces"
    )
    p.add_argument("--trazas", type=Path, help="archivo para las conversaciones que fallaron")
    args = p.parse_args()
    base = _with_driver(args.pg)
    esquema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{esquema}"'))
    sep = "&" if "?" in base else "?"
    try:
        asyncio.run(
            correr(
                f"{base}{sep}options=-csearch_path%3D{esquema}",
                args.enlaces,
                args.ronda,
                args.escalonar,
                args.trazas,
            )
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{esquema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
