"""/valorar end to end: IMPLAN records the valoración (Art. 14) and the enlace is told."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.mensajes import plan as plan_textos
from bot.servicios import registro
from bot.servicios.evidencias import AlmacenEvidencias
from botapi_double import SimUser
from storage.models import Asm, Auditoria, Evidencia, Programa
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _asm_id(arnes: Arnes, numero: int) -> int:
    return arnes.bd(lambda s: s.scalars(select(Asm.id).where(Asm.numero == numero)).one())


def _vigente(arnes: Arnes, numero: int) -> tuple[str | None, str]:
    asm_id = _asm_id(arnes, numero)

    def leer(s: Session) -> tuple[str | None, str]:
        v = registro.version_vigente(s, asm_id, date(2026, 11, 18))
        assert v is not None
        return v.valoracion, v.observaciones

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


async def test_atendido_needs_100_and_evidence_then_the_enlace_is_told(arnes: Arnes) -> None:
    coord, _, ana = await _gente(arnes)
    await coord.send("/valorar 1")
    assert "Valoración · ASM Núm. 1 · E003" in coord.last.text
    assert "Avance: 40% · Evidencias: 0" in coord.last.text
    # «No aplica» is not offered for an específico.
    assert coord.last.labels() == ["Atendido", "No atendido", "Cancelar"]
    await coord.press("Atendido")
    alerta = coord.callback_answers[-1]["text"]
    assert alerta.startswith("Para valorar «Atendido» el avance debe ser 100 % (el avance es 40 %)")
    assert _vigente(arnes, 1)[0] is None

    _completo_con_evidencia(arnes, 1)
    await coord.press("Atendido")
    assert coord.last.text.startswith("✅ Se registró «Atendido» para el ASM Núm. 1 · E003.")
    assert _vigente(arnes, 1)[0] == "atendido"
    assert "Valoración del ASM" in ana.last.text
    assert "como Atendido" in ana.last.text


async def test_no_atendido_asks_for_the_causes(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    antes = len(cont.messages)
    await coord.send("/valorar 2")
    await coord.press("No atendido")
    assert coord.last.text == plan_textos.PIDA_CAUSAS
    await coord.send("   ")
    assert coord.last.text == plan_textos.PIDA_CAUSAS
    await coord.press("Cancelar")
    assert _vigente(arnes, 2)[0] is None
    await coord.send("/valorar 2")
    await coord.press("No atendido")
    await coord.send("Falta de personal <capacitado> en el área")
    assert "Se registró «No atendido»" in coord.last.text
    valoracion, observaciones = _vigente(arnes, 2)
    assert valoracion == "no_atendido"
    assert observaciones == "Falta de personal <capacitado> en el área"
    assert "Causas: Falta de personal <capacitado> en el área" in ana.last.text
    assert len(cont.messages) == antes


async def test_no_aplica_only_for_inter_institutional_or_governmental(arnes: Arnes) -> None:
    coord, _, _ = await _gente(arnes)
    asm1, asm3 = _asm_id(arnes, 1), _asm_id(arnes, 3)
    await coord.send("/valorar 1")
    await coord.press_data(f"va1:v:{asm1}:2")  # a forged «No aplica» on an específico
    assert "«No aplica» sólo procede" in coord.callback_answers[-1]["text"]
    assert _vigente(arnes, 1)[0] is None

    def interinstitucional(s: Session) -> Any:
        registro.nueva_version(
            s, s.get_one(Asm, asm3), date(2026, 11, 1), "test", origen="test",
            clasificacion="interinstitucional",
        )  # fmt: skip

    arnes.bd(interinstitucional)
    await coord.send("/valorar 3")
    assert coord.last.labels() == ["Atendido", "No atendido", "No aplica", "Cancelar"]
    await coord.press("No aplica")
    assert "Se registró «No aplica»" in coord.last.text
    assert _vigente(arnes, 3)[0] == "no_aplica"


async def test_refusals(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    asm1 = _asm_id(arnes, 1)
    await ana.send("/valorar 1")
    assert ana.last.text == plan_textos.SOLO_COORDINACION
    await cont.send("/valorar 1")
    assert cont.last.text == plan_textos.CONTRALORIA_SOLO_CONSULTA
    await cont.press_data(f"va1:v:{asm1}:1")
    assert "no modificar" in cont.callback_answers[-1]["text"]
    await ana.press_data(f"va1:v:{asm1}:0")
    await ana.press_data(f"va1:a:{asm1}")
    assert ana.last.text == plan_textos.SOLO_COORDINACION
    assert _vigente(arnes, 1)[0] is None
    negados = arnes.bd(
        lambda s: s.scalars(
            select(Auditoria.actor).where(Auditoria.accion == "acceso_denegado")
        ).all()
    )
    assert len(negados) == 3
    await coord.send("/valorar")
    assert coord.last.text == plan_textos.USO_VALORAR
    await coord.send("/valorar 99")
    assert coord.last.text == plan_textos.no_hay_asm(99)


async def test_ambiguous_number_asks_for_the_program(arnes: Arnes) -> None:
    def otro_pp(s: Session) -> Any:
        prog = Programa(clave="E010", nombre="Salud")
        s.add(prog)
        s.flush()
        asm = Asm(programa_id=prog.id, numero=1)
        s.add(asm)
        s.flush()
        registro.nueva_version(
            s, asm, date(2026, 1, 15), "test", origen="test", texto="Otro",
            clasificacion="intergubernamental",
        )  # fmt: skip

    arnes.bd(otro_pp)
    coord, _, _ = await _gente(arnes)
    await coord.send("/valorar 1")
    assert coord.last.text == plan_textos.elija_programa(1)
    assert coord.last.labels() == ["E003", "E010"]
    await coord.press("E010")
    assert "ASM Núm. 1 · E010" in coord.last.text
    assert "No aplica" in coord.last.labels()
