"""The searches of /asm, /valorar and /invitar (and `asmbot invitar`): what is searched is read
here, the matching is bot.dominio.busqueda's."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from bot.dominio import busqueda
from bot.dominio.busqueda import FichaAsm
from bot.servicios.catalogo import Catalogo
from bot.servicios.permisos import dependencia_visible, sin_nada_que_ver
from bot.servicios.usuarios import Dep, Persona, dependencias
from storage.models import Asm, AsmResponsable, AsmVersion, Dependencia, Programa


@dataclass(frozen=True)
class Candidato:
    asm_id: int
    numero: int
    clave: str
    texto: str  # the ASM's text in effect


def _fichas(
    session: Session, hoy: date, dependencia_id: int | None
) -> tuple[list[FichaAsm], dict[int, str]]:
    """Each ASM (only the dependencia's, if given) as it is found, with its text in effect,
    ordered by Pp clave and Núm."""
    version = (
        select(
            AsmVersion.asm_id,
            AsmVersion.texto,
            func.row_number()
            .over(
                partition_by=AsmVersion.asm_id,
                order_by=(AsmVersion.vigente_desde.desc(), AsmVersion.id.desc()),
            )
            .label("n"),
        )
        .where(AsmVersion.vigente_desde <= hoy)
        .subquery()
    )
    consulta = (
        select(Asm.id, Asm.numero, Programa.clave, Programa.nombre, version.c.texto)
        .join(Programa, Programa.id == Asm.programa_id)
        .join(version, and_(version.c.asm_id == Asm.id, version.c.n == 1))
        .order_by(Programa.clave, Asm.numero)
    )
    responsables = select(AsmResponsable.asm_id, Dependencia.nombre, Dependencia.siglas).join(
        Dependencia, Dependencia.id == AsmResponsable.dependencia_id
    )
    if dependencia_id is not None:
        suyos = select(AsmResponsable.asm_id).where(AsmResponsable.dependencia_id == dependencia_id)
        consulta = consulta.where(Asm.id.in_(suyos))
        responsables = responsables.where(AsmResponsable.asm_id.in_(suyos))
    deps: dict[int, list[str]] = defaultdict(list)
    for asm_id, nombre, siglas in session.execute(responsables):
        deps[asm_id] += [nombre, siglas or ""]
    resultado, textos = [], {}
    for asm_id, numero, clave, programa, texto in session.execute(consulta):
        resultado.append(FichaAsm(asm_id, numero, clave, (texto, programa, *deps[asm_id])))
        textos[asm_id] = texto
    return resultado, textos


def buscar_asm(session: Session, persona: Persona, texto: str, hoy: date) -> list[Candidato]:
    """The ASM this person may see that match what they typed (bot.dominio.busqueda.buscar_asm):
    IMPLAN and the Contraloría search every ASM, an enlace its dependencia's."""
    if sin_nada_que_ver(persona):
        return []
    todas, textos = _fichas(session, hoy, dependencia_visible(persona))
    return [
        Candidato(f.asm_id, f.numero, f.clave, textos[f.asm_id])
        for f in busqueda.buscar_asm(todas, texto)
    ]


def buscar_dependencia(session: Session, texto: str) -> list[Dep]:
    """The dependencias that what was typed names: the catalogue's own match first (siglas,
    the whole name, initials), then those whose name has every word («Bienestar»)."""
    exacta = Catalogo(session).buscar(texto)
    if exacta is not None:
        return [Dep(exacta.id, exacta.nombre, exacta.siglas)]
    return busqueda.buscar_dependencias(dependencias(session), texto)
