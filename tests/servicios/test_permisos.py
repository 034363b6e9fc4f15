"""Who may see and do what (bot.servicios.permisos), on a plain session: no Telegram."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.servicios.permisos import (
    AccesoDenegado,
    autorizar_asm,
    exigir_coordinador,
    programa_permitido,
    programas_visibles,
    puede_ver_asm,
)
from bot.servicios.rechazos import BotonVencido
from storage.models import Auditoria, Programa
from tests.ayudas import asm_de, negados, persona


def test_an_enlace_reaches_only_its_dependencias_asm_and_refusals_are_audited(s: Session) -> None:
    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    coord = persona(s, 2, Rol.COORDINADOR)
    a1, a3 = asm_de(s, 1), asm_de(s, 3)  # 1 is the SMDIF's, 3 the Tesorería's
    autorizar_asm(s, dif, a1, "avance")
    with pytest.raises(AccesoDenegado):
        autorizar_asm(s, dif, a3, "avance")
    with pytest.raises(AccesoDenegado):  # IMPLAN does not report progress
        autorizar_asm(s, coord, a1, "avance")
    assert puede_ver_asm(s, coord, a3) and puede_ver_asm(s, dif, a1)
    assert not puede_ver_asm(s, dif, a3)
    assert negados(s) == [("asm", a3, "avance"), ("asm", a1, "avance"), ("asm", a3, "historial")]


def test_programs_an_enlace_may_see_and_a_forged_one(s: Session) -> None:
    dif = persona(s, 1, Rol.ENLACE, "SMDIF")
    sin_dep = persona(s, 3, Rol.ENLACE)
    contraloria = persona(s, 4, Rol.CONTRALORIA)
    otro = Programa(clave="F001", nombre="Fondo sin ASM")
    s.add(otro)
    s.flush()
    e003 = s.scalars(select(Programa.id).where(Programa.clave == "E003")).one()
    assert [p.clave for p in programas_visibles(s, dif)] == ["E003"]
    assert programas_visibles(s, sin_dep) == []  # never everything
    assert [p.clave for p in programas_visibles(s, contraloria)] == ["E003"]
    assert programa_permitido(s, dif, e003).clave == "E003"
    with pytest.raises(AccesoDenegado):  # exists, with no ASM of the SMDIF: forged
        programa_permitido(s, dif, otro.id)
    with pytest.raises(BotonVencido):  # not offered to IMPLAN either: just stale
        programa_permitido(s, contraloria, otro.id)
    assert negados(s) == [("programa", otro.id, "anexo")]


def test_only_coordinadores_administer_and_a_forged_press_is_audited(s: Session) -> None:
    exigir_coordinador(s, persona(s, 2, Rol.COORDINADOR), "us1:ie")
    enlace = persona(s, 1, Rol.ENLACE, "SMDIF")
    with pytest.raises(AccesoDenegado):
        exigir_coordinador(s, enlace)  # a command: nothing to audit
    with pytest.raises(AccesoDenegado):
        exigir_coordinador(s, enlace, "us1:dok:7")
    auditados = s.scalars(select(Auditoria).where(Auditoria.accion == "acceso_denegado")).all()
    assert [(a.objeto, a.detalle["dato"]) for a in auditados] == [("boton", "us1:dok:7")]
