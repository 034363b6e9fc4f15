"""Pickers, not numbers: /asm, /valorar and /invitar take «FORTAMUN-DF 5», a Núm. or a few
words, and offer the candidates as buttons (in pages) with «Cancelar» when there are several."""

from __future__ import annotations

import html
import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.vocabulario import Rol
from bot.mensajes import admin as tx
from bot.mensajes import busqueda as tb
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo
from botapi_double import SimUser
from storage.models import Asm, AsmResponsable, Borrador, Invitacion, Programa
from tests.arnes import Arnes


def _pp(arnes: Arnes, clave: str, textos: dict[int, str], siglas: str = "TM") -> None:
    """Another Pp, its ASM answered for by the dependencia with those siglas."""

    def crear(s: Session) -> None:
        dep = Catalogo(s).buscar(siglas)
        assert dep is not None
        prog = Programa(clave=clave, nombre=f"Programa {clave}")
        s.add(prog)
        s.flush()
        for numero, texto in textos.items():
            asm = Asm(programa_id=prog.id, numero=numero)
            s.add(asm)
            s.flush()
            s.add(AsmResponsable(asm_id=asm.id, dependencia_id=dep.id))
            registro.nueva_version(
                s, asm, date(2026, 1, 15), "test", origen="test", texto=texto,
                clasificacion="especifico", area_responsable=dep.nombre,
                fecha_termino=date(2026, 12, 15),
            )  # fmt: skip

    arnes.bd(crear)


async def _coordinador(arnes: Arnes) -> SimUser:
    coord = arnes.double.user(first_name="Carla", last_name="Ruiz")
    await arnes.registrar(coord, Rol.COORDINADOR)
    return coord


async def test_asm_by_clave_and_num_by_words_and_from_candidates(arnes: Arnes) -> None:
    _pp(
        arnes, "FORTAMUN-DF", {1: "Publicar la Ley de Ingresos", 5: "Conciliar las participaciones"}
    )
    coord = await _coordinador(arnes)

    await coord.send("/asm fortamun-df 5")  # the Pp clave and the Núm., whatever the case
    assert "ASM Núm. 5 · FORTAMUN-DF Programa FORTAMUN-DF" in coord.last.text
    await coord.send("/asm Padron unico")  # words of the ASM, without accents
    assert "ASM Núm. 1 · E003 Asistencia social" in coord.last.text

    await coord.send("/asm 1")  # one Núm. in two Pp: the candidates, with «Cancelar»
    assert coord.last.text == "2 ASM coinciden con «1». ¿Cuál quiere ver?"
    assert coord.last.labels() == [
        "Núm. 1 · E003 · Integrar un padrón único de per…",
        "Núm. 1 · FORTAMUN-DF · Publicar la Ley de Ingresos",
        "Cancelar",
    ]
    await coord.press("Núm. 1 · FORTAMUN-DF")
    assert "ASM Núm. 1 · FORTAMUN-DF" in coord.last.text

    await coord.send("/asm tesorería")  # the dependencia's name: its three ASM
    assert coord.last.text.startswith("3 ASM coinciden con «tesorería».")
    await coord.press("Cancelar")
    assert coord.last.buttons == []
    assert coord.last.text.endswith(tb.CANCELADO)

    await coord.send("/asm drenaje")
    assert coord.last.text == tb.sin_asm("drenaje")
    await coord.send("/asm")
    assert coord.last.text == tb.USO_ASM


async def test_an_enlace_searches_only_its_dependencia_and_keeps_its_draft(arnes: Arnes) -> None:
    _pp(arnes, "FORTAMUN-DF", {1: "Publicar la Ley de Ingresos"})
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    await ana.send("/avance")
    await ana.press("Ver todos")
    await ana.press("Núm. 1 · E003")  # a report begun

    await ana.send("/asm tesorería")  # the TM's ASM are not hers
    assert ana.last.text == tb.sin_asm("tesorería")
    await ana.send("/asm 1")  # only her Núm. 1: no need to choose
    assert "ASM Núm. 1 · E003" in ana.last.text
    await ana.send("/asm smdif")
    assert ana.last.labels()[-1] == "Cancelar"
    await ana.press("Cancelar")
    draft = arnes.bd(lambda s: s.get(Borrador, ana.id))
    assert draft is not None and draft.flujo == "avance"  # «Cancelar» left the report alone
    await ana.send("60")  # and the report goes on where it was
    draft = arnes.bd(lambda s: s.get(Borrador, ana.id))
    assert draft is not None and (draft.paso, draft.datos["porcentaje"]) == ("observaciones", 60)


