"""The action plan end to end: the enlace writes and sends it, IMPLAN observes or approves it
(Art. 10–12), and the posición institucional (Art. 8)."""

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.dominio.plazos import plazo_posicion_institucional
from bot.dominio.vocabulario import Rol
from bot.mensajes import plan as plan_textos
from bot.mensajes import textos
from bot.servicios import registro
from botapi_double import SimUser
from storage.models import (
    Asm,
    Auditoria,
    Evaluacion,
    PosicionInstitucional,
    RevisionPlan,
    Usuario,
)
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64


def _asm_id(arnes: Arnes, numero: int) -> int:
    return arnes.bd(lambda s: s.scalars(select(Asm.id).where(Asm.numero == numero)).one())


def _estado_plan(arnes: Arnes, numero: int) -> str:
    asm_id = _asm_id(arnes, numero)
    return arnes.bd(
        lambda s: registro.version_vigente(s, asm_id, date(2026, 11, 18)).estado_plan  # type: ignore[union-attr]
    )


def _negados(arnes: Arnes) -> list[tuple[str, dict[str, object]]]:
    return arnes.bd(
        lambda s: [
            (a.actor, a.detalle)
            for a in s.scalars(select(Auditoria).where(Auditoria.accion == "acceso_denegado"))
        ]
    )


async def _gente(arnes: Arnes) -> tuple[SimUser, SimUser, SimUser]:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    cont = arnes.double.user(first_name="Contraloría")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    return coord, cont, ana


async def _completar(ana: SimUser, campo: str, valor: str) -> None:
    await ana.press(campo)
    await ana.send(valor)


