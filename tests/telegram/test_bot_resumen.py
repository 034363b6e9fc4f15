"""/resumen end to end: the coordination and the Contraloría get the chart and the figures, and
act on it: who is missing, a reminder to a dependencia's enlaces, an invitation where none."""

from datetime import UTC, date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.mensajes import resumen as resumen_tx
from bot.mensajes import textos
from bot.servicios import registro
from bot.servicios.demo import llenar_demo
from botapi_double import SimUser
from handlers import resumen
from scheduler.trabajos import ejecutar_ronda
from storage.models import Asm, AsmResponsable, AsmVersion, Auditoria, Avance, Salida
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
        "Dependencias con avance pendiente este mes: 2",
        "Nunca han informado avance (1): Tesorería Municipal.",
    ]
    assert coord.last.labels() == ["Quién falta (2)"]


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


def _codigo(texto: str) -> str:
    linea = next(x for x in texto.splitlines() if "?start=" in x)
    return linea.split("?start=")[1]


async def test_quien_falta_recordar_e_invitar(arnes: Arnes) -> None:
    coord = await _persona(arnes, "Laura", Rol.COORDINADOR)
    ana = await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")
    await coord.send("/resumen")
    await coord.press("Quién falta (2)")
    lista = coord.last.text
    assert lista.startswith("📋 Avance de noviembre de 2026: faltan 2 dependencias")
    assert "Sistema Municipal DIF: faltan 2 ASM (1 vencido)\nEnlace: Ana" in lista
    assert "Núm. 2 · E003 — Documentar el procedimiento de entrega de apoyos" in lista
    assert "Tesorería Municipal: faltan 1 ASM\nSin enlace activo en el bot" in lista
    assert coord.last.labels() == ["Recordar a SMDIF", "Invitar enlace de TM"]

    # «Recordar a SMDIF»: Ana gets the reminder at once, through the outbox, with its button.
    antes = len(ana.messages)
    await coord.press("Recordar a SMDIF")
    assert coord.last.text == "📣 Se envió el recordatorio a su enlace de SMDIF."
    assert len(ana.messages) == antes + 1
    recordatorio = ana.last
    assert recordatorio.text.startswith(
        "📣 Avance de noviembre de 2026: la coordinación del IMPLAN se lo recuerda"
    )
    assert "aún no informa el avance de 2 ASM" in recordatorio.text
    assert recordatorio.labels() == ["Informar avance"]
    # A second press the same day sends nothing more.
    await coord.press("Recordar a SMDIF")
    assert coord.last.text == "Ya se le recordó hoy a SMDIF; no se envió de nuevo."
    assert len(ana.messages) == antes + 1

    # «Invitar enlace de TM»: a link that registers an enlace of the Tesorería.
    await coord.press("Invitar enlace de TM")
    nota, qr = coord.messages[-2:]
    assert "Invitación para" in nota.text and "Tesorería Municipal" in nota.text
    assert qr.photo is not None and "?start=" in qr.text  # the QR, the link in its caption
    tomas = arnes.double.user(first_name="Tomás")
    await tomas.send(f"/start {_codigo(coord.last.text)}")
    await tomas.press("Acepto")
    assert "Su registro como Enlace SEDEM de Tesorería Municipal está listo" in tomas.last.text
    await coord.send("/resumen")
    await coord.press("Quién falta (2)")
    assert coord.last.labels() == ["Recordar a SMDIF", "Recordar a TM"]


async def test_contraloria_lee_pero_no_recuerda(arnes: Arnes) -> None:
    cont = await _persona(arnes, "Rosa", Rol.CONTRALORIA)
    ana = await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")
    await cont.send("/resumen")
    await cont.press("Quién falta (2)")
    assert "Sistema Municipal DIF: faltan 2 ASM" in cont.last.text
    assert cont.last.labels() == []  # reading only

    dif = arnes.bd(lambda s: s.scalar(select(AsmResponsable.dependencia_id).limit(1)))
    antes = len(ana.messages)
    await cont.press_data(f"rs1:rec:{dif}")
    assert cont.callback_answers[-1]["text"].startswith("Esto es solo para la Coordinación")
    assert len(ana.messages) == antes
    await cont.press_data(f"rs1:inv:{dif}")
    assert "?start=" not in cont.last.text
    negados = arnes.bd(
        lambda s: s.scalar(select(func.count()).where(Auditoria.accion == "acceso_denegado"))
    )
    assert negados == 2
    assert arnes.bd(lambda s: s.scalar(select(func.count()).select_from(Salida))) == 0


async def test_enlace_no_usa_los_botones(arnes: Arnes) -> None:
    ana = await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")
    await ana.press_data("rs1:qf")
    assert ana.callback_answers[-1]["text"] == resumen.SOLO_COORDINACION


async def test_todas_informaron(arnes: Arnes) -> None:
    def informar(s: Session) -> None:
        for asm in s.scalars(select(Asm)):
            registro.registrar_avance(s, asm, date(2026, 11, 1), 50, "t", origen="test")

    arnes.bd(informar)
    coord = await _persona(arnes, "Laura", Rol.COORDINADOR)
    await coord.send("/resumen")
    assert coord.last.photo is not None
    assert coord.last.labels() == []
    # An old «Quién falta» button still answers with today's figures.
    await coord.press_data("rs1:qf")
    assert coord.last.text == "✅ Todas las dependencias informaron el avance de este mes."


async def test_aviso_de_fin_de_mes_ofrece_invitar(arnes: Arnes) -> None:
    """On the last business day, a dependencia without enlace is not said to have been told:
    the warning offers its invitation instead."""
    coord = await _persona(arnes, "Laura", Rol.COORDINADOR)
    await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")
    arnes.reloj.actual = datetime(2026, 11, 30, 16, tzinfo=UTC)  # 10:00 in Puebla
    assert arnes.app is not None
    await ejecutar_ronda(arnes.app)
    aviso = next(m for m in coord.messages if m.text.startswith("📋 Avance de noviembre"))
    assert "Se avisó a sus" not in aviso.text
    assert "1 no tiene Enlace SEDEM activo en el bot" in aviso.text
    assert aviso.labels() == ["Invitar enlace de TM"]
    await coord.press("Invitar enlace de TM", aviso)
    assert "Tesorería Municipal" in coord.last.text and "?start=" in coord.last.text


async def test_quien_falta_con_muchas_dependencias(arnes: Arnes) -> None:
    """The demo register: the list comes in messages under Telegram's limit, buttons last."""
    arnes.bd(_vaciar)
    arnes.bd(lambda s: llenar_demo(s, arnes.entorno.calendario, arnes.entorno.hoy(), num_asm=160))
    coord = await _persona(arnes, "Laura", Rol.COORDINADOR)
    await coord.send("/resumen")
    antes = len(coord.messages)
    await coord.press(resumen_tx.BOTON_QUIEN_FALTA)
    nuevos = coord.messages[antes:]
    assert nuevos and all(len(m.text) <= 4096 for m in nuevos), coord.transcript()
    assert "…" not in nuevos[0].text.splitlines()[0]
    assert all(not m.labels() for m in nuevos[:-1])
    assert 0 < len(nuevos[-1].labels()) <= resumen_tx.MAX_DEPENDENCIAS
