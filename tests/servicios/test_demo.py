"""The demo register uses evaluations the way the Lineamientos do."""

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import select

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.plazos import limite_atencion
from bot.dominio.seleccion import Responsable, problemas_de_clasificacion
from bot.dominio.valoracion import validar_valoracion
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, TipoEvaluacion, Valoracion
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo
from bot.servicios.consultas import estado_actual, pendientes_por_dependencia
from bot.servicios.demo import DEPENDENCIA_PENDIENTE, llenar_demo
from bot.servicios.evidencias import AlmacenEvidencias
from bot.servicios.valoracion import situacion
from storage.models import (
    Asm,
    AsmVersion,
    Evaluacion,
    Evidencia,
    Prorroga,
    Recomendacion,
    ValoracionAsm,
)
from tests.conftest import Db

HOY = date(2026, 12, 2)


def test_demo_con_evaluaciones_consistentes(db: Db, cal: CalendarioHabil) -> None:
    with db.sesiones.begin() as s:
        assert llenar_demo(s, cal, HOY) == 160
    with db.sesiones() as s:
        asm = s.scalars(select(Asm)).all()
        assert all(a.evaluacion_id is not None and a.fecha_recepcion for a in asm)
        evaluaciones = {e.id: e for e in s.scalars(select(Evaluacion))}
        assert {e.tipo for e in evaluaciones.values()} == {t.value for t in TipoEvaluacion}
        estados: Counter[str] = Counter()
        for a in asm:
            v = registro.version_vigente(s, a.id, HOY)
            assert v is not None
            estados[v.estado_plan] += 1
            responsables = [Responsable(r.dependencia_id, r.unidad_id) for r in a.responsables]
            clasificacion = Clasificacion(v.clasificacion)
            assert problemas_de_clasificacion(clasificacion, responsables, a.gobierno_externo) == []
            assert all(r.motivo_participacion for r in a.responsables)
            ev = evaluaciones[a.evaluacion_id or 0]
            limite = limite_atencion(ev, cal)
            assert limite is None or v.fecha_termino is None or v.fecha_termino <= limite
            assert ev.fecha_notificacion is not None and a.fecha_recepcion > ev.fecha_notificacion  # type: ignore[operator]
        assert set(estados) == {e.value for e in EstadoPlan}
        no_seleccionadas = s.scalars(
            select(Recomendacion).where(Recomendacion.motivo_no_seleccion.is_not(None))
        ).all()
        assert no_seleccionadas and all(r.asm_id is None for r in no_seleccionadas)


def test_demo_da_algo_que_hacer_el_primer_dia_y_valora_segun_el_art_14(
    db: Db, cal: CalendarioHabil, tmp_path: Path
) -> None:
    with db.sesiones.begin() as s:
        llenar_demo(s, cal, HOY, almacen=AlmacenEvidencias(tmp_path))
    with db.sesiones() as s:
        # Every valoración passes the rule on the day it was made, causes included.
        valorados = s.scalars(
            select(AsmVersion.asm_id).where(AsmVersion.valoracion.is_not(None))
        ).all()
        hechas = s.scalars(select(ValoracionAsm)).all()
        assert sorted(v.asm_id for v in hechas) == sorted(valorados)
        assert {v.valoracion for v in hechas} >= {"atendido", "no_atendido"}
        for v in hechas:
            hechos = situacion(s, v.asm_id, v.fecha, cal).hechos
            valoracion = Valoracion(v.valoracion or "")
            assert validar_valoracion(valoracion, hechos, causas=v.causas) == [], v.asm_id
        # Each evidence file is where its row says, a PDF that opens.
        evidencias = s.scalars(select(Evidencia)).all()
        assert evidencias and all(
            (tmp_path / e.ruta).read_bytes().startswith(b"%PDF-") for e in evidencias
        )

        estados = estado_actual(s, HOY, cal)
        assert any(a.estado_plan is EstadoPlan.ENVIADO for a in estados)  # plans en revisión
        por_valorar = [a for a in estados if a.avance == 100 and a.valoracion is None]
        assert any(
            situacion(s, a.asm_id, HOY, cal).opciones[0].valida for a in por_valorar
        )  # at 100 % with evidence: «Atendido» can be recorded today
        assert s.scalars(select(Prorroga).where(Prorroga.estado == "pendiente")).all()
        smdif = Catalogo(s).buscar(DEPENDENCIA_PENDIENTE)
        assert smdif is not None
        pendientes = pendientes_por_dependencia(s, HOY, cal)
        assert pendientes[smdif.id] >= 5 and pendientes[smdif.id] == max(pendientes.values())