async def test_plan_written_observed_corrected_and_approved(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    antes_cont = len(cont.messages)

    await ana.send("/plan")
    etiquetas = ana.last.labels()
    assert etiquetas[0].startswith("Núm. 1 · E003 · Borrador · Integrar")
    assert etiquetas[1].startswith("Núm. 2 · E003 · Borrador")
    assert not any("Núm. 3" in e for e in etiquetas)  # the Tesorería's
    await ana.press("Núm. 1 · E003")
    assert "Estado: Borrador" in ana.last.text
    assert "Actividades: Mesas de trabajo y documento final" in ana.last.text
    assert ana.last.labels() == [
        "Actividades",
        "Fecha de término",
        "Resultados esperados",
        "Productos y evidencias",
        "Enviar a revisión",
        "Cancelar",
    ]
    await ana.press("Enviar a revisión")  # incomplete: refused, saying what is missing
    assert ana.callback_answers[-1]["text"] == (
        "Falta «Resultados esperados». Falta «Productos y/o evidencias»."
    )

    await _completar(ana, "Resultados esperados", "Padrón único <publicado> & depurado")
    assert ana.messages[-2].text == "✅ Se guardó «Resultados esperados»."
    assert "Resultados esperados: Padrón único <publicado> & depurado" in ana.last.text
    await _completar(ana, "Productos y evidencias", "Padrón en Excel y acta de validación")
    await _completar(ana, "Fecha de término", "31/01/2027")
    assert "Fecha de término: 31/01/2027" in ana.last.text
    assert _estado_plan(arnes, 1) == "borrador"
    await ana.press("Enviar a revisión")
    assert ana.last.text.startswith("📤 Se envió a revisión el plan del ASM Núm. 1 · E003")
    assert _estado_plan(arnes, 1) == "enviado"
    assert "Plan de acción enviado a revisión" in coord.last.text
    assert "Dependencia: Sistema Municipal DIF" in coord.last.text
    assert len(cont.messages) == antes_cont  # the Contraloría is not asked to review

    await ana.send("/plan")
    await ana.press("Núm. 1 · E003")  # in review: shown, not editable
    assert "el plan está en revisión del IMPLAN" in ana.last.text
    assert ana.last.labels() == []

    await coord.send("/revisar")
    assert coord.last.labels()[0].startswith("Núm. 1 · E003 · SMDIF")
    await coord.press("Núm. 1 · E003")
    assert "Padrón en Excel y acta de validación" in coord.last.text
    await coord.press("Enviar observaciones")
    await coord.send("Precise la meta: cuántas personas y en qué fecha <b>")
    assert "Se enviaron las observaciones del ASM Núm. 1 · E003" in coord.last.text
    assert _estado_plan(arnes, 1) == "observado"
    aviso = ana.last
    assert "Observaciones a su plan de acción" in aviso.text
    assert "Precise la meta: cuántas personas y en qué fecha <b>" in aviso.text
    assert aviso.labels() == ["Corregir el plan"]

    await ana.press("Corregir el plan")
    assert "Estado: Con observaciones" in ana.last.text
    assert "Observaciones del IMPLAN: Precise la meta" in ana.last.text
    await _completar(ana, "Resultados esperados", "Padrón de 12,000 personas al 31/01/2027")
    await ana.press("Enviar a revisión")
    assert _estado_plan(arnes, 1) == "enviado"

    await coord.send("/revisar")
    await coord.press("Núm. 1 · E003")
    revision = coord.last
    await coord.press("Aprobar")
    assert "Aprobó el plan del ASM Núm. 1 · E003" in coord.last.text
    assert "Plan de acción aprobado" in ana.last.text
    assert _estado_plan(arnes, 1) == "aprobado"
    await coord.press_data(f"pl1:ok:{_asm_id(arnes, 1)}", revision.message_id)  # again
    assert "el plan ya fue aprobado" in coord.callback_answers[-1]["text"]
    revisiones = arnes.bd(
        lambda s: [(r.resultado, r.observaciones) for r in s.scalars(select(RevisionPlan))]
    )
    assert [r[0] for r in revisiones] == ["observado", "aprobado"]

    await coord.send("/revisar")
    assert coord.last.text == plan_textos.SIN_PLANES_EN_REVISION


async def test_fecha_de_termino_beyond_the_limit_is_refused(arnes: Arnes) -> None:
    asm_id = _asm_id(arnes, 1)

    def evaluacion_externa(s: Session) -> Any:
        asm = s.get_one(Asm, asm_id)
        # Evaluated 2026: compliance by the last business day of April 2027 (Art. 13).
        ev = Evaluacion(programa_id=asm.programa_id, tipo="externa", ejercicio_evaluado=2026)
        s.add(ev)
        s.flush()
        asm.evaluacion_id = ev.id

    arnes.bd(evaluacion_externa)
    _, _, ana = await _gente(arnes)
    await ana.send("/plan")
    await ana.press("Núm. 1 · E003")
    assert "(límite: 30/04/2027)" in ana.last.text  # Art. 13: last business day of April
    await ana.press("Fecha de término")
    assert "límite: 30/04/2027" in ana.last.text
    await ana.send("el próximo mes")
    assert ana.last.text.startswith("«el próximo mes» no es una fecha")
    await ana.send("15/05/2027")
    assert "excede la fecha límite de atención de la evaluación (30/04/2027)" in ana.last.text
    await ana.send("31/02/2027")
    assert "no es una fecha válida" in ana.last.text
    await ana.send("01/11/2026")
    assert "ya pasó" in ana.last.text
    await ana.send("30/04/2027")
    assert "Fecha de término: 30/04/2027 (límite: 30/04/2027)" in ana.last.text


async def test_intergubernamental_asm_need_no_plan(arnes: Arnes) -> None:
    asm_id = _asm_id(arnes, 2)

    def intergubernamental(s: Session) -> Any:
        registro.nueva_version(
            s, s.get_one(Asm, asm_id), date(2026, 11, 1), "test", origen="test",
            clasificacion="intergubernamental",
        )  # fmt: skip

    arnes.bd(intergubernamental)
    _, _, ana = await _gente(arnes)
    await ana.send("/plan")
    assert any(e.startswith("Núm. 2 · E003 · Sin plan") for e in ana.last.labels())
    await ana.press("Núm. 2 · E003")
    assert "intergubernamentales no requieren plan de acción" in ana.last.text
    assert ana.last.labels() == []
    await ana.press_data(f"pl1:env:{asm_id}")
    assert "no requieren plan" in ana.callback_answers[-1]["text"]


async def test_refusals_roles_forged_buttons_and_deactivated(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    tomas = arnes.double.user(first_name="Tomás")
    await arnes.registrar(tomas, Rol.ENLACE, "TM")
    asm1 = _asm_id(arnes, 1)

    await ana.send("/revisar")
    assert ana.last.text == plan_textos.SOLO_COORDINACION
    await cont.send("/revisar")
    assert cont.last.text == plan_textos.CONTRALORIA_SOLO_CONSULTA
    await cont.send("/plan")
    assert cont.last.text == plan_textos.CONTRALORIA_SOLO_CONSULTA
    await coord.send("/plan")
    assert coord.last.text == textos.SOLO_ENLACES

    # The Tesorería's enlace forges buttons for the DIF's ASM: refused and audited.
    await tomas.send("/plan")
    await tomas.press_data(f"pl1:a:{asm1}")
    assert tomas.last.text == textos.NO_AUTORIZADO
    await tomas.press_data(f"pl1:c:{asm1}:0")
    assert tomas.last.text == textos.NO_AUTORIZADO
    await tomas.press_data(f"pl1:env:{asm1}")
    assert tomas.callback_answers[-1]["text"] == textos.NO_AUTORIZADO

    # Ana sends a complete plan; the Contraloría and Ana herself cannot approve it.
    await ana.send("/plan")
    await ana.press("Núm. 1 · E003")
    await _completar(ana, "Resultados esperados", "Padrón")
    await _completar(ana, "Productos y evidencias", "Acta")
    await ana.press("Enviar a revisión")
    await cont.press_data(f"pl1:ok:{asm1}")
    assert "no modificarlos" in cont.callback_answers[-1]["text"]
    await cont.press_data(f"pl1:obs:{asm1}")
    assert "no modificarlos" in cont.callback_answers[-1]["text"]
    await ana.press_data(f"pl1:ok:{asm1}")
    assert "corresponde al Departamento de Evaluación" in ana.callback_answers[-1]["text"]
    assert _estado_plan(arnes, 1) == "enviado"
    intentos = [d["intento"] for _, d in _negados(arnes)]
    assert intentos.count("plan_editar") == 2 and "plan_enviar" in intentos
    assert intentos.count("plan_aprobar") == 2 and "plan_observar" in intentos

    arnes.bd(
        lambda s: s.execute(
            update(Usuario).where(Usuario.telegram_id == ana.id).values(activo=False)
        )
    )
    await ana.send("/plan")
    assert ana.last.text == textos.DESACTIVADO
    await ana.press_data(f"pl1:a:{asm1}")
    assert ana.callback_answers[-1]["text"] == textos.DESACTIVADO


async def test_a_restart_keeps_the_step(arnes: Arnes) -> None:
    _, _, ana = await _gente(arnes)
    await ana.send("/plan")
    await ana.press("Núm. 2 · E003")
    await ana.press("Resultados esperados")
    await arnes.reiniciar()
    await ana.send("Procedimiento publicado")
    assert ana.messages[-2].text == "✅ Se guardó «Resultados esperados»."


# --- Posición institucional (Art. 8) --------------------------------------------------------


def _evaluacion(arnes: Arnes, notificada: date) -> int:
    def crear(s: Session) -> int:
        asm = s.scalars(select(Asm).where(Asm.numero == 1)).one()
        ev = Evaluacion(
            programa_id=asm.programa_id, tipo="interna", ejercicio_evaluado=2026,
            fecha_notificacion=notificada,
        )  # fmt: skip
        s.add(ev)
        s.flush()
        return ev.id

    return arnes.bd(crear)


async def test_posicion_institucional_on_time_and_late(arnes: Arnes, cal) -> None:  # type: ignore[no-untyped-def]
    reciente = _evaluacion(arnes, date(2026, 11, 13))
    _evaluacion(arnes, date(2026, 10, 1))
    _, cont, ana = await _gente(arnes)
    plazo = plazo_posicion_institucional(date(2026, 11, 13), cal)
    assert plazo >= date(2026, 11, 18)

    await ana.send("/posicion")
    assert "posición institucional" in ana.last.text
    etiquetas = ana.last.labels()
    assert etiquetas[0] == f"E003 · 2026 · interna · plazo {plazo:%d/%m/%Y}"
    await ana.press(etiquetas[0])
    assert "Envíe el documento de posición institucional" in ana.last.text
    await ana.send("aquí va")
    assert ana.last.text == plan_textos.POSICION_SOLO_DOCUMENTO
    await ana.send_photo(PNG)
    assert ana.last.text == plan_textos.POSICION_SOLO_DOCUMENTO
    await ana.send_document(PNG, "posicion.png")
    assert "PDF o documento de Word" in ana.last.text
    await ana.send_document(PDF, "Posición DIF.pdf")
    assert "Posición institucional recibida" in ana.last.text
    assert f"Entregada en tiempo (plazo: {plazo:%d/%m/%Y})" in ana.last.text

    await ana.send("/posicion")
    assert ana.last.labels()[0].endswith("✅")
    await ana.press(ana.last.labels()[1])
    await ana.send_document(PDF + b"v2", "tarde.pdf")
    assert "Entregada fuera de plazo" in ana.last.text

    filas = arnes.bd(
        lambda s: [
            (p.evaluacion_id, p.nombre_original, p.en_tiempo, p.tipo_detectado)
            for p in s.scalars(select(PosicionInstitucional).order_by(PosicionInstitucional.id))
        ]
    )
    assert filas[0] == (reciente, "Posición DIF.pdf", True, "application/pdf")
    assert filas[1][2] is False

    # An evaluation of a Pp the dependencia does not answer for (forged), and the Contraloría.
    tomas = arnes.double.user(first_name="Tomás")
    await arnes.registrar(tomas, Rol.ENLACE, "TM")
    await tomas.press_data("pl1:pe:999999")
    assert tomas.last.text == plan_textos.EVALUACION_AJENA
    await cont.send("/posicion")
    assert cont.last.text == plan_textos.CONTRALORIA_SOLO_CONSULTA
    await cont.press_data(f"pl1:pe:{reciente}")
    assert cont.last.text == plan_textos.CONTRALORIA_SOLO_CONSULTA


async def test_no_posicion_reminder_once_the_dependencia_uploaded_it(arnes: Arnes) -> None:
    from scheduler.trabajos import ejecutar_ronda

    _evaluacion(arnes, date(2026, 11, 17))  # due 24/11/2026: within the reminder thresholds
    _, _, ana = await _gente(arnes)
    tomas = arnes.double.user(first_name="Tomás")
    await arnes.registrar(tomas, Rol.ENLACE, "TM")  # the TM answers for ASM 3 of E003 too
    await ana.send("/posicion")
    await ana.press(ana.last.labels()[0])
    await ana.send_document(PDF, "posicion.pdf")
    assert "Entregada en tiempo" in ana.last.text

    assert arnes.app is not None
    await ejecutar_ronda(arnes.app)

    def recordatorios(u: SimUser) -> list[str]:
        return [m.text for m in u.messages if "Posición institucional" in m.text]

    assert len(recordatorios(tomas)) == 1
    assert [t for t in recordatorios(ana) if "recibida" not in t] == []
