"""The oficio of Art. 13: a dependencia's confirmed deliveries of one month, as a PDF the system
issues, numbers and can later recognize.

- A delivery is an avance confirmed in the bot (it has a folio); per ASM the oficio shows the
  month's last one, the % reported before the month, and the evidence attached to the month's
  avances. Their sha256 are the recorded ones, which the audit export checks against the files.
- Asking again for a month whose deliveries did not change returns the oficio already issued
  (same number and code); a correction issues a new one with the next number.
- Verification: the issued file's sha256 is recorded, and its code is in the file (printed, in
  the QR and in the PDF's keywords), so an edited copy is recognized as such. Files sent by
  anyone are read (with pypdf, only to find that code) in the worker process.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.anexo_a.oficio_pdf import (
    MARCA,
    AsmOficio,
    DatosOficio,
    Emision,
    EvidenciaOficio,
    escribir_oficio,
)
from bot.dominio.periodos import primer_dia_del_mes
from bot.dominio.vocabulario import TipoEvaluacion
from bot.servicios import auditoria, salida
from bot.servicios.usuarios import destinatarios_copia
from storage.models import (
    Asm,
    AsmResponsable,
    AsmVersion,
    Avance,
    Dependencia,
    Evaluacion,
    Evidencia,
    Oficio,
    Programa,
    Usuario,
)

CARGO = "Enlace SEDEM"
_ALFABETO = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by people
_CODIGO = re.compile(rf"[{_ALFABETO}]{{4}}-[{_ALFABETO}]{{4}}-[{_ALFABETO}]{{4}}")
_EN_ARCHIVO = re.compile(re.escape(MARCA).encode() + rb"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")
_EN_TEXTO = re.compile(re.escape(MARCA) + r"([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})")
_NO_VA_EN_NOMBRE = re.compile(r"[^A-Za-z0-9._-]+")
_TIPOS = {
    TipoEvaluacion.INTERNA.value: "Evaluación interna",
    TipoEvaluacion.EXTERNA.value: "Evaluación externa",
    TipoEvaluacion.SEGUIMIENTO.value: "Informe de seguimiento y monitoreo",
}


class SinEntregas(Exception):
    """The dependencia confirmed no delivery in that month: there is no oficio to make."""


@dataclass(frozen=True)
class ConfigOficio:
    """What the settings say about oficios, as plain values (it travels to the worker)."""

    municipio: str
    instituto: str
    prefijo: str
    lugar: str
    bot: str
    data_dir: str
    zona: str


@dataclass(frozen=True)
class OficioEmitido:
    id: int
    numero: str
    codigo: str
    dependencia: str
    mes: date
    asm: int
    emitido_en: datetime
    ruta: str  # relative to the data directory
    contenido: bytes
    nuevo: bool  # False: the deliveries had not changed, this is the oficio issued before

    @property
    def nombre_archivo(self) -> str:
        return Path(self.ruta).name


class Resultado(StrEnum):
    AUTENTICO = "autentico"  # the very file the system issued
    MODIFICADO = "modificado"  # it carries a code we issued, but its bytes differ
    REGISTRADO = "registrado"  # a typed code we issued (the file was not seen)
    DESCONOCIDO = "desconocido"


@dataclass(frozen=True)
class Verificacion:
    resultado: Resultado
    numero: str | None = None
    codigo: str | None = None
    dependencia: str | None = None
    mes: date | None = None
    emitido_en: datetime | None = None
    sha256: str | None = None  # of the issued file
    reemplazado_por: str | None = None  # a later oficio of the same month


# --- What the oficio says -----------------------------------------------------------------


def meses_con_entregas(session: Session, dependencia_id: int, limite: int = 6) -> list[date]:
    """The latest months in which the dependencia confirmed deliveries, newest first."""
    return list(
        session.scalars(
            select(Avance.periodo)
            .where(Avance.asm_id.in_(_asm_de(dependencia_id)), Avance.folio.is_not(None))
            .group_by(Avance.periodo)
            .order_by(Avance.periodo.desc())
            .limit(limite)
        )
    )


def datos_del_mes(
    session: Session, dependencia_id: int, mes: date, municipio: str, instituto: str
) -> DatosOficio:
    mes = primer_dia_del_mes(mes)
    dep = session.get(Dependencia, dependencia_id)
    if dep is None:
        raise SinEntregas("Esa dependencia no está registrada.")
    avances = session.scalars(
        select(Avance)
        .where(
            Avance.asm_id.in_(_asm_de(dependencia_id)),
            Avance.periodo == mes,
            Avance.folio.is_not(None),
        )
        .order_by(Avance.id)
    ).all()
    if not avances:
        raise SinEntregas(f"{dep.nombre} no confirmó entregas de avance en ese mes.")
    del_asm: dict[int, list[Avance]] = {}
    for a in avances:
        del_asm.setdefault(a.asm_id, []).append(a)
    asms = {a.id: a for a in session.scalars(select(Asm).where(Asm.id.in_(del_asm)))}
    filas = []
    for asm_id, suyos in del_asm.items():
        asm = asms[asm_id]
        ultimo = suyos[-1]
        version = session.scalars(
            select(AsmVersion)
            .where(AsmVersion.asm_id == asm_id)
            .order_by(AsmVersion.vigente_desde.desc(), AsmVersion.id.desc())
            .limit(1)
        ).one()
        anterior = session.scalars(
            select(Avance.porcentaje)
            .where(Avance.asm_id == asm_id, Avance.periodo < mes)
            .order_by(Avance.periodo.desc(), Avance.id.desc())
            .limit(1)
        ).first()
        evidencias = session.scalars(
            select(Evidencia)
            .where(Evidencia.avance_id.in_([a.id for a in suyos]))
            .order_by(Evidencia.id)
        ).all()
        programa = session.get(Programa, asm.programa_id)
        evaluacion = session.get(Evaluacion, asm.evaluacion_id) if asm.evaluacion_id else None
        filas.append(
            AsmOficio(
                programa=f"{programa.clave} {programa.nombre}".strip() if programa else "",
                evaluacion=describir_evaluacion(evaluacion),
                numero=asm.numero,
                texto=version.texto,
                porcentaje=ultimo.porcentaje,
                anterior=anterior,
                observaciones=ultimo.observaciones,
                folio=ultimo.folio or "",
                evidencias=[
                    EvidenciaOficio(e.nombre_original, e.tipo_detectado, e.tamano, e.sha256)
                    for e in evidencias
                ],
            )
        )
    filas.sort(key=lambda f: (f.programa, f.evaluacion, f.numero))
    enlace = session.get(Usuario, avances[-1].usuario_id) if avances[-1].usuario_id else None
    return DatosOficio(
        municipio=municipio,
        instituto=instituto,
        dependencia=dep.nombre,
        mes=mes,
        asm=filas,
        enlace=enlace.nombre if enlace else CARGO,
        cargo=CARGO,
    )


def describir_evaluacion(ev: Evaluacion | None) -> str:
    """«Evaluación interna · ejercicio evaluado 2025»."""
    if ev is None:
        return "Sin evaluación registrada"
    texto = _TIPOS.get(ev.tipo, f"Evaluación {ev.tipo}".strip())
    return f"{texto} · ejercicio evaluado {ev.ejercicio_evaluado}"


def _asm_de(dependencia_id: int) -> Select[int]:
    return select(AsmResponsable.asm_id).where(AsmResponsable.dependencia_id == dependencia_id)


# --- Issuing --------------------------------------------------------------------------------


def emitir(
    session: Session,
    dependencia_id: int,
    mes: date,
    cfg: ConfigOficio,
    ahora: datetime,
    actor: str,
    usuario_id: int | None = None,
) -> OficioEmitido:
    """The oficio of the month: the one already issued if the deliveries did not change."""
    datos = datos_del_mes(session, dependencia_id, mes, cfg.municipio, cfg.instituto)
    huella = hashlib.sha256(
        json.dumps(asdict(datos), default=str, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    dep = session.get(Dependencia, dependencia_id)
    assert dep is not None  # datos_del_mes checked it
    data_dir = Path(cfg.data_dir)
    previo = session.scalars(
        select(Oficio)
        .where(
            Oficio.dependencia_id == dependencia_id,
            Oficio.periodo == datos.mes,
            Oficio.huella == huella,
        )
        .order_by(Oficio.id.desc())
        .limit(1)
    ).first()
    if previo is not None and (data_dir / previo.ruta).is_file():
        contenido = (data_dir / previo.ruta).read_bytes()
        if hashlib.sha256(contenido).hexdigest() == previo.sha256:
            return _emitido(previo, dep.nombre, contenido, nuevo=False)

    fecha = ahora.astimezone(ZoneInfo(cfg.zona)).date()
    consecutivo = 1 + (
        session.scalar(
            select(func.max(Oficio.consecutivo)).where(
                Oficio.dependencia_id == dependencia_id, Oficio.anio == fecha.year
            )
        )
        or 0
    )
    siglas = dep.siglas or f"DEP{dep.id}"
    numero = f"{cfg.prefijo}/{siglas}/{consecutivo:03d}/{fecha.year}"
    codigo = _nuevo_codigo(session)
    contenido = escribir_oficio(datos, Emision(numero, codigo, cfg.lugar, fecha, cfg.bot))
    sha = hashlib.sha256(contenido).hexdigest()
    ruta = Path("oficios") / str(fecha.year) / f"Oficio_{_NO_VA_EN_NOMBRE.sub('-', numero)}.pdf"
    destino = data_dir / ruta
    destino.parent.mkdir(parents=True, exist_ok=True)
    temporal = destino.with_suffix(".tmp")
    temporal.write_bytes(contenido)
    temporal.replace(destino)
    oficio = Oficio(
        dependencia_id=dependencia_id,
        periodo=datos.mes,
        anio=fecha.year,
        consecutivo=consecutivo,
        numero=numero,
        codigo=codigo,
        sha256=sha,
        tamano=len(contenido),
        huella=huella,
        asm=len(datos.asm),
        ruta=ruta.as_posix(),
        usuario_id=usuario_id,
        actor=actor,
        emitido_en=ahora,
    )
    session.add(oficio)
    session.flush()
    auditoria.registrar(
        session, actor, "oficio_emitido", "oficio", oficio.id,
        numero=numero, periodo=datos.mes.isoformat(), sha256=sha, asm=len(datos.asm),
    )  # fmt: skip
    return _emitido(oficio, dep.nombre, contenido, nuevo=True)


def _emitido(o: Oficio, dependencia: str, contenido: bytes, *, nuevo: bool) -> OficioEmitido:
    return OficioEmitido(
        id=o.id,
        numero=o.numero,
        codigo=o.codigo,
        dependencia=dependencia,
        mes=o.periodo,
        asm=o.asm,
        emitido_en=o.emitido_en,
        ruta=o.ruta,
        contenido=contenido,
        nuevo=nuevo,
    )


def _nuevo_codigo(session: Session) -> str:
    while True:
        crudo = "".join(secrets.choice(_ALFABETO) for _ in range(12))
        codigo = f"{crudo[:4]}-{crudo[4:8]}-{crudo[8:]}"
        if session.scalar(select(Oficio.id).where(Oficio.codigo == codigo)) is None:
            return codigo


def encolar_copias(session: Session, emitido: OficioEmitido, texto: str, ahora: datetime) -> int:
    """The oficio to the coordination and the Contraloría (Art. 13), through the outbox, once
    per person and oficio number."""
    return salida.encolar(
        session,
        [
            salida.Mensaje(
                clave=f"oficio:u{uid}:{emitido.numero}",
                tipo="oficio",
                chat_id=tid,
                usuario_id=uid,
                texto=texto,
                documento=emitido.ruta,
                solo_en_horario=False,
            )
            for uid, tid in destinatarios_copia(session)
        ],
        ahora,
    )


# --- Verifying ------------------------------------------------------------------------------


def normalizar_codigo(texto: str) -> str | None:
    """A typed code as stored (`K7QM-2XDP-9HTA`): any case, spaces or dashes; None if not one."""
    limpio = re.sub(r"[^0-9A-Za-z]", "", texto).upper()
    if len(limpio) != 12:
        return None
    codigo = f"{limpio[:4]}-{limpio[4:8]}-{limpio[8:]}"
    return codigo if _CODIGO.fullmatch(codigo) else None


def verificar_codigo(session: Session, texto: str) -> Verificacion:
    codigo = normalizar_codigo(texto)
    oficio = None if codigo is None else _por_codigo(session, codigo)
    if oficio is None:
        return Verificacion(Resultado.DESCONOCIDO, codigo=codigo)
    return _verificacion(session, oficio, Resultado.REGISTRADO)


def verificar_archivo(session: Session, contenido: bytes) -> Verificacion:
    """Is this the file of an oficio we issued, unchanged?"""
    sha = hashlib.sha256(contenido).hexdigest()
    oficio = session.scalars(select(Oficio).where(Oficio.sha256 == sha).limit(1)).first()
    if oficio is not None:
        return _verificacion(session, oficio, Resultado.AUTENTICO)
    for codigo in _codigos_en(contenido):
        oficio = _por_codigo(session, codigo)
        if oficio is not None:
            return _verificacion(session, oficio, Resultado.MODIFICADO)
    return Verificacion(Resultado.DESCONOCIDO)


def _codigos_en(contenido: bytes) -> Iterator[str]:
    """Codes the file claims: in the keywords as we wrote them, else as a PDF editor rewrote
    them (compressed, re-encoded) or in the printed text."""
    for m in _EN_ARCHIVO.finditer(contenido):
        yield m.group(1).decode()
    try:
        lector = PdfReader(io.BytesIO(contenido))
        claves = (lector.metadata.keywords if lector.metadata else None) or ""
        yield from (m.group(1) for m in _EN_TEXTO.finditer(claves))
        paginas = list(lector.pages)
        for pagina in paginas[:1] + paginas[-1:]:
            yield from _CODIGO.findall(pagina.extract_text() or "")
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return  # not a PDF we can read: no code to claim


def _por_codigo(session: Session, codigo: str) -> Oficio | None:
    return session.scalars(select(Oficio).where(Oficio.codigo == codigo)).first()


def _verificacion(session: Session, o: Oficio, resultado: Resultado) -> Verificacion:
    dep = session.get(Dependencia, o.dependencia_id)
    posterior = session.scalars(
        select(Oficio.numero)
        .where(
            Oficio.dependencia_id == o.dependencia_id,
            Oficio.periodo == o.periodo,
            Oficio.id > o.id,
        )
        .order_by(Oficio.id.desc())
        .limit(1)
    ).first()
    return Verificacion(
        resultado,
        numero=o.numero,
        codigo=o.codigo,
        dependencia=dep.nombre if dep else None,
        mes=o.periodo,
        emitido_en=o.emitido_en,
        sha256=o.sha256,
        reemplazado_por=posterior,
    )
