"""The catalogue of dependencias, entidades and programas, and how free text is matched to it.

People write «SMDIF», «Sistema Municipal DIF» or «sistema municipal dif / Dirección X»: all must land
on the same dependencia, so matching ignores accents, case and siglas.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.texto import normalizar
from bot.dominio.vocabulario import TipoDependencia, TipoPrograma
from bot.servicios import auditoria
from storage.models import Dependencia, Programa, UnidadAdministrativa

# «Dependencia / Unidad», «Dependencia - Unidad», «Dependencia: Unidad», «Dependencia, Unidad».
_SEPARADOR_UNIDAD = re.compile(r"\s+[/–—-]\s+|\s*[/:,]\s*|\n")
# Several responsables in one cell (interinstitucional): one per line or separated by «;».
_SEPARADOR_RESPONSABLES = re.compile(r"\s*;\s*|\s*\n\s*")
_PALABRAS_VACIAS = {"de", "del", "la", "las", "el", "los", "y", "e", "para", "en", "a"}


@dataclass(frozen=True)
class Responsable:
    """One line of the Área responsable column, split into its dependencia and unit."""

    dependencia: str
    unidad: str | None


def dividir_area_responsable(texto: str) -> list[Responsable]:
    """«SMDIF / Dirección de Atención; Tesorería» → [SMDIF + Dirección de Atención, Tesorería]."""
    responsables = []
    for parte in _SEPARADOR_RESPONSABLES.split(texto.strip()):
        if not parte.strip():
            continue
        trozos = _SEPARADOR_UNIDAD.split(parte.strip(), maxsplit=1)
        unidad = trozos[1].strip() if len(trozos) > 1 and trozos[1].strip() else None
        responsables.append(Responsable(trozos[0].strip(), unidad))
    return responsables


def siglas_de(nombre: str) -> str:
    """Initials of the significant words: «Sistema Municipal DIF» → «SMDIF»."""
    palabras = [p for p in re.split(r"\s+", nombre.strip()) if p]
    partes = []
    for p in palabras:
        if normalizar(p) in _PALABRAS_VACIAS:
            continue
        partes.append(p if p.isupper() and len(p) > 1 else p[0].upper())
    return "".join(partes)


class Catalogo:
    """Matches texts against the dependencias of one session; adds the ones it lacks."""

    def __init__(self, session: Session, actor: str = "sistema") -> None:
        self.session = session
        self.actor = actor
        self.nuevas: list[Dependencia] = []
        self._por_clave: dict[str, Dependencia] = {}
        self._por_iniciales: dict[str, set[int]] = {}
        self._por_id: dict[int, Dependencia] = {}
        for dep in session.scalars(select(Dependencia)):
            self._indexar(dep)

    def _indexar(self, dep: Dependencia) -> None:
        self._por_clave[normalizar(dep.nombre)] = dep
        if dep.siglas:
            self._por_clave[normalizar(dep.siglas)] = dep
        self._por_id[dep.id] = dep
        self._por_iniciales.setdefault(normalizar(siglas_de(dep.nombre)), set()).add(dep.id)

    def exacta(self, texto: str) -> Dependencia | None:
        """By name or declared siglas, ignoring only accents, case and spaces."""
        return self._por_clave.get(normalizar(texto))

    def buscar(self, texto: str) -> Dependencia | None:
        clave = normalizar(texto)
        if not clave:
            return None
        if clave in self._por_clave:
            return self._por_clave[clave]
        if " " in clave:
            # A name: «Sistema Municipal DIF» matches a dependencia known only by its siglas
            # «SMDIF» (never one with another name: «Secretaría de Administración» is not the
            # «Secretaría del Ayuntamiento» whose siglas are SA). Typed in lowercase, «dif» may
            # be a word's initial or an acronym: try both.
            palabras = [p for p in clave.split() if p not in _PALABRAS_VACIAS]
            for candidata in (
                siglas_de(texto),
                "".join(p if len(p) <= 4 else p[0] for p in palabras),
            ):
                dep = self._por_clave.get(normalizar(candidata))
                if dep is not None and normalizar(dep.nombre) == normalizar(candidata):
                    return dep
            return None
        # Siglas: «TM» matches «Tesorería Municipal» unless two names share those initials.
        ids = self._por_iniciales.get(clave, set())
        return self._por_id[next(iter(ids))] if len(ids) == 1 else None

    def buscar_en(self, texto: str) -> tuple[Dependencia, str | None] | None:
        """A known dependencia named inside a longer text, and what is left (its unit):
        «Dirección de Egresos de la Tesorería Municipal» → (Tesorería Municipal, «Dirección de
        Egresos»). The longest name wins; siglas count only as a whole word of three letters or
        more. None when no name or siglas is found, or two different ones are."""
        t = normalizar(texto)
        if not t:
            return None
        halladas: dict[int, tuple[int, int]] = {}  # id → (length matched, first word's index)
        for clave, dep in self._por_clave.items():
            if len(clave) < 3 or clave == t:
                continue
            m = re.search(rf"(?<![a-z0-9]){re.escape(clave)}(?![a-z0-9])", t)
            if m is not None and len(clave) > halladas.get(dep.id, (0, 0))[0]:
                halladas[dep.id] = (len(clave), len(t[: m.start()].split()))
        if len(halladas) != 1:
            return None
        [(dep_id, (_largo, inicio))] = halladas.items()
        dep = self._por_id[dep_id]
        # The unit as the person wrote it: the words around the dependencia's name.
        palabras = texto.split()
        largo = len(normalizar(dep.nombre).split())
        if normalizar(" ".join(palabras[inicio : inicio + largo])) != normalizar(dep.nombre):
            largo = 1  # matched by its siglas
        resto = " ".join(palabras[:inicio] + palabras[inicio + largo :])
        unidad = re.sub(r"\s+(de la|del|de|la|el)$", "", resto.strip(" ,/-–—"), flags=re.I)
        return dep, unidad.strip(" ,/-–—") or None

    def obtener_o_crear(self, texto: str, tipo: TipoDependencia | None = None) -> Dependencia:
        dep = self.buscar(texto)
        if dep is not None:
            return dep
        nombre = " ".join(texto.split())
        es_siglas = nombre.isupper() and " " not in nombre
        dep = Dependencia(
            nombre=nombre,
            siglas=nombre if es_siglas else None,
            tipo=(tipo or TipoDependencia.DEPENDENCIA).value,
        )
        self.session.add(dep)
        self.session.flush()
        auditoria.registrar(self.session, self.actor, "crear", "dependencia", dep.id, nombre=nombre)
        self._indexar(dep)
        self.nuevas.append(dep)
        return dep

    def unidad(self, dep: Dependencia, nombre: str) -> UnidadAdministrativa:
        limpio = " ".join(nombre.split())
        for u in dep.unidades:
            if normalizar(u.nombre) == normalizar(limpio):
                return u
        u = UnidadAdministrativa(dependencia=dep, nombre=limpio)
        self.session.add(u)
        self.session.flush()
        return u


def cargar_dependencias_csv(session: Session, ruta: Path, actor: str = "cli") -> tuple[int, int]:
    """Loads `nombre,siglas,tipo[,unidades]` rows (unidades separated by «|»).

    Returns (added, updated). Raises ValueError with the line at fault.
    """
    catalogo = Catalogo(session, actor)
    agregadas = actualizadas = 0
    with ruta.open(encoding="utf-8-sig", newline="") as f:
        lector = csv.DictReader(f)
        faltan = {"nombre"} - set(lector.fieldnames or [])
        if faltan:
            raise ValueError(
                f"{ruta.name}: falta la columna «nombre» (columnas: nombre,siglas,tipo)."
            )
        for num, fila in enumerate(lector, start=2):
            nombre = (fila.get("nombre") or "").strip()
            siglas = (fila.get("siglas") or "").strip() or None
            tipo_txt = normalizar(fila.get("tipo") or "dependencia")
            if not nombre:
                raise ValueError(f"{ruta.name}, línea {num}: el nombre está vacío.")
            try:
                tipo = TipoDependencia(tipo_txt)
            except ValueError:
                raise ValueError(
                    f"{ruta.name}, línea {num}: tipo «{tipo_txt}» desconocido; use dependencia o entidad."
                ) from None
            # Exact name or declared siglas only: a catalogue is not guessed at.
            dep = catalogo.exacta(nombre) or (catalogo.exacta(siglas) if siglas else None)
            if dep is None:
                dep = catalogo.obtener_o_crear(nombre, tipo)
                dep.siglas = siglas
                agregadas += 1
            elif (dep.nombre, dep.siglas, dep.tipo) != (nombre, siglas or dep.siglas, tipo.value):
                auditoria.registrar(
                    session, actor, "modificar", "dependencia", dep.id,
                    antes={"nombre": dep.nombre, "siglas": dep.siglas, "tipo": dep.tipo},
                )  # fmt: skip
                dep.nombre, dep.siglas, dep.tipo = nombre, siglas or dep.siglas, tipo.value
                actualizadas += 1
            catalogo._indexar(dep)
            for unidad in (fila.get("unidades") or "").split("|"):
                if unidad.strip():
                    catalogo.unidad(dep, unidad)
    return agregadas, actualizadas


# «E001 Seguridad», «Pp E001. Seguridad», «FISM-DF Fondo de Infraestructura», «FORTAMUN-DF».
_CLAVE_PROGRAMA = re.compile(
    r"^(?:pp\.?\s+)?([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)(?:\s*[.:–—-]\s*|\s+|$)(.*)$"
)


def dividir_programa(texto: str) -> tuple[str, str]:
    """«E001 Seguridad ciudadana» → («E001», «Seguridad ciudadana»).

    A text without a recognizable clave gets its initials as clave: «Programa de bacheo» → «PB».
    """
    limpio = " ".join(texto.split())
    m = _CLAVE_PROGRAMA.match(re.sub(r"^pp\.?\s+", "", limpio, flags=re.IGNORECASE))
    if m and (any(c.isdigit() for c in m.group(1)) or len(m.group(1)) >= 3):
        return m.group(1), m.group(2).strip() or m.group(1)
    return siglas_de(limpio)[:40], limpio


def obtener_o_crear_programa(session: Session, texto: str, actor: str = "sistema") -> Programa:
    """The Pp or fondo a header names, matched by clave or by name; created when new."""
    clave, nombre = dividir_programa(texto)
    for programa in session.scalars(select(Programa)):
        if programa.clave == clave or normalizar(programa.nombre) == normalizar(nombre):
            return programa
    es_fondo = normalizar(nombre).startswith(("fondo", "fortamun", "fism", "fortaseg"))
    programa = Programa(
        clave=clave,
        nombre=nombre,
        tipo=(TipoPrograma.FONDO if es_fondo else TipoPrograma.PROGRAMA).value,
    )
    session.add(programa)
    session.flush()
    auditoria.registrar(session, actor, "crear", "programa", programa.id, clave=clave)
    return programa
