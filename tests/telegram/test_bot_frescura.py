"""What a person reads is what the register holds now: nothing is kept between updates."""

from bot.dominio.vocabulario import Rol
from tests.arnes import Arnes


async def test_confirmed_avance_shows_in_the_next_mis_asm(arnes: Arnes) -> None:
    ana = arnes.double.user(first_name="Ana")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    await ana.send("/mis_asm")
    assert "Núm. 1 · E003 · 40 % ·" in ana.last.text

    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")
    await ana.send("60")
    await ana.press("Omitir")
    await ana.press("Sin evidencia")
    await ana.press("Confirmar")

    await ana.send("/mis_asm")
    assert "Núm. 1 · E003 · 60 % ·" in ana.last.text
