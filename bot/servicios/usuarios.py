"""The people: registration with an invitation (and its policy), the list of who is registered,
and deactivation. Who may do what is in bot.servicios.permisos."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, delete, select, update
from sqlalchemy.orm import Session

from bot.dominio.texto import limpiar
from bot.dominio.vocabulario import Rol
from bot.servicios import auditoria, borradores
from bot.servicios.borradores import BorradorRegistro
from bot.servicios.invitaciones import hash_codigo
from bot.servicios.rechazos import BotonVencido, Rechazado
from storage.models import Dependencia, IntentoRegistro, Invitacion, Usuario

# Wrong codes: three are free within the window; after that each one doubles the wait.
VENTANA_INTENTOS = timedelta(minutes=30)
INTENTOS_LIBRES = 3
ESPERA_MAXIMA = timedelta(minutes=30)


class InvitacionInvalida(Rechazado):
    """`motivo` is «desconocida», «usada» or «vencida»; `vence` says when an expired one did."""

    def __init__(self, motivo: str, vence: datetime | None = None) -> None:
        super().__init__(motivo)
        self.motivo = motivo
        self.vence = vence


@dataclass(frozen=True)
class Persona:
    """A registered, active person as the handlers see them (no ORM object leaves a session)."""

    id: int
    telegram_id: int
    nombre: str
    rol: Rol
    dependencia_id: int | None
    dependencia: str | None

    @property
    def es_enlace(self) -> bool:
        return self.rol is Rol.ENLACE


def _persona(u: Usuario) -> Persona:
    return Persona(
        id=u.id,
        telegram_id=u.telegram_id,
        nombre=u.nombre,
        rol=Rol(u.rol),
        dependencia_id=u.dependencia_id,
        dependencia=u.dependencia.nombre if u.dependencia else None,
    )


def buscar_usuario(session: Session, telegram_id: int) -> Usuario | None:
    return session.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id))


# Read on every update: the columns of a Persona in one query, not the ORM object and then
# its dependencia.
_PERSONA_ACTIVA = (
    select(
        Usuario.id,
        Usuario.telegram_id,
        Usuario.nombre,
        Usuario.rol,
        Usuario.dependencia_id,
        Dependencia.nombre.label("dependencia"),
        Usuario.inalcanzable_desde,
    )
    .outerjoin(Dependencia, Dependencia.id == Usuario.dependencia_id)
    .where(Usuario.telegram_id == bindparam("telegram_id"), Usuario.activo)
)


def quien_escribe(session: Session, telegram_id: int) -> tuple[Persona | None, bool]:
    """The person behind an update, if registered and active, and whether the outbox had marked
    them unreachable (`volvio_a_escribir` undoes it). Only reads."""
    r = session.execute(_PERSONA_ACTIVA, {"telegram_id": telegram_id}).first()
    if r is None:
        return None, False
    persona = Persona(
        id=r.id,
        telegram_id=r.telegram_id,
        nombre=r.nombre,
        rol=Rol(r.rol),
        dependencia_id=r.dependencia_id,
        dependencia=r.dependencia,
    )
    return persona, r.inalcanzable_desde is not None


def volvio_a_escribir(session: Session, usuario_id: int) -> None:
    """They wrote to the bot, so Telegram delivers to them again (nobody can write to a bot they
    blocked): reminders and copies resume."""
    session.execute(update(Usuario).where(Usuario.id == usuario_id).values(inalcanzable_desde=None))


def persona_activa(session: Session, telegram_id: int) -> Persona | None:
    """The person behind an update, if registered and active; reachable again if they were
    marked unreachable (`quien_escribe`, then `volvio_a_escribir`)."""
    persona, inalcanzable = quien_escribe(session, telegram_id)
    if persona is not None and inalcanzable:
        volvio_a_escribir(session, persona.id)
    return persona


def espera_por_intentos(fallidos: int) -> timedelta:
    """How long one account must wait after `fallidos` wrong codes within the window."""
    if fallidos < INTENTOS_LIBRES:
        return timedelta(0)
    minutos: int = 2 ** (fallidos - INTENTOS_LIBRES)
    return min(timedelta(minutes=minutos), ESPERA_MAXIMA)


def espera_registro(session: Session, telegram_id: int, ahora: datetime) -> timedelta:
    """What remains of this account's wait before it may try another code (zero if none)."""
    recientes = session.scalars(
        select(IntentoRegistro.cuando)
        .where(
            IntentoRegistro.telegram_id == telegram_id,
            IntentoRegistro.cuando > ahora - VENTANA_INTENTOS,
        )
        .order_by(IntentoRegistro.cuando.desc())
    ).all()
    if not recientes:
        return timedelta(0)
    restante = recientes[0] + espera_por_intentos(len(recientes)) - ahora
    return max(restante, timedelta(0))


