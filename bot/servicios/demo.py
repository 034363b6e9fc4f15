"""`asmbot demo`: a realistic sample register so the product can be tried and shown.

Deterministic (fixed seed): the same database every time for the same date.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.plazos import limite_atencion
from bot.dominio.seleccion import Responsable, clasificacion_sugerida
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Prioridad, TipoEvaluacion, Valoracion
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo, cargar_dependencias_csv
from storage.models import (
    Asm,
    AsmResponsable,
    Dependencia,
    Evaluacion,
    Programa,
    Recomendacion,
    RevisionPlan,
)

CATALOGO = Path(__file__).parents[1] / "datos" / "dependencias_puebla.csv"

# (clave, nombre, tipo, siglas of the dependencias that run it)
PROGRAMAS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("E001", "Seguridad ciudadana y prevención del delito", "pp", ("SSC", "SEGOB")),
    ("E002", "Protección civil y gestión integral de riesgos", "pp", ("SEGOB",)),
    ("E003", "Asistencia social a grupos vulnerables", "pp", ("SMDIF", "SBPC")),
    ("E004", "Servicios públicos de calidad", "pp", ("SSP", "OOSL")),
    ("E005", "Movilidad segura e infraestructura vial", "pp", ("SMI",)),
    ("E006", "Desarrollo urbano ordenado y sustentable", "pp", ("SGDU", "SMA")),
    ("E007", "Impulso económico y turístico", "pp", ("SDET", "IMT", "GCHPC")),
    ("E008", "Igualdad sustantiva y atención a la violencia de género", "pp", ("SISG",)),
    ("E009", "Cultura, deporte y juventud", "pp", ("IMACP", "IMDP", "IJMP")),
    ("M001", "Gestión administrativa y finanzas sanas", "pp", ("TM", "SECAD")),
    ("M002", "Gobierno digital, transparencia y rendición de cuentas", "pp", ("SIDC", "CGTMA")),
    ("P001", "Planeación y evaluación del desempeño", "pp", ("IMPLAN",)),
    ("FORTAMUN-DF", "Fondo de Aportaciones para el Fortalecimiento de los Municipios", "fondo",
     ("TM", "SSC")),
    ("FISM-DF", "Fondo para la Infraestructura Social Municipal", "fondo", ("SMI", "SBPC")),
)  # fmt: skip

_HALLAZGOS = (
    "Actualizar el diagnóstico del problema público con datos {anio} por colonia y junta auxiliar",
    "Integrar un padrón único de personas beneficiarias con criterios de elegibilidad publicados",
    "Alinear los indicadores de la MIR con los objetivos del Plan Municipal de Desarrollo",
    "Documentar el procedimiento de entrega de apoyos en un manual autorizado",
    "Definir metas de cobertura anual con línea base y método de cálculo verificable",
    "Establecer un mecanismo de quejas y sugerencias con tiempos de respuesta",
    "Elaborar un programa de mantenimiento preventivo con calendario y responsables",
    "Publicar en el portal de transparencia los resultados trimestrales del programa",
    "Capacitar al personal operativo en los lineamientos del programa y registrar asistencia",
    "Medir la satisfacción de la población atendida con una encuesta representativa",
    "Georreferenciar las acciones realizadas para focalizar zonas de atención prioritaria",
    "Conciliar mensualmente el avance físico y financiero con Tesorería",
)
_ACTIVIDADES = (
    "1. Integrar mesa de trabajo con las áreas involucradas. 2. Elaborar propuesta. "
    "3. Validar con la Unidad de Evaluación. 4. Publicar la versión autorizada.",
    "1. Recopilar la información de las unidades administrativas. 2. Sistematizarla en una "
    "base de datos. 3. Emitir el informe y difundirlo.",
    "1. Revisar la normativa aplicable. 2. Redactar el documento. 3. Someterlo a autorización "
    "del titular. 4. Capacitar al personal.",
)
_RESULTADOS = (
    "Información confiable para la toma de decisiones del programa.",
    "Procesos documentados y homogéneos en todas las áreas.",
    "Mayor transparencia y rendición de cuentas ante la ciudadanía.",
)
_PRODUCTOS = (
    "Documento autorizado, minuta de trabajo y lista de asistencia.",
    "Base de datos, informe trimestral y oficio de envío.",
    "Manual publicado y constancias de capacitación.",
)
_NO_SELECCIONADAS = (
    ("Crear una nueva dependencia para operar el programa",
     "No es factible con el presupuesto ni con las atribuciones del municipio (Art. 7)."),
    ("Reformar la ley federal que regula el fondo",
     "No es competencia del municipio: no cumple el criterio de factibilidad (Art. 7)."),
    ("Mejorar la percepción general del gobierno",
     "No es clara ni se relaciona con el diseño del programa (Art. 7)."),
)  # fmt: skip
_MOTIVOS = (
    "Opera el programa y custodia sus registros",
    "Autoriza y libera los recursos",
    "Aporta la información de su competencia",
)
_OBSERVACION_PLAN = "Precise las actividades y el producto que acreditará el cumplimiento."
_OBS_RETRASO = (
    "Se reprogramó por la veda electoral; se solicitó prórroga al IMPLAN.",
    "La información de otra dependencia llegó tarde; se da seguimiento por oficio.",
    "Cambio de titular del área; se retomará el siguiente mes.",
)


def llenar_demo(
    session: Session,
    cal: CalendarioHabil,
    hoy: date,
    *,
    num_asm: int = 160,
    progreso: Callable[[int], None] | None = None,
) -> int:
    """Fills an empty register; returns how many ASM it created. Refuses a non-empty one."""
    if session.scalar(select(func.count()).select_from(Asm)):
        raise ValueError(
            "La base de datos ya tiene ASM; la demostración solo llena una base vacía."
        )
    rnd = random.Random(2024)
    actor = "demo"
    cargar_dependencias_csv(session, CATALOGO, actor)
    catalogo = Catalogo(session, actor)

    inicio = date(hoy.year - 1, hoy.month, 1)  # a year of monthly history
    ejercicio = inicio.year
    creados = 0
    evaluaciones: dict[int, Evaluacion] = {}
    recepciones: dict[int, date] = {}
    # Plan states draw from their own sequence, so the rest of the sample stays as it was.
    rnd_planes = random.Random(2025)
    for i in range(num_asm):
        clave, nombre, tipo, siglas = PROGRAMAS[i % len(PROGRAMAS)]
        programa = session.scalar(select(Programa).where(Programa.clave == clave))
        if programa is None:
            programa = Programa(clave=clave, nombre=nombre, tipo=tipo)
            session.add(programa)
            session.flush()
        if programa.id not in evaluaciones:
            # A source of each kind (Art. 6); IMPLAN sets the limit of its own ones.
            tipo_ev = rnd.choice(list(TipoEvaluacion))
            notificacion = cal.sumar_habiles(inicio, rnd.randint(1, 10))
            recepciones[programa.id] = cal.sumar_habiles(inicio, rnd.randint(11, 15))
            ev = Evaluacion(
                programa_id=programa.id,
                tipo=tipo_ev.value,
                ejercicio_evaluado=ejercicio,
                evaluador="Instancia evaluadora externa" if tipo_ev is TipoEvaluacion.EXTERNA
                else "IMPLAN",
                fecha_notificacion=notificacion,
                fecha_limite_atencion=None if tipo_ev is TipoEvaluacion.EXTERNA
                else cal.habil_o_siguiente(hoy + timedelta(days=300)),
            )  # fmt: skip
            session.add(ev)
            session.flush()
            evaluaciones[programa.id] = ev
            for j, (texto, motivo) in enumerate(_NO_SELECCIONADAS[: 1 + len(evaluaciones) % 2]):
                session.add(
                    Recomendacion(
                        evaluacion_id=ev.id, numero=100 + j, texto=texto, claridad=True,
                        relevancia=j != 2, justificacion=True, factibilidad=j == 2,
                        motivo_no_seleccion=motivo,
                    )
                )  # fmt: skip
        ev = evaluaciones[programa.id]
        numero = i // len(PROGRAMAS) + 1
        recepcion = recepciones[programa.id]
        asm = Asm(
            programa_id=programa.id, numero=numero, evaluacion_id=ev.id, fecha_recepcion=recepcion
        )
        session.add(asm)
        session.flush()

        forma = rnd.choices(("especifico", "institucional", "inter", "gobierno"), (5, 3, 2, 1))[0]
        deps = [_dep(catalogo, s) for s in siglas][:1]
        if forma == "inter":
            extra = [_dep(catalogo, s) for s in siglas[1:]] or [
                _dep(catalogo, rnd.choice(("TM", "SECAD", "SIDC")))
            ]
            deps.append(extra[0])
        unidades = [d.unidades[numero % len(d.unidades)] if d.unidades else None for d in deps]
        if forma == "institucional" and len(deps[0].unidades) > 1:
            # Two areas of one dependencia (Art. 9).
            deps.append(deps[0])
            unidades.append(deps[0].unidades[(numero + 1) % len(deps[0].unidades)])
        gobierno = "Gobierno del Estado de Puebla" if forma == "gobierno" else None
        for k, (d, u) in enumerate(zip(deps, unidades, strict=True)):
            session.add(
                AsmResponsable(
                    asm_id=asm.id, dependencia_id=d.id, unidad_id=u.id if u else None,
                    motivo_participacion=_MOTIVOS[k % len(_MOTIVOS)],
                )
            )  # fmt: skip
        # The classification follows from the actors, so it is always consistent (Art. 9).
        clasificacion = (
            clasificacion_sugerida(
                [
                    Responsable(d.id, u.id if u else None)
                    for d, u in zip(deps, unidades, strict=True)
                ],
                gobierno,
            )
            or Clasificacion.ESPECIFICO
        )
        asm.gobierno_externo = gobierno
        area = "; ".join(
            f"{d.nombre} / {u.nombre}" if u else d.nombre
            for d, u in zip(deps, unidades, strict=True)
        )

        creado = inicio + timedelta(days=rnd.randint(0, 60))
        # Some fechas de término already passed: those ASM that stalled are the late ones.
        termino = cal.habil_o_siguiente(hoy + timedelta(days=rnd.randint(-120, 270)))
        limite = limite_atencion(ev, cal)
        if limite is not None and termino > limite:
            termino = limite  # Anexo A, f): never beyond the evaluation's límite de atención
        estancado = rnd.random() < 0.2
        # Plans in every state of the review (Art. 10–12), most of them approved.
        estado = rnd_planes.choices(list(EstadoPlan), weights=(1, 1, 1, 6))[0]
        version = registro.nueva_version(
            session, asm, creado, actor, origen="demo",
            texto=rnd.choice(_HALLAZGOS).format(anio=ejercicio),
            clasificacion=clasificacion.value,
            prioridad=rnd.choice(list(Prioridad)).value,
            claridad=True, relevancia=True, justificacion=True, factibilidad=True,
            area_responsable=area,
            actividades=rnd.choice(_ACTIVIDADES),
            fecha_termino=termino,
            resultados_esperados=rnd.choice(_RESULTADOS),
            productos_evidencias=rnd.choice(_PRODUCTOS),
            observaciones="",
            valoracion=None,
            estado_plan=estado.value,
        )  # fmt: skip
        session.add(
            Recomendacion(
                evaluacion_id=ev.id, numero=numero, texto=version.texto if version else "",
                claridad=True, relevancia=True, justificacion=True, factibilidad=True,
                asm_id=asm.id,
            )
        )  # fmt: skip
        if estado is EstadoPlan.OBSERVADO and version is not None:
            session.add(
                RevisionPlan(
                    asm_id=asm.id, version_id=version.id, resultado=estado.value,
                    observaciones=_OBSERVACION_PLAN,
                )
            )  # fmt: skip

        porcentaje = 0
        mes = date(creado.year, creado.month, 1)
        ultimo_mes = date(hoy.year, hoy.month, 1)
        while mes <= ultimo_mes:
            if mes == ultimo_mes and rnd.random() < 0.4:
                break  # this month not reported yet: what the reminders are for
            paso = rnd.randint(0, 4) if estancado else rnd.randint(5, 20)
            porcentaje = min(100, porcentaje + paso)
            obs = rnd.choice(_OBS_RETRASO) if estancado and paso == 0 else ""
            registro.registrar_avance(
                session, asm, mes, porcentaje, actor, origen="demo", observaciones=obs
            )
            mes = date(mes.year + mes.month // 12, mes.month % 12 + 1, 1)
        if porcentaje == 100 and termino < hoy:
            registro.nueva_version(
                session, asm, termino, actor, origen="demo", valoracion=Valoracion.ATENDIDO.value
            )
        elif estancado and termino < hoy:
            registro.nueva_version(
                session, asm, termino, actor, origen="demo",
                valoracion=Valoracion.NO_ATENDIDO.value,
                observaciones=rnd.choice(_OBS_RETRASO),
            )  # fmt: skip
        creados += 1
        if progreso:
            progreso(1)
    return creados


def _dep(catalogo: Catalogo, siglas: str) -> Dependencia:
    dep = catalogo.buscar(siglas)
    assert dep is not None, siglas
    return dep
