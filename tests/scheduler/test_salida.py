"""The outbox end to end: each message once, none lost, in office hours, 403 handled."""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.dominio.vocabulario import Rol
from bot.servicios import salida
from bot.servicios.salida import Mensaje
from scheduler.repartidor import Repartidor
from scheduler.trabajos import en_horario_de
from storage.models import Salida, Usuario
from tests.arnes import Arnes


def _mensajes(usuarios: list[tuple[int, int]], tipo: str = "prueba", **kw: object) -> list[Mensaje]:
    return [
        Mensaje(clave=f"{tipo}:u{uid}:2026-11", tipo=tipo, chat_id=tid, usuario_id=uid,
                texto=f"Recordatorio <b>{tipo}</b>", **kw)  # type: ignore[arg-type]
        for uid, tid in usuarios
    ]  # fmt: skip


def _repartidor(arnes: Arnes) -> Repartidor:
    assert arnes.app is not None
    r = arnes.app.bot_data["repartidor"]
    assert isinstance(r, Repartidor)
    return r


def _usuario_id(arnes: Arnes, telegram_id: int) -> int:
    return arnes.bd(
        lambda s: s.scalars(select(Usuario.id).where(Usuario.telegram_id == telegram_id)).one()
    )


async def _registrados(arnes: Arnes, n: int) -> list[tuple[int, int]]:
    personas = []
    for i in range(n):
        u = arnes.double.user(first_name=f"Enlace{i}")
        await arnes.registrar(u, Rol.ENLACE, "SMDIF")
        personas.append((_usuario_id(arnes, u.id), u.id))
    return personas


def _estados(arnes: Arnes) -> dict[str, int]:
    consulta = select(Salida.estado, func.count()).group_by(Salida.estado)
    return arnes.bd(lambda s: {estado: n for estado, n in s.execute(consulta).all()})


async def test_each_message_is_enqueued_and_sent_once(arnes: Arnes) -> None:
    personas = await _registrados(arnes, 3)
    assert arnes.bd(lambda s: salida.encolar(s, _mensajes(personas), arnes.reloj())) == 3
    assert arnes.bd(lambda s: salida.encolar(s, _mensajes(personas), arnes.reloj())) == 0
    assert await _repartidor(arnes).repartir() == 3
    assert await _repartidor(arnes).repartir() == 0
    for _, tid in personas:
        u = arnes.double.user(tid)
        assert [m.text for m in u.messages].count("Recordatorio prueba") == 1
    assert _estados(arnes) == {"enviado": 3}


async def test_reminders_wait_for_office_hours_and_business_days(arnes: Arnes) -> None:
    personas = await _registrados(arnes, 1)
    arnes.reloj.actual = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Thursday 20:00 in Puebla
    arnes.bd(lambda s: salida.encolar(s, _mensajes(personas), arnes.reloj()))
    copia = Mensaje(
        clave="copia:x", tipo="copia", chat_id=personas[0][1], texto="Copia", solo_en_horario=False
    )
    arnes.bd(lambda s: salida.encolar(s, [copia], arnes.reloj()))
    assert await _repartidor(arnes).repartir() == 1  # the copy goes at once; the reminder waits
    arnes.reloj.actual = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)  # Saturday 11:00
    assert await _repartidor(arnes).repartir() == 0
    arnes.reloj.actual = datetime(2026, 11, 23, 14, 59, tzinfo=UTC)  # Monday 8:59
    assert await _repartidor(arnes).repartir() == 0
    arnes.reloj.actual = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 9:00
    assert await _repartidor(arnes).repartir() == 1


def test_office_hours_rule(arnes: Arnes) -> None:
    en_horario = en_horario_de(arnes.entorno)
    zona = arnes.entorno.settings.zona
    assert en_horario(datetime(2026, 11, 18, 9, 0, tzinfo=zona))
    assert not en_horario(datetime(2026, 11, 18, 18, 0, tzinfo=zona))
    assert not en_horario(datetime(2026, 11, 16, 11, 0, tzinfo=zona))  # Revolution day (3rd Monday)
    assert not en_horario(datetime(2026, 11, 2, 11, 0, tzinfo=zona))  # Día de Muertos (municipal)


