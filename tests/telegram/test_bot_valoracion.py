"""/valorar, /reabrir and /prorroga end to end: the queue, a valoración that locks the ASM, a
refused /avance, a reopening, and a prórroga asked for and approved with its copies."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.mensajes import busqueda
from bot.mensajes import plan as plan_textos
from bot.mensajes import valoracion as vt
from bot.servicios import registro
from bot.servicios.evidencias import AlmacenEvidencias
from botapi_double import SimUser
from storage.models import Asm, Auditoria, Evidencia, Prorroga, ValoracionAsm
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOY = date(2026, 11, 18)


def _asm_id(arnes: Arnes, numero: int) -> int:
    return arnes.bd(lambda s: s.scalars(select(Asm.id).where(Asm.numero == numero)).one())


def _vigente(arnes: Arnes, numero: int) -> tuple[str | None, str, date | None]:
    asm_id = _asm_id(arnes, numero)

    def leer(s: Session) -> tuple[str | None, str, date | None]:
        v = registro.version_vigente(s, asm_id, HOY)
        assert v is not None
        return v.valoracion, v.observaciones, v.fecha_termino

    return arnes.bd(leer)


async def _gente(arnes: Arnes) -> tuple[SimUser, SimUser, SimUser]:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    cont = arnes.double.user(first_name="Contraloría")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    return coord, cont, ana


def _completo_con_evidencia(arnes: Arnes, numero: int) -> None:
    asm_id = _asm_id(arnes, numero)
    guardado = AlmacenEvidencias(arnes.entorno.settings.data_dir).guardar(PDF, "acta.pdf")

    def trabajo(s: Session) -> Any:
        asm = s.get_one(Asm, asm_id)
        registro.registrar_avance(s, asm, date(2026, 11, 1), 100, "test", origen="test")
        s.add(
            Evidencia(
                asm_id=asm_id, sha256=guardado.sha256, tamano=guardado.tamano,
                tipo_detectado=guardado.tipo, nombre_original="acta.pdf", ruta=guardado.ruta,
            )
        )  # fmt: skip

    arnes.bd(trabajo)


async def test_queue_atendido_locks_avance_refused_then_reopened(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    # Núm. 2 is past its fecha de término (30/10/2026); Núm. 1 is at 40 %, due 15/12/2026.
    await coord.send("/valorar")
    assert coord.last.text.startswith("ASM por valorar (artículo 14): 1")
    assert [b.startswith("SMDIF · Núm. 2 · E003 · venció") for b in coord.last.labels()] == [True]

    _completo_con_evidencia(arnes, 1)
    await coord.send("/valorar")
    assert "En 100 % sin valoración: 1 · ⌛ Fecha de término vencida: 1" in coord.last.text
    etiquetas = coord.last.labels()
    assert len(etiquetas) == 2 and "Núm. 1" in etiquetas[1]  # the older wait first
    await coord.press(etiquetas[1])
    assert "Atendido: procede." in coord.last.text
    assert "No aplica: no procede, sólo procede para ASM interinstitucionales" in coord.last.text
    assert "No atendido: no procede, el ASM llegó a 100 % en tiempo." in coord.last.text
    # Only valid valoraciones get a button; the evidence is one tap away.
    assert coord.last.labels() == ["Atendido", plan_textos.boton_evidencia("acta.pdf"), "Cancelar"]
    await coord.press("Atendido")
    assert "Se registró «Atendido» para el ASM Núm. 1 · E003" in coord.last.text
    assert _vigente(arnes, 1)[0] == "atendido"
    assert "como Atendido" in ana.last.text
    assert "como Atendido" in cont.last.text  # the Contraloría gets a copy

    # Locked: /avance on it is refused, and the service refuses too.
    asm1 = _asm_id(arnes, 1)
    await ana.send("/avance")
    await ana.press_data(f"av1:a:{asm1}")  # a refusal on a button is its pop-up
    assert "ya tiene valoración del IMPLAN y está cerrado" in ana.callback_answers[-1]["text"]
    await coord.send("/valorar 1")
    assert "ya está valorado como «Atendido»" in coord.last.text

    # Reopening, with a reason, told to the enlace and the Contraloría.
    await coord.send("/reabrir 1")
    assert coord.last.text == vt.PIDA_MOTIVO
    await coord.send("La evidencia corresponde a otro ASM")
    assert "Se reabrió el ASM Núm. 1 · E003" in coord.last.text
    assert _vigente(arnes, 1)[0] is None
    assert "Motivo: La evidencia corresponde a otro ASM" in ana.last.text
    assert "ASM reabierto" in cont.last.text
    acciones = arnes.bd(
        lambda s: s.scalars(
            select(ValoracionAsm.accion)
            .where(ValoracionAsm.asm_id == asm1)
            .order_by(ValoracionAsm.id)
        ).all()
    )
    assert acciones == ["valoracion", "reapertura"]
    bitacora = arnes.bd(
        lambda s: s.scalars(select(Auditoria.accion).where(Auditoria.objeto_id == asm1)).all()
    )
    assert "valoracion" in bitacora and "reapertura" in bitacora
    # Reopened, it takes progress again; its plan (a draft) was never reviewed, and both the
    # enlace and the copy to the coordinación are told so.
    await ana.send("/avance")
    await ana.press_data(f"av1:a:{asm1}")
    assert ana.last.text.startswith("Ya informó el avance de noviembre de 2026")  # before closing
    await ana.press("Corregir ese reporte")
    assert "cerrado" not in ana.last.text
    assert "Su plan de acción aún no está revisado por el IMPLAN" in ana.last.text
    await ana.send("100")
    await ana.send("Se repuso la evidencia correcta")
    await ana.send_document(PDF, "padron.pdf", "application/pdf")
    await ana.press("Listo")
    await ana.press("Confirmar")
    assert "Folio:" in ana.last.text
    assert "Plan de acción: aún no revisado por el IMPLAN" in coord.last.text


async def test_no_atendido_only_after_the_date_or_declared_with_causes(arnes: Arnes) -> None:
    coord, _, ana = await _gente(arnes)
    await coord.send("/valorar 1")  # not due yet: only the dependencia's declaration
    assert coord.last.labels() == [vt.BOTON_DECLARADA, "Cancelar"]
    assert "no ha pasado; sólo procede si la dependencia declara" in coord.last.text
    await coord.send("/valorar 2")  # due 30/10/2026 at 60 %
    assert coord.last.labels() == ["No atendido", "Cancelar"]
    await coord.press("No atendido")
    assert coord.last.text == vt.PIDA_CAUSAS
    await coord.send("   ")
    assert coord.last.text == vt.PIDA_CAUSAS
    await coord.send("Falta de personal <capacitado> en el área")
    assert "Se registró «No atendido»" in coord.last.text
    valoracion, observaciones, _ = _vigente(arnes, 2)
    assert valoracion == "no_atendido"
    assert observaciones == "No atendido: Falta de personal <capacitado> en el área"
    assert "Causas: Falta de personal <capacitado> en el área" in ana.last.text


async def test_no_aplica_keeps_the_institution_and_the_cause(arnes: Arnes) -> None:
    coord, _, _ = await _gente(arnes)
    asm1, asm3 = _asm_id(arnes, 1), _asm_id(arnes, 3)
    await coord.send("/valorar 1")
    await coord.press_data(f"va1:v:{asm1}:2")  # a forged «No aplica» on an específico
    assert "«No aplica» no procede" in coord.callback_answers[-1]["text"]
    assert _vigente(arnes, 1)[0] is None

    def interinstitucional(s: Session) -> Any:
        registro.nueva_version(
            s, s.get_one(Asm, asm3), date(2026, 11, 1), "test", origen="test",
            clasificacion="interinstitucional",
        )  # fmt: skip

    arnes.bd(interinstitucional)
    await coord.send("/valorar 3")
    assert "No aplica" in coord.last.labels()
    await coord.press("No aplica")
    assert coord.last.text == vt.PIDA_INSTITUCION
    await coord.send("Gobierno del Estado")
    assert coord.last.text == vt.PIDA_CAUSA_AJENA
    await coord.send("No entregó la base de datos")
    assert "Se registró «No aplica»" in coord.last.text
    valoracion, observaciones, _ = _vigente(arnes, 3)
    assert valoracion == "no_aplica"
    assert (
        "No aplica: No entregó la base de datos (colaboración fallida: Gobierno del Estado)"
        in observaciones
    )
    fila = arnes.bd(
        lambda s: s.scalars(select(ValoracionAsm).where(ValoracionAsm.asm_id == asm3)).one()
    )
    assert (fila.institucion, fila.causas) == ("Gobierno del Estado", "No entregó la base de datos")


async def test_refusals(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    asm2 = _asm_id(arnes, 2)
    await ana.send("/valorar 2")
    assert ana.last.text == plan_textos.SOLO_COORDINACION
    await cont.send("/valorar 2")
    assert cont.last.text == plan_textos.CONTRALORIA_SOLO_CONSULTA
    await cont.press_data(f"va1:v:{asm2}:1")
    assert "no modificar" in cont.callback_answers[-1]["text"]
    await ana.press_data(f"va1:a:{asm2}")
    assert ana.last.text == plan_textos.SOLO_COORDINACION
    assert _vigente(arnes, 2)[0] is None
    await coord.send("/valorar 99")
    assert coord.last.text == busqueda.sin_asm("99")


async def test_prorroga_asked_approved_and_copied(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    await ana.send("/prorroga 2")  # due 30/10/2026, already passed
    assert "Fecha de término vigente: 30/10/2026" in ana.last.text
    await ana.send("15/10/2026")
    await ana.send("Cambio de titular")
    assert "debe ser posterior a la fecha de término vigente" in ana.last.text
    await ana.send("31/01/2027")
    await ana.send("Cambio de titular en el área")
    assert "Se envió su solicitud de prórroga del ASM Núm. 2 · E003 al 31/01/2027" in ana.last.text
    assert "Solicitud de prórroga" in coord.last.text
    assert "30/10/2026 → solicitada: 31/01/2027" in coord.last.text
    assert "Solicitud de prórroga" in cont.last.text  # copy to the Contraloría
    await coord.press(vt.BOTON_APROBAR)
    assert coord.last.text == vt.PIDA_NOTA_APROBAR
    await coord.send("Aprobada por única vez")
    assert "Se aprobó la prórroga del ASM Núm. 2" in coord.last.text
    assert (
        "la fecha de término vigente es ahora 31/01/2027 (la original era 30/10/2026)"
        in ana.last.text
    )
    assert "Prórroga aprobada" in cont.last.text
    _, observaciones, termino = _vigente(arnes, 2)
    assert termino == date(2027, 1, 31)
    assert "fecha de término original 30/10/2026, nueva 31/01/2027" in observaciones
    estado = arnes.bd(lambda s: s.scalars(select(Prorroga.estado)).one())
    assert estado == "aprobada"
    await ana.send("/asm 2")  # the original date stays visible in the history
    assert "fecha de término original 30/10/2026, nueva 31/01/2027" in ana.last.text
    # The date in force moved: Núm. 2 left the queue (not due, not at 100 %).
    await coord.send("/valorar")
    assert coord.last.text == vt.COLA_VACIA