def verificar_invitacion(session: Session, codigo: str, ahora: datetime) -> Invitacion:
    return verificar_invitacion_por_hash(session, hash_codigo(codigo), ahora)


def verificar_invitacion_por_hash(
    session: Session, codigo_hash: str, ahora: datetime
) -> Invitacion:
    """The same, from the code's hash: what a conversation keeps while the person reads the
    aviso, so the code itself is never written anywhere."""
    inv = session.scalar(select(Invitacion).where(Invitacion.codigo_hash == codigo_hash))
    if inv is None:
        raise InvitacionInvalida("desconocida")
    if inv.usada_en is not None:
        raise InvitacionInvalida("usada")
    if inv.expira_en <= ahora:
        raise InvitacionInvalida("vencida", inv.expira_en)
    return inv


def registrar_intento_fallido(session: Session, telegram_id: int, ahora: datetime) -> None:
    session.add(IntentoRegistro(telegram_id=telegram_id, cuando=ahora))
    # Old attempts are of no use; keep the table small.
    session.execute(
        delete(IntentoRegistro).where(IntentoRegistro.cuando < ahora - 2 * VENTANA_INTENTOS)
    )


def canjear_invitacion(
    session: Session, codigo: str, telegram_id: int, nombre: str, ahora: datetime
) -> Persona:
    return canjear_invitacion_por_hash(session, hash_codigo(codigo), telegram_id, nombre, ahora)


def canjear_invitacion_por_hash(
    session: Session, codigo_hash: str, telegram_id: int, nombre: str, ahora: datetime
) -> Persona:
    """Binds the Telegram account to the invitation's role and dependencia, once.

    The invitation is marked used with a conditional UPDATE, so two accounts racing with the same
    code cannot both win.
    """
    inv = verificar_invitacion_por_hash(session, codigo_hash, ahora)
    nombre = " ".join(limpiar(nombre).split())
    usado = session.execute(
        update(Invitacion)
        .where(Invitacion.id == inv.id, Invitacion.usada_en.is_(None))
        .values(usada_en=ahora)
    )
    if usado.rowcount != 1:  # type: ignore[attr-defined]
        raise InvitacionInvalida("usada")
    usuario = buscar_usuario(session, telegram_id)
    if usuario is None:
        usuario = Usuario(telegram_id=telegram_id, nombre=nombre, rol=inv.rol)
        session.add(usuario)
    # A deactivated person invited again comes back with the new role.
    usuario.nombre, usuario.rol, usuario.activo = nombre, inv.rol, True
    usuario.dependencia_id = inv.dependencia_id
    usuario.aviso_aceptado_en = ahora
    session.flush()
    inv.usada_por_id = usuario.id
    session.refresh(usuario)
    auditoria.registrar(
        session, f"usuario:{usuario.id}", "registro", "usuario", usuario.id,
        rol=inv.rol, dependencia_id=inv.dependencia_id, invitacion_id=inv.id,
    )  # fmt: skip
    return _persona(usuario)


def alcanzable() -> ColumnElement[bool]:
    """Whom the bot writes to unasked: active people that Telegram still delivers to.

    The outbox marks a person unreachable when Telegram refuses their chat for good (they
    blocked the bot, or the chat is gone); writing to the bot again undoes it (`persona_activa`).
    """
    return and_(Usuario.activo.is_(True), Usuario.inalcanzable_desde.is_(None))


def destinatarios_copia(session: Session) -> list[tuple[int, int]]:
    """(usuario id, Telegram id) of active coordinadores and Contraloría: they get a copy of
    each delivery of progress (Art. 13). Not those who blocked the bot (Telegram would refuse
    each copy) until they write to it again (`persona_activa`)."""
    filas = session.execute(
        select(Usuario.id, Usuario.telegram_id)
        .where(alcanzable(), Usuario.rol.in_([Rol.COORDINADOR.value, Rol.CONTRALORIA.value]))
        .order_by(Usuario.id)
    ).all()
    return [(uid, tid) for uid, tid in filas]


def nombre_dependencia(session: Session, dependencia_id: int | None) -> str | None:
    if dependencia_id is None:
        return None
    dep = session.get(Dependencia, dependencia_id)
    return dep.nombre if dep else None


# --- The registration policy -------------------------------------------------------------


class YaRegistrado(Rechazado):
    def __init__(self, persona: Persona) -> None:
        super().__init__("ya registrado")
        self.persona = persona


class SinInvitacion(Rechazado):
    """/start without a code: registration is by invitation only."""


