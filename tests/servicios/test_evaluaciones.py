"""Evaluations on a session: register, recommendations to ASM, sending, deadline changes, and
the obligations that know whether they were met."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.recordatorios import TipoPlazo
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Prioridad, Rol, TipoEvaluacion
from bot.mensajes import evaluaciones as textos
from bot.servicios import evaluaciones as ev_srv
from bot.servicios import registro
from bot.servicios.evaluaciones import ResponsableNuevo
from storage.models import (
    Asm,
    AsmResponsable,
    Auditoria,
    Dependencia,
    Evaluacion,
    Evidencia,
    PosicionInstitucional,
    Programa,
    Recomendacion,
    Salida,
    Usuario,
)
from tests.conftest import Db

TODOS = {"claridad": True, "relevancia": True, "justificacion": True, "factibilidad": True}
# Fri 13 Nov 2026, 12:00 in Puebla.
NOTIFICACION = date(2026, 11, 13)


def _ahora(d: date, hora: int = 18) -> datetime:
    return datetime(d.year, d.month, d.day, hora, tzinfo=UTC)


def _sembrar(db: Db) -> dict[str, int]:
    with db.sesiones.begin() as s:
        sedem = Dependencia(nombre="Secretaría de Desarrollo Económico", siglas="SEDEM")
        tm = Dependencia(nombre="Tesorería Municipal", siglas="TM")
        s.add_all([sedem, tm])
        s.flush()
        s.add(Programa(clave="E003", nombre="Asistencia social"))
        ana = Usuario(telegram_id=501, nombre="Ana", rol=Rol.ENLACE.value, dependencia_id=sedem.id)
        beto = Usuario(telegram_id=502, nombre="Beto", rol=Rol.ENLACE.value, dependencia_id=tm.id)
        s.add_all([ana, beto])
        s.flush()
        return {"sedem": sedem.id, "tm": tm.id, "ana": ana.id, "beto": beto.id}


def _evaluacion(db: Db, **kw: object) -> int:
    datos: dict[str, object] = {
        "tipo": TipoEvaluacion.INTERNA, "programa_clave": "E003", "ejercicio_evaluado": 2025,
        "fecha_notificacion": NOTIFICACION, "actor": "cli", **kw,
    }  # fmt: skip
    with db.sesiones.begin() as s:
        return ev_srv.registrar_evaluacion(s, **datos)  # type: ignore[arg-type]


def _asm(db: Db, ev_id: int, cal: CalendarioHabil, *responsables: ResponsableNuevo,
         clasificacion: Clasificacion = Clasificacion.ESPECIFICO) -> int:  # fmt: skip
    with db.sesiones.begin() as s:
        rec = ev_srv.agregar_recomendacion(s, ev_id, "Actualizar el padrón", "cli")
        return ev_srv.seleccionar(
            s, rec, criterios=TODOS, clasificacion=clasificacion, prioridad=Prioridad.ALTO,
            responsables=responsables or (ResponsableNuevo("SEDEM", "Opera el programa"),),
            actor="cli", hoy=NOTIFICACION,
        )  # fmt: skip


def test_registrar_y_listar(db: Db, cal: CalendarioHabil) -> None:
    _sembrar(db)
    interna = _evaluacion(db, evaluador="IMPLAN")
    externa = _evaluacion(db, tipo=TipoEvaluacion.EXTERNA, ejercicio_evaluado=2026)
    with db.sesiones() as s:
        lista = {r.id: r for r in ev_srv.lista_evaluaciones(s, cal, date(2026, 12, 1))}
        assert lista[interna].limite_atencion is None  # IMPLAN sets none by default
        assert "la fecha límite de atención (la fija el IMPLAN)" in lista[interna].faltantes
        assert lista[externa].limite_atencion == date(2027, 4, 30)
        assert lista[interna].titulo == "Evaluación interna del ejercicio 2025 · E003"
        auditoria = s.scalars(select(Auditoria).where(Auditoria.objeto == "evaluacion")).all()
        assert [a.accion for a in auditoria] == ["crear", "crear"]


def test_registro_rechazado_dice_que_hacer(db: Db) -> None:
    _sembrar(db)
    with pytest.raises(ev_srv.ProgramaDesconocido, match="«X9»"):
        _evaluacion(db, programa_clave="X9")
    with pytest.raises(ev_srv.LimiteAtencionInvalido, match="posterior"):
        _evaluacion(db, fecha_limite_atencion=NOTIFICACION)
    with pytest.raises(ev_srv.LimiteAtencionInvalido, match=r"Art\. 13"):
        _evaluacion(db, tipo=TipoEvaluacion.EXTERNA, fecha_limite_atencion=date(2027, 6, 1))


def test_recomendaciones_seleccionadas_y_no(db: Db, cal: CalendarioHabil) -> None:
    ids = _sembrar(db)
    ev_id = _evaluacion(db)
    with db.sesiones.begin() as s:
        r1 = ev_srv.agregar_recomendacion(s, ev_id, "Padrón único de beneficiarios", "cli")
        r2 = ev_srv.agregar_recomendacion(s, ev_id, "Cambiar la ley federal", "cli")
        with pytest.raises(ev_srv.CriteriosNoCumplidos, match="Factibilidad"):
            ev_srv.seleccionar(
                s, r1, criterios={**TODOS, "factibilidad": False},
                clasificacion=Clasificacion.ESPECIFICO, prioridad=Prioridad.ALTO,
                responsables=[ResponsableNuevo("SEDEM", "Opera")], actor="cli", hoy=NOTIFICACION,
            )  # fmt: skip
        with pytest.raises(ev_srv.ClasificacionInconsistente, match="Interinstitucional"):
            ev_srv.seleccionar(
                s, r1, criterios=TODOS, clasificacion=Clasificacion.ESPECIFICO,
                prioridad=Prioridad.ALTO, actor="cli", hoy=NOTIFICACION,
                responsables=[ResponsableNuevo("SEDEM", "Opera"), ResponsableNuevo("TM", "Paga")],
            )  # fmt: skip
        asm_id = ev_srv.seleccionar(
            s, r1, criterios=TODOS, clasificacion=Clasificacion.INTERINSTITUCIONAL,
            prioridad=Prioridad.MEDIO, actor="cli", hoy=NOTIFICACION,
            responsables=[ResponsableNuevo("SEDEM", "Opera"), ResponsableNuevo("tm", "Paga")],
        )  # fmt: skip
        ev_srv.no_seleccionar(s, r2, {**TODOS, "factibilidad": False}, "Fuera de su ámbito", "cli")
        with pytest.raises(ev_srv.RecomendacionYaResuelta):
            ev_srv.no_seleccionar(s, r2, TODOS, "otra vez", "cli")
    with db.sesiones() as s:
        asm = s.get_one(Asm, asm_id)
        assert asm.evaluacion_id == ev_id and asm.fecha_recepcion is None
        assert {(r.dependencia_id, r.motivo_participacion) for r in asm.responsables} == {
            (ids["sedem"], "Opera"), (ids["tm"], "Paga"),
        }  # fmt: skip
        version = registro.version_vigente(s, asm_id, NOTIFICACION)
        assert version is not None and version.prioridad == "medio" and version.factibilidad
        no = s.get_one(Recomendacion, r2)
        assert no.asm_id is None and no.motivo_no_seleccion == "Fuera de su ámbito"
        assert no.factibilidad is False and no.claridad is True


def test_enviar_fija_la_recepcion_y_avisa_al_enlace(db: Db, cal: CalendarioHabil) -> None:
    ids = _sembrar(db)
    ev_id = _evaluacion(db)
    asm_id = _asm(db, ev_id, cal)
    recepcion = date(2026, 11, 27)
    with db.sesiones.begin() as s:
        envio = ev_srv.enviar_asm(s, ev_id, "usuario:9", _ahora(recepcion), cal)
        assert envio.enviados == 1 and envio.plazo_plan == date(2026, 12, 4)  # Art. 10
        assert textos.avisar_envio(s, envio, _ahora(recepcion)) == 1
        with pytest.raises(ev_srv.SinAsmPorEnviar):
            ev_srv.enviar_asm(s, ev_id, "usuario:9", _ahora(recepcion), cal)
    with db.sesiones() as s:
        assert s.get_one(Asm, asm_id).fecha_recepcion == recepcion
        (aviso,) = s.scalars(select(Salida)).all()
        assert aviso.usuario_id == ids["ana"] and "04/12/2026" in aviso.texto
        assert "Art. 10" in aviso.texto and "Núm.: 1" in aviso.texto


def test_cambio_de_limite_auditado_y_anunciado(db: Db, cal: CalendarioHabil) -> None:
    ids = _sembrar(db)
    ev_id = _evaluacion(db)
    _asm(db, ev_id, cal)
    ahora = _ahora(date(2026, 12, 1))
    with db.sesiones.begin() as s:
        cambio = ev_srv.editar_evaluacion(
            s, ev_id, "cli", ahora, cal, fecha_limite_atencion=date(2027, 6, 30)
        )
        assert cambio is not None and cambio.antes is None and cambio.despues == date(2027, 6, 30)
        assert textos.avisar_cambio_limite(s, cambio, ahora) == 1
        # The evaluator's name is no deadline: audited, not announced.
        assert ev_srv.editar_evaluacion(s, ev_id, "cli", ahora, cal, evaluador="CONEVAL") is None
        with pytest.raises(ev_srv.LimiteAtencionInvalido):
            ev_srv.editar_evaluacion(
                s, ev_id, "cli", ahora, cal, fecha_limite_atencion=NOTIFICACION
            )
    with db.sesiones() as s:
        (aviso,) = s.scalars(select(Salida)).all()
        assert aviso.usuario_id == ids["ana"] and "30/06/2027" in aviso.texto
        ediciones = s.scalars(
            select(Auditoria).where(Auditoria.objeto == "evaluacion", Auditoria.accion == "editar")
        ).all()
        assert [a.detalle["cambios"] for a in ediciones] == [
            {"fecha_limite_atencion": [None, "2027-06-30"]},
            {"evaluador": ["", "CONEVAL"]},
        ]
        assert s.get_one(Evaluacion, ev_id).fecha_limite_atencion == date(2027, 6, 30)


def _obligaciones(db: Db, cal: CalendarioHabil, hoy: date) -> dict[TipoPlazo, bool]:
    with db.sesiones() as s:
        return {o.tipo: o.cumplida for o in ev_srv.obligaciones_de_evaluaciones(s, cal, hoy)}


def test_obligaciones_cumplidas_segun_el_estado(db: Db, cal: CalendarioHabil) -> None:
    ids = _sembrar(db)
    ev_id = _evaluacion(db)
    asm_id = _asm(db, ev_id, cal)
    with db.sesiones.begin() as s:
        ev_srv.enviar_asm(s, ev_id, "cli", _ahora(date(2026, 11, 27)), cal)
    hoy = date(2026, 12, 1)
    assert _obligaciones(db, cal, hoy) == {
        TipoPlazo.POSICION_INSTITUCIONAL: False,
        TipoPlazo.PLAN_ACCION: False,
        TipoPlazo.ENTREGA_AVANCES: False,
    }
    with db.sesiones.begin() as s:
        asm = s.get_one(Asm, asm_id)
        registro.nueva_version(s, asm, hoy, "t", origen="bot", estado_plan=EstadoPlan.ENVIADO.value)
        s.add(PosicionInstitucional(
            evaluacion_id=ev_id, dependencia_id=ids["sedem"], sha256="0" * 64, tamano=1,
            tipo_detectado="application/pdf", nombre_original="p.pdf", ruta="x",
        ))  # fmt: skip
        avance = registro.registrar_avance(s, asm, date(2026, 12, 1), 10, "t", origen="bot")
        s.add(Evidencia(
            asm_id=asm_id, avance_id=avance.id, sha256="1" * 64, tamano=1,
            tipo_detectado="application/pdf", nombre_original="e.pdf", ruta="y",
        ))  # fmt: skip
    assert _obligaciones(db, cal, hoy) == dict.fromkeys(
        (TipoPlazo.POSICION_INSTITUCIONAL, TipoPlazo.PLAN_ACCION, TipoPlazo.ENTREGA_AVANCES), True
    )
    # An observed plan was delivered all the same: the Art. 10 obligation stays met.
    with db.sesiones.begin() as s:
        registro.nueva_version(
            s, s.get_one(Asm, asm_id), hoy, "t", origen="bot",
            estado_plan=EstadoPlan.OBSERVADO.value,
        )  # fmt: skip
    assert _obligaciones(db, cal, hoy)[TipoPlazo.PLAN_ACCION] is True


def test_plazos_abiertos_la_mas_proxima_primero(db: Db, cal: CalendarioHabil) -> None:
    ids = _sembrar(db)
    ev_id = _evaluacion(db)
    _asm(db, ev_id, cal)
    with db.sesiones.begin() as s:
        ev_srv.enviar_asm(s, ev_id, "cli", _ahora(date(2026, 11, 27)), cal)
    with db.sesiones() as s:
        lista = ev_srv.obligaciones_abiertas(s, cal, date(2026, 12, 1))
        assert [(o.tipo, o.fecha, o.dias_restantes, o.articulo) for o in lista] == [
            (TipoPlazo.POSICION_INSTITUCIONAL, date(2026, 11, 23), -6, "Art. 8"),
            (TipoPlazo.ENTREGA_AVANCES, date(2026, 11, 23), -6, "Art. 13"),
            (TipoPlazo.PLAN_ACCION, date(2026, 12, 4), 3, "Art. 10"),
        ]
        assert ev_srv.obligaciones_abiertas(s, cal, date(2026, 12, 1), ids["tm"]) == []
        texto = textos.calendario(lista)
        assert "04/12/2026 · Plan de acción (Art. 10) · SEDEM" in texto
        assert "faltan 3 días hábiles" in texto and "vencido hace 6 días hábiles" in texto


def test_asm_sin_evaluacion_siguen_validos(db: Db, cal: CalendarioHabil) -> None:
    _sembrar(db)
    with db.sesiones.begin() as s:
        programa = s.scalars(select(Programa)).one()
        s.add(Asm(programa_id=programa.id, numero=7))
    with db.sesiones() as s:
        assert ev_srv.sin_evaluacion(s) == 1
        assert s.scalars(select(AsmResponsable)).all() == []
