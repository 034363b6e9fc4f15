"""Copies without noise (Art. 13): each delivery's copy waits in `copia_pendiente` and goes to
the coordination and the Contraloría in one digest per dependencia, when the dependencia
completes the month or once its oldest copy has waited the configured time.

The scheduler (scheduler/trabajos.py) asks what is due, puts each digest in the outbox and
marks its copies in one transaction: a crash before the commit leaves them pending, after it
they are in the outbox, so none is lost or sent twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import primer_dia_del_mes
from bot.servicios.consultas import mes_completo
from storage.models import Asm, CopiaPendiente, Dependencia, Programa


@dataclass(frozen=True)
class Lote:
    """The copies of one dependencia that go together in one digest."""

    dependencia_id: int | None
    dependencia: str | None
    ids: list[int]  # copia_pendiente rows, oldest first
    textos: list[str]  # one entry per delivery, Telegram HTML
    asm: list[tuple[int, int, str]]  # (asm id, Núm., Pp clave) of the reported ASM, no repeats
    completo: bool  # the dependencia reported every ASM due this month

    @property
    def clave(self) -> str:
        """Names the digest in the outbox: its dependencia and first copy."""
        return f"d{self.dependencia_id or 0}:c{self.ids[0]}"


def apartar(
    session: Session, folio: str, asm_id: int, dependencia_id: int | None, texto: str,
    ahora: datetime,
) -> None:  # fmt: skip
    """Keeps a delivery's copy for the next digest, in the transaction that saves the avance."""
    session.add(
        CopiaPendiente(
            folio=folio, asm_id=asm_id, dependencia_id=dependencia_id, texto=texto, creada_en=ahora
        )
    )


def debidos(
    session: Session, ahora: datetime, hoy: date, cal: CalendarioHabil, espera: timedelta
) -> list[Lote]:
    """The digests due now: a dependencia that completed the month, or whose oldest pending
    copy has waited `espera`. So a dependencia gets at most one digest per `espera` while it
    reports, and one at once when it finishes."""
    filas = session.execute(
        select(
            CopiaPendiente.id, CopiaPendiente.dependencia_id, CopiaPendiente.texto,
            CopiaPendiente.creada_en, Asm.id, Asm.numero, Programa.clave,
        )
        .join(Asm, Asm.id == CopiaPendiente.asm_id)
        .join(Programa, Programa.id == Asm.programa_id)
        .where(CopiaPendiente.enviada_en.is_(None))
        .order_by(CopiaPendiente.id)
    ).all()  # fmt: skip
    grupos: dict[int | None, list[tuple[int, str, datetime, int, int, str]]] = defaultdict(list)
    for cid, dep, texto, creada, asm_id, numero, clave in filas:
        grupos[dep].append((cid, texto, creada, asm_id, numero, clave))
    nombres = {i: n for i, n in session.execute(select(Dependencia.id, Dependencia.nombre))}
    lotes = []
    for dep, copias in grupos.items():
        lleno = dep is not None and mes_completo(session, dep, primer_dia_del_mes(hoy), hoy, cal)
        if not lleno and min(c[2] for c in copias) > ahora - espera:
            continue
        asm: dict[int, tuple[int, int, str]] = {}
        for _, _, _, asm_id, numero, clave in copias:
            asm.setdefault(asm_id, (asm_id, numero, clave))
        lotes.append(
            Lote(
                dependencia_id=dep,
                dependencia=nombres.get(dep) if dep is not None else None,
                ids=[c[0] for c in copias],
                textos=[c[1] for c in copias],
                asm=list(asm.values()),
                completo=lleno,
            )
        )
    return lotes


def marcar_enviadas(session: Session, ids: list[int], ahora: datetime) -> None:
    session.execute(
        update(CopiaPendiente).where(CopiaPendiente.id.in_(ids)).values(enviada_en=ahora)
    )
