"""What the searches of /asm, /valorar and /invitar read (bot.servicios.busqueda)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.servicios import registro
from bot.servicios.busqueda import buscar_asm, buscar_dependencia
from bot.servicios.catalogo import Catalogo
from storage.models import Asm
from tests.ayudas import HOY_SERVICIOS as HOY
from tests.ayudas import asm_de, persona


def test_the_text_in_effect_is_searched_and_an_enlace_sees_only_its_own(s: Session) -> None:
    coord = persona(s, 1, Rol.COORDINADOR)
    asm = s.get(Asm, asm_de(s, 3))
    assert asm is not None
    registro.nueva_version(s, asm, date(2026, 6, 1), "test", origen="test",
                           texto="Conciliar los ingresos propios")  # fmt: skip
    registro.nueva_version(s, asm, date(2027, 1, 1), "test", origen="test",
                           texto="Texto que aún no está vigente")  # fmt: skip

    assert [c.numero for c in buscar_asm(s, coord, "ingresos propios", HOY)] == [3]
    assert buscar_asm(s, coord, "avance financiero", HOY) == []  # the old text
    assert buscar_asm(s, coord, "vigente", HOY) == []  # not yet in effect
    (c,) = buscar_asm(s, coord, "E003 3", HOY)
    assert (c.clave, c.texto) == ("E003", "Conciliar los ingresos propios")
    assert [c.numero for c in buscar_asm(s, coord, "E003", HOY)] == [1, 2, 3]

    dif = persona(s, 2, Rol.ENLACE, "SMDIF")
    assert [c.numero for c in buscar_asm(s, dif, "E003", HOY)] == [1, 2]
    assert buscar_asm(s, dif, "tesorería", HOY) == []
    assert buscar_asm(s, persona(s, 3, Rol.ENLACE), "E003", HOY) == []  # no dependencia


def test_dependencias_by_the_catalogues_match_first_then_by_words(s: Session) -> None:
    Catalogo(s, "test").obtener_o_crear("Secretaría de Bienestar")
    s.flush()
    assert [d.siglas for d in buscar_dependencia(s, "smdif")] == ["SMDIF"]
    # The whole name is the one it names, not every dependencia with «Municipal».
    assert [d.nombre for d in buscar_dependencia(s, "Tesorería Municipal")] == [
        "Tesorería Municipal"
    ]
    assert [d.nombre for d in buscar_dependencia(s, "municipal")] == [
        "Sistema Municipal DIF",
        "Tesorería Municipal",
    ]
    assert [d.nombre for d in buscar_dependencia(s, "bienestar")] == ["Secretaría de Bienestar"]
    assert buscar_dependencia(s, "obras") == []
