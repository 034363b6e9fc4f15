"""Registration with an invitation, end to end through the Bot API double."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.mensajes import privacidad, textos
from storage.models import Usuario
from tests.arnes import Arnes


def _usuario(arnes: Arnes, telegram_id: int) -> Usuario | None:
    return arnes.bd(lambda s: s.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id)))


async def test_strangers_get_one_explanation_and_nothing_else(arnes: Arnes) -> None:
    extrano = arnes.double.user(first_name="Pedro")
    for texto in ("hola", "/avance", "/mis_asm", "/start"):
        await extrano.send(texto)
    assert [m.text for m in extrano.messages] == [textos.NO_REGISTRADO] * 4
    await extrano.press_data("av1:a:1")
    assert extrano.callback_answers[-1]["text"] == textos.NO_REGISTRADO_ALERTA  # ≤ 200
    assert len(extrano.messages) == 4


async def test_enlace_registers_after_accepting_the_privacy_notice(arnes: Arnes) -> None:
    ana = arnes.double.user(first_name="Ana", last_name="López")
    codigo = arnes.invitar(Rol.ENLACE, "SMDIF")
    assert len(codigo) >= 32
    await ana.send(f"/start {codigo}")
    aviso = ana.last
    assert "AVISO DE PRIVACIDAD" in aviso.text
    assert aviso.labels() == ["Acepto", "No acepto"]
    await ana.press("Acepto")
    assert ana.messages[0].buttons == []  # the notice lost its buttons
    bienvenida = ana.last.text
    assert bienvenida.startswith("Le damos la bienvenida, Ana López.")
    assert "Enlace SEDEM de Sistema Municipal DIF" in bienvenida
    u = _usuario(arnes, ana.id)
    assert u is not None
    assert (u.rol, u.nombre, u.activo) == ("enlace", "Ana López", True)
    assert u.aviso_aceptado_en is not None
    menu = [c["command"] for c in arnes.double.commands[f"chat:{ana.id}"]]
    assert "avance" in menu and "pendientes" in menu
    assert [c["command"] for c in arnes.double.commands["default"]] == [
        "start",
        "verificar",
        "ayuda",
    ]
    # The same code cannot be used twice, by anybody.
    otro = arnes.double.user(first_name="Luis")
    await otro.send(f"/start {codigo}")
    assert otro.last.text == textos.CODIGO_USADO
    await ana.send(f"/start {codigo}")
    assert ana.last.text.startswith("Usted ya tiene registro como Enlace SEDEM")


async def test_each_role_reads_the_privacy_notice_that_speaks_to_it(arnes: Arnes) -> None:
    vistos = {}
    for rol, siglas, nombre in (
        (Rol.ENLACE, "SMDIF", "Ana"),
        (Rol.COORDINADOR, None, "Carla"),
        (Rol.CONTRALORIA, None, "Rosa"),
    ):
        persona = arnes.double.user(first_name=nombre)
        await persona.send(f"/start {arnes.invitar(rol, siglas)}")
        vistos[rol] = persona.last.text
        assert persona.last.html == textos.aviso_privacidad(privacidad.PREDETERMINADOS[rol])
        await persona.press("Acepto")
        assert "Su registro como" in persona.last.text
    assert "que usted representa como Enlace SEDEM" in vistos[Rol.ENLACE]
    assert "COORDINACIÓN (IMPLAN)" in vistos[Rol.COORDINADOR]
    assert "Enlace SEDEM" not in vistos[Rol.COORDINADOR]
    assert "CONTRALORÍA MUNICIPAL" in vistos[Rol.CONTRALORIA]
    assert "recibir copia de cada entrega de avances" in vistos[Rol.CONTRALORIA]
    assert "Enlace SEDEM" not in vistos[Rol.CONTRALORIA]


async def test_declining_the_notice_registers_nothing_and_keeps_the_code(arnes: Arnes) -> None:
    ana = arnes.double.user()
    codigo = arnes.invitar(Rol.ENLACE, "TM")
    await ana.send(f"/start {codigo}")
    await ana.press("No acepto")
    assert ana.last.text == textos.AVISO_RECHAZADO
    assert _usuario(arnes, ana.id) is None
    await ana.send(f"/start {codigo}")
    await ana.press("Acepto")
    assert ana.last.text.startswith("Le damos la bienvenida, Ana.")


async def test_expired_and_wrong_codes_are_refused_and_guessing_is_slowed(arnes: Arnes) -> None:
    ana = arnes.double.user()
    vieja = arnes.invitar(Rol.ENLACE, "TM")
    arnes.reloj.avanzar(days=8)
    await ana.send(f"/start {vieja}")
    # Created on 18/11/2026 with the default 7 days.
    assert ana.last.text == textos.codigo_vencido(date(2026, 11, 25))
    for _ in range(3):
        await ana.send("/start adivinando-un-codigo-cualquiera")
        assert ana.last.text == textos.CODIGO_DESCONOCIDO
    buena = arnes.invitar(Rol.ENLACE, "TM")
    await ana.send(f"/start {buena}")
    assert ana.last.text.startswith("Ha intentado varios códigos")
    assert "Espere" in ana.last.text
    arnes.reloj.avanzar(minutes=31)
    await ana.send(f"/start {buena}")
    await ana.press("Acepto")
    assert ana.last.text.startswith("Le damos la bienvenida, Ana.")


async def test_help_and_menu_follow_the_role(arnes: Arnes) -> None:
    cont = arnes.double.user(first_name="Carmen")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    await cont.send("/ayuda")
    assert cont.last.text == textos.AYUDA[Rol.CONTRALORIA].replace("<b>", "").replace("</b>", "")
    await cont.send("/avance")
    assert cont.last.text == textos.SOLO_ENLACES
    menu = [c["command"] for c in arnes.double.commands[f"chat:{cont.id}"]]
    assert menu == [c for c, _ in textos.COMANDOS[Rol.CONTRALORIA]]
    assert "avance" not in menu and "recordatorios" not in menu


async def test_a_deactivated_person_loses_access_at_once(arnes: Arnes) -> None:
    ana = arnes.double.user()
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")

    def desactivar(s: Session) -> None:
        u = s.scalars(select(Usuario).where(Usuario.telegram_id == ana.id)).one()
        u.activo = False

    arnes.bd(desactivar)
    await ana.send("/mis_asm")
    assert ana.last.text == textos.DESACTIVADO
