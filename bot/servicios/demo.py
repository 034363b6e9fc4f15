"""`asmbot demo`: a realistic sample register so the product can be tried and shown.

Deterministic (fixed seed): the same database every time for the same date.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.dominio.plazos import limite_atencion
from bot.dominio.seleccion import Responsable, clasificacion_sugerida
from bot.dominio.valoracion import observacion_valoracion, validar_valoracion
from bot.dominio.vocabulario import Clasificacion, EstadoPlan, Prioridad, TipoEvaluacion, Valoracion
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo, cargar_dependencias_csv
from bot.servicios.evidencias import AlmacenEvidencias
from bot.servicios.prorrogas import PENDIENTE
from bot.servicios.valoracion import situacion
from storage.models import (
    Asm,
    AsmResponsable,
    Avance,
    Dependencia,
    Evaluacion,
    Evidencia,
    Programa,
    Prorroga,
    Recomendacion,
    RevisionPlan,
    ValoracionAsm,
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
# Its ASM stay open and unreported this month: the sandbox opens on it, with a run to report.
DEPENDENCIA_PENDIENTE = "SMDIF"
PRORROGAS = 3  # requests waiting for the coordinación, on open ASM with a date ahead
_CONCLUIDO_TARDE = "Se concluyó después de la fecha de término, sin prórroga aprobada."
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
    almacen: AlmacenEvidencias | None = None,
) -> int:
    """Fills an empty register; returns how many ASM it created. Refuses a non-empty one.

    With `almacen`, each ASM that reached 100 % has an evidence file, so it may be «Atendido»;
    every valoración is recorded only when Art. 14 allows it that day (bot.dominio.valoracion).
    """
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
        pendiente = siglas[0] == DEPENDENCIA_PENDIENTE
        con_evidencia = False
        while mes <= ultimo_mes:
            if mes == ultimo_mes and (rnd.random() < 0.4 or pendiente):
                break  # this month not reported yet: what the reminders are for
            paso = rnd.randint(0, 4) if estancado else rnd.randint(5, 20)
            porcentaje = min(90 if pendiente else 100, porcentaje + paso)
            obs = rnd.choice(_OBS_RETRASO) if estancado and paso == 0 else ""
            avance = registro.registrar_avance(
                session, asm, mes, porcentaje, actor, origen="demo", observaciones=obs
            )
            # Reported mid-month (never after `hoy`): Art. 14 judges «en tiempo» on that day.
            dia_reporte = min(mes + timedelta(days=14), hoy)
            avance.registrado_en = datetime.combine(dia_reporte, time(18), tzinfo=UTC)
            if porcentaje == 100 and almacen is not None and not con_evidencia:
                _evidencia(session, almacen, asm, avance, f"{clave} {numero}")
                con_evidencia = True
            mes = date(mes.year + mes.month // 12, mes.month % 12 + 1, 1)
        if termino < hoy:
            # IMPLAN values it the business day after its fecha de término, when Art. 14 allows.
            dia = min(cal.siguiente_habil(termino), hoy)
            causas = rnd.choice(_OBS_RETRASO)
            if porcentaje == 100:
                if not _valorar(session, asm, Valoracion.ATENDIDO, dia, cal):
                    _valorar(session, asm, Valoracion.NO_ATENDIDO, dia, cal, _CONCLUIDO_TARDE)
            elif estancado:
                _valorar(session, asm, Valoracion.NO_ATENDIDO, dia, cal, causas)
        creados += 1
        if progreso:
            progreso(1)
    _prorrogas(session, hoy, cal)
    return creados


def _valorar(
    session: Session, asm: Asm, valoracion: Valoracion, dia: date, cal: CalendarioHabil,
    causas: str = "",
) -> bool:  # fmt: skip
    """Records the valoración as the coordinación would, only if Art. 14 allows it on `dia`."""
    session.flush()
    hechos = situacion(session, asm.id, dia, cal).hechos
    if validar_valoracion(valoracion, hechos, causas=causas):
        return False  # it stays in IMPLAN's queue (Art. 14), as a real one would
    version = registro.version_vigente(session, asm.id, dia)
    assert version is not None
    linea = observacion_valoracion(valoracion, causas, "", False)
    previas = version.observaciones.strip()
    nueva = registro.nueva_version(
        session, asm, dia, "demo", origen="demo", valoracion=valoracion.value,
        observaciones=f"{previas}\n{linea}" if previas and linea else linea or previas,
    )  # fmt: skip
    assert nueva is not None
    session.add(
        ValoracionAsm(
            asm_id=asm.id, version_id=nueva.id, accion="valoracion", valoracion=valoracion.value,
            fecha=dia, causas=causas,
        )
    )  # fmt: skip
    return True


def _evidencia(
    session: Session, almacen: AlmacenEvidencias, asm: Asm, avance: Avance, titulo: str
) -> None:
    archivo = almacen.guardar(
        pdf_muestra(f"Evidencia de muestra: ASM {titulo}"), f"evidencia {titulo}.pdf"
    )
    session.add(
        Evidencia(
            asm_id=asm.id, avance_id=avance.id, sha256=archivo.sha256, tamano=archivo.tamano,
            tipo_detectado=archivo.tipo, nombre_original=archivo.nombre, ruta=archivo.ruta,
        )
    )  # fmt: skip


def _prorrogas(session: Session, hoy: date, cal: CalendarioHabil) -> None:
    """A few requests for a later fecha de término, waiting for the coordinación (/asm)."""
    abiertos = [
        (a, v)
        for a in session.scalars(select(Asm).order_by(Asm.id))
        if (v := registro.version_vigente(session, a.id, hoy)) is not None
        and v.valoracion is None
        and v.fecha_termino is not None
        and v.fecha_termino > hoy
    ]
    for asm, version in abiertos[:: max(1, len(abiertos) // PRORROGAS)][:PRORROGAS]:
        assert version.fecha_termino is not None
        ev = session.get(Evaluacion, asm.evaluacion_id) if asm.evaluacion_id else None
        limite = limite_atencion(ev, cal) if ev is not None else None
        nueva = cal.sumar_habiles(version.fecha_termino, 20)
        if limite is not None and nueva > limite:
            continue  # Anexo A, f): no prórroga beyond the evaluation's límite de atención
        session.add(
            Prorroga(
                asm_id=asm.id, fecha_original=version.fecha_termino, fecha_nueva=nueva,
                justificacion=_OBS_RETRASO[asm.id % len(_OBS_RETRASO)], estado=PENDIENTE,
            )
        )  # fmt: skip


def pdf_muestra(texto: str) -> bytes:
    """A one-page PDF with one line of text: a sample evidence file that opens anywhere."""
    linea = texto.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    contenido = b"BT /F1 14 Tf 72 720 Td (" + linea + b") Tj ET"
    objetos = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(contenido) + contenido + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    salida = bytearray(b"%PDF-1.4\n")
    posiciones = []
    for n, cuerpo in enumerate(objetos, 1):
        posiciones.append(len(salida))
        salida += b"%d 0 obj\n" % n + cuerpo + b"\nendobj\n"
    xref = len(salida)
    salida += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objetos) + 1)
    salida += b"".join(b"%010d 00000 n \n" % p for p in posiciones)
    salida += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objetos) + 1, xref,
    )  # fmt: skip
    return bytes(salida)


def _dep(catalogo: Catalogo, siglas: str) -> Dependencia:
    dep = catalogo.buscar(siglas)
    assert dep is not None, siglas
    return dep
