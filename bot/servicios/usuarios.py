"""Who may do what: registration with an invitation, and the checks every action repeats.

The server never trusts what a button says: each action looks the person up again and checks
their role and dependencia against the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from bot.dominio.texto import limpiar
from bot.dominio.vocabulario import Rol
from bot.servicios import auditoria
from bot.servicios.invitaciones import hash_codigo
from storage.models import AsmResponsable, Dependencia, IntentoRegistro, Invitacion, Usuario

# Wrong codes: three are free within the window; after that each one doubles the wait.
VENTANA_INTENTOS = timedelta(minutes=30)
INTENTOS_LIBRES = 3
ESPERA_MAXIMA = timedelta(minutes=30)


class InvitacionInvalida(Exception):
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


def persona_activa(session: Session, telegram_id: int) -> Persona | None:
    u = buscar_usuario(session, telegram_id)
    return _persona(u) if u is not None and u.activo else None


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


def destinatarios_copia(session: Session) -> list[tuple[int, int]]:
    """(usuario id, Telegram id) of active coordinadores and Contraloría: they get a copy of
    each delivery of progress (Art. 13)."""
    filas = session.execute(
        select(Usuario.id, Usuario.telegram_id)
        .where(Usuario.activo, Usuario.rol.in_([Rol.COORDINADOR.value, Rol.CONTRALORIA.value]))
        .order_by(Usuario.id)
    ).all()
    return [(uid, tid) for uid, tid in filas]


def asm_de_su_dependencia(session: Session, persona: Persona, asm_id: int) -> bool:
    """True when the person is an enlace whose dependencia answers for the ASM."""
    if not persona.es_enlace or persona.dependencia_id is None:
        return False
    return bool(
        session.scalar(
            select(func.count())
            .select_from(AsmResponsable)
            .where(
                AsmResponsable.asm_id == asm_id,
                AsmResponsable.dependencia_id == persona.dependencia_id,
            )
        )
    )


def nombre_dependencia(session: Session, dependencia_id: int | None) -> str | None:
    if dependencia_id is None:
        return None
    dep = session.get(Dependencia, dependencia_id)
    return dep.nombre if dep else None
