"""People (bot.servicios.usuarios): deactivation and registration by invitation only."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.servicios import usuarios
from bot.servicios.rechazos import BotonVencido
from bot.servicios.usuarios import NoASiMismo, NoEsActivo, persona_activa
from storage.models import Auditoria, Dependencia
from tests.ayudas import AHORA_SERVICIOS as AHORA
from tests.ayudas import persona


def test_deactivation_keeps_the_person_and_never_the_actor(s: Session) -> None:
    coord = persona(s, 2, Rol.COORDINADOR)
    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    with pytest.raises(NoASiMismo):
        usuarios.desactivar(s, coord, coord.id)
    assert usuarios.desactivar(s, coord, dif.id) == "P1"
    with pytest.raises(NoEsActivo):
        usuarios.desactivar(s, coord, dif.id)
    assert persona_activa(s, dif.telegram_id) is None
    gente = usuarios.registrados(s)
    assert [(r.nombre, r.activo) for r in gente] == [("P1", False), ("P2", True)]
    assert usuarios.desactivables(gente, coord) == []
    fila = s.scalars(select(Auditoria).where(Auditoria.accion == "desactivar")).one()
    assert (fila.actor, fila.objeto_id) == (f"usuario:{coord.id}", dif.id)


def test_registration_by_invitation_only(s: Session) -> None:
    from bot.servicios.invitaciones import crear_invitacion
    from bot.servicios.usuarios import (
        AvisoRechazado,
        EnEspera,
        InvitacionInvalida,
        SinInvitacion,
        YaRegistrado,
        contestar_aviso,
        iniciar_registro,
    )

    dep = s.scalars(select(Dependencia).where(Dependencia.siglas == "TM")).one()
    inv = crear_invitacion(s, Rol.ENLACE, dep, "asm_bot", actor="test", ahora=AHORA)
    codigo = inv.enlace.rsplit("=", 1)[-1]
    with pytest.raises(SinInvitacion):
        iniciar_registro(s, 50, "", AHORA)
    for _ in range(3):
        with pytest.raises(InvitacionInvalida):
            iniciar_registro(s, 51, "no-existe", AHORA)
    with pytest.raises(EnEspera):  # after three wrong codes, a wait
        iniciar_registro(s, 51, codigo, AHORA)
    iniciar_registro(s, 50, codigo, AHORA)
    with pytest.raises(AvisoRechazado):
        contestar_aviso(s, 50, False, "Ana", AHORA)
    with pytest.raises(BotonVencido):  # the answer ended that registration
        contestar_aviso(s, 50, True, "Ana", AHORA)
    iniciar_registro(s, 50, codigo, AHORA)
    persona = contestar_aviso(s, 50, True, "Ana", AHORA)
    assert (persona.rol, persona.dependencia) == (Rol.ENLACE, "Tesorería Municipal")
    with pytest.raises(YaRegistrado):
        iniciar_registro(s, 50, codigo, AHORA)


def test_copies_go_to_reachable_coordinacion_and_contraloria_only(s: Session) -> None:
    from storage.models import Usuario

    coord = persona(s, 2, Rol.COORDINADOR)
    contraloria = persona(s, 3, Rol.CONTRALORIA)
    bloqueo = persona(s, 4, Rol.COORDINADOR)
    persona(s, 1, Rol.ENLACE, "SMDIF")
    s.get_one(Usuario, bloqueo.id).inalcanzable_desde = AHORA  # blocked the bot: 403 each time
    s.flush()
    assert usuarios.destinatarios_copia(s) == [
        (coord.id, coord.telegram_id),
        (contraloria.id, contraloria.telegram_id),
    ]
    # Writing to the bot again makes her reachable, and the copies come back.
    assert persona_activa(s, bloqueo.telegram_id) is not None
    assert (bloqueo.id, bloqueo.telegram_id) in usuarios.destinatarios_copia(s)
