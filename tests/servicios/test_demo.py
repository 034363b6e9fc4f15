"""The demo register uses evaluations the way the Lineamientos do."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.plazos import limite_atencion
from bot.dominio.seleccion import Responsable, problemas_de_clasificacion
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, TipoEvaluacion
from bot.servicios import registro
from bot.servicios.demo import llenar_demo
from storage.models import Asm, Evaluacion, Recomendacion
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
