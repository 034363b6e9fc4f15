"""/resumen end to end: the coordination and the Contraloría get the chart and the figures."""

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.mensajes import textos
from bot.servicios.demo import llenar_demo
from botapi_double import SimUser
from handlers import resumen
from storage.models import Asm, AsmResponsable, AsmVersion, Avance
from tests.arnes import Arnes
from tests.ayudas import medidas_png


async def _persona(arnes: Arnes, nombre: str, rol: Rol, siglas: str | None = None) -> SimUser:
    u = arnes.double.user(first_name=nombre)
    await arnes.registrar(u, rol, siglas)
    return u


def _vaciar(s: Session) -> None:
    """Removes the seeded ASM: the demo fills only an empty register."""
    for tabla in (Avance, AsmResponsable, AsmVersion, Asm):
        s.execute(delete(tabla))


async def test_coordinador_recibe_grafica_y_cifras(arnes: Arnes) -> None:
    coord = await _persona(arnes, "Laura", Rol.COORDINADOR)
    await coord.send("/resumen")
    assert "upload_photo" in coord.chat_actions
    foto = coord.last.photo
    assert foto is not None, coord.transcript()
    assert medidas_png(foto.content)[0] == 1080
    assert coord.last.text.splitlines() == [
        "Resumen de los ASM al 18/11/2026",
        "ASM registrados: 3 en 2 dependencias",
        "Informaron el avance de noviembre de 2026: 0 de 3",
        "🔴 Vencidos: 1 · 🟡 En riesgo: 0",
        "Nunca han informado avance (1): Tesorería Municipal.",
    ]


async def test_contraloria_tambien(arnes: Arnes) -> None:
    cont = await _persona(arnes, "Rosa", Rol.CONTRALORIA)
    await cont.send("/resumen")
    assert cont.last.photo is not None, cont.transcript()
    assert "ASM registrados: 3" in cont.last.text


async def test_enlace_no(arnes: Arnes) -> None:
    enlace = await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")
    await enlace.send("/resumen")
    assert enlace.last.text == resumen.SOLO_COORDINACION
    assert enlace.last.photo is None and "upload_photo" not in enlace.chat_actions


async def test_sin_registro_no(arnes: Arnes) -> None:
    extrano = arnes.double.user(first_name="Pedro")
    await extrano.send("/resumen")
    assert extrano.last.text == textos.NO_REGISTRADO
    assert all(m.photo is None for m in extrano.messages)


async def test_registro_vacio(arnes: Arnes) -> None:
    arnes.bd(_vaciar)
    coord = await _persona(arnes, "Laura", Rol.COORDINADOR)
    await coord.send("/resumen")
    assert coord.last.text == resumen.SIN_ASM
    assert coord.last.photo is None


async def test_datos_de_demostracion(arnes: Arnes) -> None:
    """The demo register (160 ASM of many dependencias): pages legible, caption in bounds."""
    arnes.bd(_vaciar)
    arnes.bd(lambda s: llenar_demo(s, arnes.entorno.calendario, arnes.entorno.hoy(), num_asm=160))
    coord = await _persona(arnes, "Laura", Rol.COORDINADOR)
    await coord.send("/resumen")
    fotos = [m for m in coord.messages if m.photo is not None]
    assert len(fotos) >= 2, coord.transcript()  # more dependencias than fit on one page
    for m in fotos:
        assert m.photo is not None
        ancho, alto = medidas_png(m.photo.content)
        assert ancho == 1080 and alto <= 1280
    assert [bool(m.text) for m in fotos] == [False] * (len(fotos) - 1) + [True]
    assert 0 < len(fotos[-1].html) <= resumen.LEYENDA_MAX
    assert "ASM registrados: 160" in fotos[-1].text
