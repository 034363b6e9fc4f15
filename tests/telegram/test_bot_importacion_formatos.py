"""The chat's import takes the formats offices send, and tells the enlaces what changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from storage.models import Importacion, Salida, Usuario
from tests.anexo_a.generador import Hoja, archivo, asm, plan
from tests.arnes import Arnes

# Núm. 1 as seeded (Sistema Municipal DIF) with new actividades and 50 % (it had 40 %).
FILAS = [
    asm(1, "Integrar un padrón único de personas beneficiarias", "Esp.",
        area="Sistema Municipal DIF", actividades="Depurar el padrón con el Registro Civil",
        fecha="15/12/2026", avance="50 %"),
]  # fmt: skip


@pytest.mark.parametrize("formato", ["ods", "xls", "csv"])
async def test_a_coordinador_imports_any_format_and_the_enlace_is_told(
    arnes: Arnes, formato: str
) -> None:
    coord = arnes.double.user(first_name="Carla", last_name="Ruiz")
    await arnes.registrar(coord, Rol.COORDINADOR)
    enlace = arnes.double.user(first_name="Elena", last_name="Díaz")
    await arnes.registrar(enlace, Rol.ENLACE, "SMDIF")
    datos = archivo(formato, [Hoja("Plan", plan(FILAS, programa="E003", trimestre="4T-2026"))])

    await coord.send_document(datos, f"anexo.{formato}")
    vista = coord.last.text
    assert vista.startswith(f"Vista previa de «anexo.{formato}»"), coord.transcript()
    assert "   % de avance: 40 % → 50 %" in vista
    await coord.press("Confirmar")
    assert coord.last.text.startswith("✅ Importación terminada")

    def revisar(s: Session) -> None:
        imp = s.scalars(select(Importacion)).one()
        assert imp.nombre_archivo == f"anexo.{formato}"
        uid = s.scalar(select(Usuario.id).where(Usuario.telegram_id == enlace.id))
        avisos = s.scalars(select(Salida).where(Salida.usuario_id == uid)).all()
        assert any("Se importó un Anexo A" in a.texto for a in avisos)

    arnes.bd(revisar)


async def test_a_damaged_file_in_the_chat_asks_for_it_again(arnes: Arnes) -> None:
    coord = arnes.double.user(first_name="Carla", last_name="Ruiz")
    await arnes.registrar(coord, Rol.COORDINADOR)
    datos = archivo("xlsx", [Hoja("Plan", plan(FILAS, programa="E003", trimestre="4T-2026"))])
    await coord.send_document(datos[:2000], "anexo.xlsx")
    assert "está dañado o incompleto" in coord.last.text
    assert "envíelo otra vez" in coord.last.text