async def test_valorar_pages_through_many_candidates(arnes: Arnes) -> None:
    _pp(arnes, "K010", {n: f"Actualizar el padrón de obra {n}" for n in range(1, 13)})
    coord = await _coordinador(arnes)

    await coord.send("/valorar E003 2")
    assert "Valoración · ASM Núm. 2 · E003" in coord.last.text

    await coord.send("/valorar padrón")  # 12 of K010 and Núm. 1 of E003
    lista = coord.last
    assert lista.text == "13 ASM coinciden con «padrón». ¿Cuál quiere valorar?\nPágina 1 de 2."
    assert lista.labels()[-2:] == ["Siguientes »", "Cancelar"]
    await coord.press("Siguientes »")
    assert coord.last.message_id == lista.message_id  # the same message, another page
    assert lista.text.endswith("Página 2 de 2.")
    assert lista.labels()[0] == "Núm. 8 · K010 · Actualizar el padrón de obra 8"
    await coord.press("Núm. 12 · K010")
    assert "Valoración · ASM Núm. 12 · K010" in coord.last.text

    # A page button of a message that is not a list, or a forged page, changes nothing.
    await coord.press_data("va1:bpg:1")
    assert coord.callback_answers[-1]["text"] == tb.LISTA_VENCIDA
    await coord.press_data("va1:bpg:99", lista.message_id)  # the last page there is
    assert lista.text.endswith("Página 2 de 2.")


async def test_invitar_finds_the_dependencia_by_siglas_or_a_word_and_gives_a_qr(
    arnes: Arnes,
) -> None:
    def mas(s: Session) -> None:
        cat = Catalogo(s, "test")
        cat.obtener_o_crear("Secretaría de Bienestar y Participación Ciudadana")
        cat.obtener_o_crear("Instituto de Bienestar Animal")

    arnes.bd(mas)
    coord = await _coordinador(arnes)

    await coord.send("/invitar bienestar")
    assert coord.last.text == "2 dependencias coinciden con «bienestar». ¿De cuál es el enlace?"
    assert coord.last.labels() == [
        "Instituto de Bienestar Animal",
        "Secretaría de Bienestar y Participación Ciu…",
        "Cancelar",
    ]
    await coord.press("Instituto de Bienestar Animal")
    aviso, qr = coord.messages[-2], coord.last
    assert aviso.text.startswith("✉️ Invitación para Enlace SEDEM de Instituto de Bienestar Animal")
    assert "Reenvíe el mensaje siguiente solo a la persona invitada" in aviso.text
    assert "vence el 25/11/2026 a las 11:00" in aviso.text
    # The QR, with what the person invited must do beneath it: ready to forward.
    m = re.search(r"https://t\.me/SeguimientoASMBot\?start=(\S+)", qr.text)
    assert m is not None and qr.photo is not None
    assert qr.photo.content == tx.qr_png(m.group(0))
    assert qr.text.startswith("Le invitan a registrarse en el bot de seguimiento de los ASM")
    nuevo = arnes.double.user(first_name="Beto")
    await nuevo.send(f"/start {m.group(1)}")
    await nuevo.press("Acepto")
    assert "Enlace SEDEM de Instituto de Bienestar Animal" in nuevo.last.text

    await coord.send("/invitar smdif")  # siglas: straight to the invitation
    assert "Enlace SEDEM de Sistema Municipal DIF" in coord.messages[-2].text
    assert coord.last.photo is not None

    await coord.send("/invitar Obras Públicas")
    assert coord.last.text == tb.sin_dependencia("Obras Públicas")
    await coord.send("/invitar bienestar")
    await coord.press("Cancelar")
    assert coord.last.buttons == []
    creadas = arnes.bd(lambda s: len(s.scalars(select(Invitacion)).all()))
    assert creadas == 3  # the harness's own and the two above


async def test_dependencia_candidates_come_in_pages(arnes: Arnes) -> None:
    def mas(s: Session) -> None:
        cat = Catalogo(s, "test")
        for i in range(10):
            cat.obtener_o_crear(f"Dirección de Obra {i:02d}")

    arnes.bd(mas)
    coord = await _coordinador(arnes)
    await coord.send("/invitar obra")
    assert coord.last.text.endswith("Página 1 de 2.")
    await coord.press("Siguientes »")
    assert coord.last.text.endswith("Página 2 de 2.")
    await coord.press("Dirección de Obra 09")
    assert "Enlace SEDEM de Dirección de Obra 09" in coord.messages[-2].text
    await coord.press_data("us1:bpg:0")  # on the QR: not a list
    assert coord.callback_answers[-1]["text"] == tb.LISTA_VENCIDA


def test_the_search_is_read_back_from_its_list_whatever_it_holds() -> None:
    for consulta in ("padrón", "«raro» <b>", "a ». b"):
        html_ = tb.candidatos(consulta, 3, tb.PREGUNTA_ASM, "Página 1 de 2.")
        plano = html.unescape(re.sub(r"<[^>]+>", "", html_))  # what Telegram gives back
        assert tb.consulta_de(plano) == consulta
        assert tb.consulta_de(html.unescape(tb.dependencias(consulta, 2, None))) is not None
    assert tb.consulta_de("Valoración · ASM Núm. 2") is None