class EnEspera(Rechazado):
    """Too many wrong codes lately; `minutos` to wait."""

    def __init__(self, minutos: int) -> None:
        super().__init__(f"espere {minutos} min")
        self.minutos = minutos


class AvisoRechazado(Rechazado):
    """The person did not accept the aviso de privacidad: nothing is kept."""


def iniciar_registro(session: Session, telegram_id: int, codigo: str, ahora: datetime) -> Rol:
    """/start with an invitation code: checks it and keeps it (in the person's draft, theirs
    alone, as its hash) until the aviso de privacidad is answered. Returns the role it invites
    to: each reads its own aviso.

    YaRegistrado, SinInvitacion, EnEspera or InvitacionInvalida otherwise; only a code that never
    existed looks like guessing, so only those count towards the wait.
    """
    persona = persona_activa(session, telegram_id)
    if persona is not None:
        raise YaRegistrado(persona)
    if not codigo:
        raise SinInvitacion("sin código")
    espera = espera_registro(session, telegram_id, ahora)
    if espera.total_seconds() > 0:
        raise EnEspera(math.ceil(espera.total_seconds() / 60))
    try:
        inv = verificar_invitacion(session, codigo, ahora)
    except InvitacionInvalida as e:
        if e.motivo == "desconocida":
            registrar_intento_fallido(session, telegram_id, ahora)
        raise
    borrador = BorradorRegistro(codigo_hash=hash_codigo(codigo))
    borradores.guardar_borrador(session, telegram_id, borrador)
    return Rol(inv.rol)


def contestar_aviso(
    session: Session, telegram_id: int, acepta: bool, nombre: str, ahora: datetime
) -> Persona:
    """The answer to the aviso de privacidad: accepting redeems the kept code.

    BotonVencido when no registration is pending, AvisoRechazado when not accepted,
    InvitacionInvalida when the code was used or withdrawn meanwhile. The draft goes either way.
    """
    borrador = borradores.leer_borrador(session, telegram_id)
    if not isinstance(borrador, BorradorRegistro):
        raise BotonVencido()
    borradores.borrar(session, telegram_id)
    if not acepta:
        raise AvisoRechazado("aviso rechazado")
    codigo_hash = borrador.codigo_hash or hash_codigo(borrador.codigo)
    return canjear_invitacion_por_hash(session, codigo_hash, telegram_id, nombre, ahora)


# --- Who is registered, and deactivation ----------------------------------------------------


@dataclass(frozen=True)
class Registrado:
    id: int
    nombre: str
    rol: Rol
    dependencia: str | None
    siglas: str | None
    activo: bool
    desde: datetime  # accepting the notice is the moment of (re-)registration
    sin_recibir_desde: datetime | None  # since when Telegram refuses to deliver to them


def registrados(session: Session) -> list[Registrado]:
    gente = []
    for u in session.scalars(select(Usuario).order_by(Usuario.nombre, Usuario.id)):
        dep = u.dependencia
        gente.append(
            Registrado(
                id=u.id,
                nombre=u.nombre,
                rol=Rol(u.rol),
                dependencia=dep.nombre if dep else None,
                siglas=dep.siglas if dep else None,
                activo=u.activo,
                desde=u.aviso_aceptado_en or u.registrado_en,
                sin_recibir_desde=u.inalcanzable_desde,
            )
        )
    return gente


def desactivables(gente: Sequence[Registrado], actor: Persona) -> list[Registrado]:
    """Whom the actor may deactivate: the active ones, never themselves."""
    return [r for r in gente if r.activo and r.id != actor.id]


class NoASiMismo(Rechazado):
    """Nobody deactivates themselves: the coordination is never locked out by mistake."""


class NoEsActivo(Rechazado):
    """The person is not registered or already deactivated."""


def desactivar(session: Session, actor: Persona, usuario_id: int) -> str:
    """Deactivates a person (nothing is deleted: persona_activa refuses them from the next
    update on) and writes it in the audit log; returns their name. Only a coordinador may:
    check it first (bot.servicios.permisos.exigir_coordinador)."""
    if usuario_id == actor.id:
        raise NoASiMismo("no a sí mismo")
    u = session.get(Usuario, usuario_id)
    if u is None or not u.activo:
        raise NoEsActivo("no está activo")
    u.activo = False
    auditoria.registrar(
        session, f"usuario:{actor.id}", "desactivar", "usuario", u.id,
        rol=u.rol, dependencia_id=u.dependencia_id,
    )  # fmt: skip
    return u.nombre


@dataclass(frozen=True)
class Dep:
    id: int
    nombre: str
    siglas: str | None


def dependencias(session: Session) -> list[Dep]:
    return [
        Dep(d.id, d.nombre, d.siglas)
        for d in session.scalars(select(Dependencia).order_by(Dependencia.nombre))
    ]