async def test_blocked_enlace_is_marked_and_the_coordination_told(arnes: Arnes) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    personas = await _registrados(arnes, 2)
    arnes.double.user(personas[0][1]).block()
    arnes.bd(lambda s: salida.encolar(s, _mensajes(personas), arnes.reloj()))
    assert await _repartidor(arnes).repartir() == 2  # the other enlace's and the notice
    assert _estados(arnes) == {"enviado": 2, "inalcanzable": 1}
    bloqueado = arnes.bd(
        lambda s: s.scalars(select(Usuario).where(Usuario.id == personas[0][0])).one()
    )
    assert bloqueado.inalcanzable_desde is not None
    assert coord.last.text == (
        "⚠️ Enlace0 (Enlace SEDEM de Sistema Municipal DIF) bloqueó el bot y ya no recibe "
        "recordatorios. Pídale que lo desbloquee en Telegram y escriba /start."
    )
    # A second message to the blocked person does not tell the coordination again.
    arnes.bd(lambda s: salida.encolar(s, _mensajes(personas[:1], "otro"), arnes.reloj()))
    await _repartidor(arnes).repartir()
    assert [m.text for m in coord.messages].count(coord.last.text) == 1


async def test_who_unblocks_the_bot_and_writes_gets_reminders_again(arnes: Arnes) -> None:
    """The coordination's notice says «que lo desbloquee y escriba /start»: that must be true."""
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    (persona,) = await _registrados(arnes, 1)
    ana = arnes.double.user(persona[1])
    ana.block()
    arnes.bd(lambda s: salida.encolar(s, _mensajes([persona]), arnes.reloj()))
    await _repartidor(arnes).repartir()
    assert "bloqueó el bot" in coord.last.text

    ana.unblock()
    await ana.send("/start")
    inalcanzable = arnes.bd(
        lambda s: s.scalars(
            select(Usuario.inalcanzable_desde).where(Usuario.id == persona[0])
        ).one()
    )
    assert inalcanzable is None
    # The next reminders reach her; blocking again is noticed again.
    arnes.bd(lambda s: salida.encolar(s, _mensajes([persona], "otro"), arnes.reloj()))
    await _repartidor(arnes).repartir()
    assert ana.last.text == "Recordatorio otro"
    ana.block()
    arnes.reloj.avanzar(days=1)
    arnes.bd(lambda s: salida.encolar(s, _mensajes([persona], "tercero"), arnes.reloj()))
    await _repartidor(arnes).repartir()
    assert [m.text for m in coord.messages].count(coord.last.text) == 2


async def test_a_crash_after_claiming_resends_later_and_two_senders_never_duplicate(
    arnes: Arnes,
) -> None:
    personas = await _registrados(arnes, 4)
    arnes.bd(lambda s: salida.encolar(s, _mensajes(personas), arnes.reloj()))
    # A sender claimed the first message and died before sending it.
    primero = arnes.bd(lambda s: s.scalars(select(Salida.id).order_by(Salida.id)).first())
    assert primero is not None
    assert arnes.bd(lambda s: salida.reclamar(s, primero, arnes.reloj())) is not None
    # Two senders (two instances of the bot) at once.
    assert arnes.app is not None
    otro = Repartidor(arnes.app.bot, arnes.entorno, en_horario_de(arnes.entorno))
    enviados = await asyncio.gather(_repartidor(arnes).repartir(), otro.repartir())
    assert sum(enviados) == 3
    # The dead claim expires by the database's clock, not by this server's.
    arnes.reloj.avanzar(minutes=3)
    assert await otro.repartir() == 0
    _envejecer_reclamos(arnes)
    assert await otro.repartir() == 1
    for _, tid in personas:
        assert [m.text for m in arnes.double.user(tid).messages].count("Recordatorio prueba") == 1


async def test_unknown_chat_ends_the_message_not_retried_forever(arnes: Arnes) -> None:
    arnes.bd(
        lambda s: salida.encolar(
            s, [Mensaje(clave="x:1", tipo="x", chat_id=999999, texto="hola")], arnes.reloj()
        )
    )
    assert await _repartidor(arnes).repartir() == 0
    fila = arnes.bd(lambda s: s.scalars(select(Salida)).one())
    assert (fila.estado, fila.error) == ("inalcanzable", "Chat not found")


