"""Invitations: how a person gets a role. Single-use, expiring, and stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.servicios import auditoria
from bot.servicios.rechazos import BotonVencido
from storage.models import Dependencia, Invitacion, utcnow

VIGENCIA_PREDETERMINADA = timedelta(days=7)


@dataclass(frozen=True)
class InvitacionCreada:
    codigo: str  # shown once; only its hash is kept
    enlace: str
    expira_en: datetime


def hash_codigo(codigo: str) -> str:
    return hashlib.sha256(codigo.encode()).hexdigest()


def deep_link(bot_username: str, codigo: str) -> str:
    return f"https://t.me/{bot_username}?start={codigo}"


def crear_invitacion(
    session: Session,
    rol: Rol,
    dependencia: Dependencia | None,
    bot_username: str,
    *,
    actor: str = "cli",
    vigencia: timedelta = VIGENCIA_PREDETERMINADA,
    ahora: datetime | None = None,
) -> InvitacionCreada:
    """An enlace belongs to one dependencia; coordinadores and the Contraloría to none."""
    if rol is Rol.ENLACE and dependencia is None:
        raise ValueError("Una invitación de enlace necesita la dependencia (--dependencia SIGLAS).")
    # 32 URL-safe characters (192 bits): guessing is hopeless, and it fits Telegram's 64-char
    # limit for the /start parameter.
    codigo = secrets.token_urlsafe(24)
    expira = (ahora or utcnow()) + vigencia
    inv = Invitacion(
        codigo_hash=hash_codigo(codigo),
        rol=rol.value,
        dependencia_id=dependencia.id if dependencia else None,
        expira_en=expira,
        creada_por=actor,
    )
    session.add(inv)
    session.flush()
    auditoria.registrar(
        session, actor, "crear", "invitacion", inv.id,
        rol=rol.value, dependencia_id=inv.dependencia_id,
    )  # fmt: skip
    return InvitacionCreada(codigo, deep_link(bot_username, codigo), expira)


def invitar(
    session: Session, rol: Rol, dependencia_id: int | None, bot_username: str, *, actor: str,
    ahora: datetime,
) -> tuple[InvitacionCreada, str | None]:  # fmt: skip
    """An invitation made in the chat: the role, for an enlace the dependencia of a button
    (BotonVencido when it no longer exists). Returns it with the dependencia's name."""
    dep = None
    if rol is Rol.ENLACE:
        dep = session.get(Dependencia, dependencia_id) if dependencia_id is not None else None
        if dep is None:
            raise BotonVencido()
    # crear_invitacion writes the audit row, with this coordinador as the actor.
    inv = crear_invitacion(session, rol, dep, bot_username, actor=actor, ahora=ahora)
    return inv, dep.nombre if dep else None
