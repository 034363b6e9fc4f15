"""/asm <núm>: one ASM's history, and its evidence files downloaded as they were received."""

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.mensajes import busqueda, textos
from bot.mensajes import plan as plan_textos
from bot.servicios import registro
from botapi_double import SimUser
from storage.models import Asm, Auditoria, Evidencia
from tests.arnes import Arnes

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _asm_id(arnes: Arnes, numero: int) -> int:
    return arnes.bd(lambda s: s.scalars(select(Asm.id).where(Asm.numero == numero)).one())


async def _gente(arnes: Arnes) -> tuple[SimUser, SimUser, SimUser]:
    coord = arnes.double.user(first_name="Coordinación")
    await arnes.registrar(coord, Rol.COORDINADOR)
    cont = arnes.double.user(first_name="Contraloría")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    return coord, cont, ana


async def _reportar(ana: SimUser) -> None:
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("60")
    await ana.send("Segunda mesa de trabajo")
    await ana.send_document(PDF, "minuta.pdf")
    await ana.press("Listo")
    await ana.press("Confirmar")


async def test_history_with_versions_avances_and_evidence_download(arnes: Arnes) -> None:
    coord, cont, ana = await _gente(arnes)
    await _reportar(ana)
    asm1 = _asm_id(arnes, 1)
    arnes.bd(
        lambda s: registro.nueva_version(
            s, s.get_one(Asm, asm1), date(2026, 11, 10), "test", origen="importacion",
            fecha_termino=date(2027, 1, 29),
        )
    )  # fmt: skip

    await ana.send("/asm 1")
    texto = ana.last.text
    assert "ASM Núm. 1 · E003 Asistencia social" in texto
    assert "Plan: Borrador · Valoración: sin valorar" in texto
    assert "• 15/01/2026 (test): alta del ASM" in texto
    assert "• 10/11/2026 (por importación): Fecha de término: 29/01/2027" in texto
    assert "• octubre de 2026: 40 %" in texto
    assert "• noviembre de 2026: 60 % · folio AV-202611-" in texto
    assert "— Segunda mesa de trabajo" in texto
    assert "Evidencias (1)" in texto
    assert ana.last.labels() == ["⬇️ minuta.pdf"]  # no «Valorar» for an enlace

    await ana.press("⬇️ minuta.pdf")
    assert ana.last.document is not None
    assert ana.last.document.file_name == "minuta.pdf"
    assert ana.last.document.content == PDF

    await cont.send("/asm 1")
    assert cont.last.labels() == ["⬇️ minuta.pdf"]
    await coord.send("/asm 1")
    assert coord.last.labels() == ["⬇️ minuta.pdf", "Valorar"]
    await coord.press("Valorar")
    assert "Valoración · ASM Núm. 1 · E003" in coord.last.text


async def test_enlace_sees_only_its_dependencia_and_forged_buttons_are_refused(
    arnes: Arnes,
) -> None:
    _, _, ana = await _gente(arnes)
    await _reportar(ana)
    tomas = arnes.double.user(first_name="Tomás")
    await arnes.registrar(tomas, Rol.ENLACE, "TM")
    evidencia = arnes.bd(lambda s: s.scalar(select(Evidencia.id)))

    await tomas.send("/asm 1")
    assert tomas.last.text == busqueda.sin_asm("1")
    await tomas.press_data(f"as1:a:{_asm_id(arnes, 1)}")
    assert tomas.last.text == textos.NO_AUTORIZADO
    await tomas.press_data(f"as1:ev:{evidencia}")
    assert tomas.last.text == textos.NO_AUTORIZADO
    assert tomas.last.document is None
    await tomas.send("/asm padrón")  # words of another dependencia's ASM find nothing
    assert tomas.last.text == busqueda.sin_asm("padrón")
    await tomas.send("/asm ¿?")
    assert tomas.last.text == busqueda.USO_ASM
    negados = arnes.bd(
        lambda s: s.scalars(
            select(Auditoria.detalle).where(Auditoria.accion == "acceso_denegado")
        ).all()
    )
    assert [d["intento"] for d in negados] == ["historial", "historial"]


async def test_an_altered_file_is_not_sent(arnes: Arnes) -> None:
    _, _, ana = await _gente(arnes)
    await _reportar(ana)
    ruta = arnes.bd(lambda s: s.scalar(select(Evidencia.ruta)))
    assert ruta is not None
    (Path(arnes.entorno.settings.data_dir) / ruta).write_bytes(b"%PDF-1.4 otro contenido")
    await ana.send("/asm 1")
    await ana.press("⬇️ minuta.pdf")
    assert ana.last.text == plan_textos.ARCHIVO_ALTERADO
    alterada = arnes.bd(
        lambda s: s.scalar(select(Auditoria.id).where(Auditoria.accion == "evidencia_alterada"))
    )
    assert alterada is not None


async def test_a_long_history_is_split_under_telegrams_limit(arnes: Arnes) -> None:
    asm1 = _asm_id(arnes, 1)

    def muchos(s: Session) -> Any:
        asm = s.get_one(Asm, asm1)
        for i in range(40):
            registro.registrar_avance(
                s, asm, date(2023 + i // 12, i % 12 + 1, 1), i, "test", origen="test",
                observaciones="Observación larga " * 10,
            )  # fmt: skip

    arnes.bd(muchos)
    _, cont, _ = await _gente(arnes)
    antes = len(cont.messages)
    await cont.send("/asm 1")
    nuevos = cont.messages[antes:]
    assert len(nuevos) >= 2
    assert all(len(m.html) <= 4096 for m in nuevos)