def _envejecer_reclamos(arnes: Arnes) -> None:
    """As if the database's clock had moved on (claims expire by it)."""
    viejo = datetime.now(UTC) - timedelta(minutes=3)
    arnes.bd(
        lambda s: s.execute(
            update(Salida).where(Salida.reclamado_en.is_not(None)).values(reclamado_en=viejo)
        )
    )


async def test_an_outage_longer_than_any_give_up_loses_nothing_and_keeps_the_order(
    arnes: Arnes,
) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    personas = await _registrados(arnes, 2)
    r = _repartidor(arnes)
    arnes.double.outage_status = 502
    # The long poll is spared: after an outage PTB retries it with a back-off of up to 30 s of
    # real time, which would only slow this test of the outbox down.
    arnes.double.outage_spares = frozenset({"getupdates"})
    textos = [f"Copia {i}" for i in range(6)]
    copias = [
        Mensaje(clave=f"copia:{i}:{tid}", tipo="copia", chat_id=tid, usuario_id=uid,
                texto=t, solo_en_horario=False)
        for i, t in enumerate(textos) for uid, tid in personas
    ]  # fmt: skip
    arnes.bd(lambda s: salida.encolar(s, copias, arnes.reloj()))
    # Four days of outage, far longer than the old give-up after five attempts.
    for _ in range(12):
        await r.repartir()
        arnes.reloj.avanzar(hours=8)
        r._sondeado = -1e9  # the probe's own pacing is on real time
    estados = _estados(arnes)
    assert estados == {"pendiente": len(copias)}, estados
    esperas = arnes.bd(lambda s: salida.esperando(s))
    assert sum(e.mensajes for e in esperas) == 2  # only the first of each chat was tried
    # Back-off grows, capped: the latest wait is hours, not minutes and not days.
    fila = arnes.bd(lambda s: s.scalars(select(Salida).where(Salida.intentos > 0)).first())
    assert fila is not None and fila.intentos > 5
    assert salida.espera(fila.intentos) == salida.ESPERA_MAXIMA
    arnes.double.outage_status = None  # Telegram is back: everything goes, in order
    await coord.send("/recordatorios")
    assert "<b>En espera de reenvío</b>\n• 2 copia: Bad Gateway." in coord.last.html, (
        coord.last.html
    )
    arnes.reloj.avanzar(seconds=1)
    r._sondeado = -1e9
    assert await r.repartir() == len(copias)
    for _, tid in personas:
        recibidos = [m.text for m in arnes.double.user(tid).messages if m.text.startswith("Copia")]
        assert recibidos == textos
    assert _estados(arnes) == {"enviado": len(copias)}


async def test_permanent_refusals_end_the_message_and_tell_the_coordination(
    arnes: Arnes,
) -> None:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    personas = await _registrados(arnes, 1)
    mal = Mensaje(clave="x:mal", tipo="x", chat_id=personas[0][1], usuario_id=personas[0][0],
                  texto="<b>sin cerrar", solo_en_horario=False)  # fmt: skip
    arnes.bd(lambda s: salida.encolar(s, [mal], arnes.reloj()))
    await _repartidor(arnes).repartir()
    assert (
        arnes.bd(lambda s: s.scalars(select(Salida.estado).where(Salida.clave == "x:mal")).one())
        == "fallido"
    )
    assert "Telegram rechazó un mensaje para Enlace0" in coord.last.text


async def test_a_telegram_slower_than_the_timeout_duplicates_a_message_once_at_most(
    arnes: Arnes,
) -> None:
    personas = await _registrados(arnes, 3)
    assert arnes.app is not None
    peticion = arnes.app.bot.request  # what sends messages (not the long poll)
    peticion.lectura = 0.3  # the client gives up on an answer after 0.3 s
    arnes.double.delay = 0.6  # Telegram delivers, then answers after the client gave up
    arnes.bd(lambda s: salida.encolar(s, _mensajes(personas), arnes.reloj()))
    r = _repartidor(arnes)
    for _ in range(4):
        await r.repartir()
        await asyncio.sleep(0.8)  # the double finishes what it was doing
        arnes.reloj.avanzar(hours=3)
    for _, tid in personas:
        recibidos = [m.text for m in arnes.double.user(tid).messages]
        assert 1 <= recibidos.count("Recordatorio prueba") <= 2, recibidos
    assert _estados(arnes) == {"sin_confirmar": 3}
