"""/anexo end to end: choose a Pp or «Consolidado», then a quarter, and open the file received."""

import asyncio
import threading
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.anexo_a.escritura import escribir_anexo_a
from bot.dominio.vocabulario import Rol
from bot.mensajes import anexo as tx
from bot.mensajes import textos
from bot.servicios import anexo_proceso, registro
from bot.servicios.catalogo import Catalogo
from botapi_double import BotMessage, SimUser
from handlers import anexo
from storage.models import Asm, AsmResponsable, Auditoria, Programa
from tests.arnes import Arnes

# Where the ASM table starts in a sheet (after the header block), and its % de avance column.
PRIMERA_FILA = 8
COL_AVANCE = 8

TRIMESTRES = [
    "Cuarto trimestre 2026 (en curso)",
    "PDF · T4 2026",
    "Tercer trimestre 2026",
    "PDF · T3 2026",
    "Segundo trimestre 2026",
    "PDF · T2 2026",
    "Primer trimestre 2026",
    "PDF · T1 2026",
]


async def _persona(arnes: Arnes, nombre: str, rol: Rol, siglas: str | None = None) -> SimUser:
    u = arnes.double.user(first_name=nombre)
    await arnes.registrar(u, rol, siglas)
    return u


async def _documento(u: SimUser, numero: int = 1) -> BotMessage:
    """The `numero`-th file the bot sent to `u`, waiting for it: files arrive after the press."""

    def archivos() -> list[BotMessage]:
        return [m for m in u.messages if m.document is not None]

    await u.wait_until(lambda _: len(archivos()) >= numero, timeout=10)
    return archivos()[numero - 1]


def _libro(m: BotMessage) -> Workbook:
    assert m.document is not None
    return load_workbook(BytesIO(m.document.content))


def _filas(libro: Workbook, hoja: str) -> list[tuple[Any, ...]]:
    """The ASM rows of a sheet: those whose Núm. is a number."""
    ws = libro[hoja]
    return [
        fila
        for fila in ws.iter_rows(min_row=PRIMERA_FILA, values_only=True)
        if isinstance(fila[0], int)
    ]


def _ultima_respuesta(u: SimUser) -> str | None:
    return u.callback_answers[-1]["text"] if u.callback_answers else None


def _programa_con_asm(
    arnes: Arnes, clave: str, siglas: str, desde: date = date(2026, 1, 15)
) -> int:
    """A fondo with one ASM of the dependencia `siglas`, in effect from `desde`."""

    def crear(s: Session) -> int:
        dep = Catalogo(s).buscar(siglas)
        assert dep is not None
        prog = Programa(clave=clave, nombre=f"Fondo {clave}", tipo="fondo")
        s.add(prog)
        s.flush()
        asm = Asm(programa_id=prog.id, numero=1)
        s.add(asm)
        s.flush()
        s.add(AsmResponsable(asm_id=asm.id, dependencia_id=dep.id))
        registro.nueva_version(
            s, asm, desde, "test", origen="test", texto=f"ASM del fondo {clave}",
            clasificacion="especifico", area_responsable=dep.nombre,
            actividades="Revisión", fecha_termino=date(2027, 3, 31),
        )  # fmt: skip
        return prog.id

    return arnes.bd(crear)


async def test_coordinador_gets_the_consolidated_anexo(arnes: Arnes) -> None:
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)

    await coord.send("/anexo")
    lista = coord.last
    assert lista.text.startswith("¿De qué programa quiere el Anexo A?")
    assert lista.labels() == ["Consolidado", "E003 · Asistencia social"]

    await coord.press("Consolidado")
    assert "Consolidado" in lista.text and lista.labels() == []  # the choice stays, not the buttons
    assert coord.last.text.startswith("¿De qué trimestre?")
    assert coord.last.labels() == TRIMESTRES

    await coord.press("Cuarto trimestre 2026")
    doc = await _documento(coord)
    assert doc.document is not None
    assert doc.document.file_name == "AnexoA_consolidado_2026T4.xlsx"
    assert doc.text.splitlines() == [
        "Anexo A consolidado",
        "Cuarto trimestre 2026, con datos al 18/11/2026.",
        "3 ASM en 1 Pp o fondo.",
    ]
    assert "upload_document" in coord.chat_actions

    libro = _libro(doc)
    assert libro.sheetnames == ["Resumen", "E003"]
    filas = _filas(libro, "E003")
    assert [(f[0], f[1], f[COL_AVANCE]) for f in filas] == [
        (1, "Integrar un padrón único de personas beneficiarias", 0.4),
        (2, "Documentar el procedimiento de entrega de apoyos", 0.6),
        (3, "Conciliar el avance financiero con Tesorería", None),
    ]


async def test_coordinador_gets_one_programa(arnes: Arnes) -> None:
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)
    await coord.send("/anexo")
    await coord.press("E003")
    assert coord.last.labels() == TRIMESTRES
    await coord.press("Cuarto trimestre 2026")

    doc = await _documento(coord)
    assert doc.document is not None
    assert doc.document.file_name == "AnexoA_E003_2026T4.xlsx"
    assert doc.text.splitlines()[0] == "Anexo A · E003 Asistencia social"
    assert doc.text.splitlines()[-1] == "3 ASM."
    libro = _libro(doc)
    assert libro.sheetnames == ["E003"]  # no summary for a single plan
    assert [f[0] for f in _filas(libro, "E003")] == [1, 2, 3]


async def test_contraloria_gets_it_too(arnes: Arnes) -> None:
    cont = await _persona(arnes, "Contraloría", Rol.CONTRALORIA)
    await cont.send("/anexo")
    await cont.press("E003")
    await cont.press("Cuarto trimestre 2026")
    doc = await _documento(cont)
    assert [f[0] for f in _filas(_libro(doc), "E003")] == [1, 2, 3]


async def test_enlace_gets_only_its_dependencias_asm(arnes: Arnes) -> None:
    _programa_con_asm(arnes, "F001", "TM")  # a fondo where the SMDIF has nothing
    ana = await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")

    await ana.send("/anexo")
    assert tx.SOLO_SU_DEPENDENCIA in ana.last.text
    assert ana.last.labels() == ["Consolidado", "E003 · Asistencia social"]

    await ana.press("Consolidado")
    await ana.press("Cuarto trimestre 2026")
    doc = await _documento(ana)
    assert doc.text.splitlines()[1] == "Solo ASM de Sistema Municipal DIF."
    assert doc.text.splitlines()[-1] == "2 ASM en 1 Pp o fondo."
    libro = _libro(doc)
    assert libro.sheetnames == ["Resumen", "E003"]
    textos_asm = [f[1] for f in _filas(libro, "E003")]
    assert textos_asm == [
        "Integrar un padrón único de personas beneficiarias",
        "Documentar el procedimiento de entrega de apoyos",
    ]

    await ana.send("/anexo")
    await ana.press("E003")
    await ana.press("Cuarto trimestre 2026")
    doc = await _documento(ana, 2)
    assert doc.document is not None and doc.document.file_name == "AnexoA_E003_2026T4.xlsx"
    assert [f[0] for f in _filas(_libro(doc), "E003")] == [1, 2]


async def test_forged_buttons_are_refused(arnes: Arnes) -> None:
    ajeno = _programa_con_asm(arnes, "F001", "TM")
    ana = await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")
    await ana.send("/anexo")

    # Another dependencia's fondo, at either step: refused and written in the audit log.
    await ana.press_data(f"ax1:p:{ajeno}")
    assert _ultima_respuesta(ana) == tx.AJENO
    await ana.press_data(f"ax1:pt:{ajeno}:20264")
    assert _ultima_respuesta(ana) == tx.AJENO
    negados = arnes.bd(
        lambda s: s.scalars(
            select(Auditoria.objeto_id).where(
                Auditoria.accion == "acceso_denegado", Auditoria.objeto == "programa"
            )
        ).all()
    )
    assert negados == [ajeno, ajeno]

    # A programa that does not exist, quarters never offered, data that is not ours.
    for data in ("ax1:p:999999", "ax1:pt:999999:20264", "ax1:ct:20265", "ax1:ct:20271",
                 "ax1:ct:1", "ax1:ct:19994", "ax1:zz", "ax1:pt:1"):  # fmt: skip
        await ana.press_data(data)
        assert _ultima_respuesta(ana) == tx.BOTON_VENCIDO, data

    assert not any(m.document for m in ana.messages)


async def test_unregistered_person_is_refused(arnes: Arnes) -> None:
    extrano = arnes.double.user(first_name="Extraño")
    await extrano.send("/anexo")
    assert extrano.last.text == textos.NO_REGISTRADO
    await extrano.press_data("ax1:ct:20264")
    assert _ultima_respuesta(extrano) == textos.NO_REGISTRADO_ALERTA
    assert not any(m.document for m in extrano.messages)


async def test_past_quarter_shows_the_state_at_its_end(arnes: Arnes) -> None:
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)

    def cambiar_texto(s: Session) -> None:
        asm = s.scalars(select(Asm).where(Asm.numero == 1)).one()
        registro.nueva_version(
            s, asm, date(2026, 10, 20), "test", origen="test", texto="Padrón único, ya corregido"
        )

    arnes.bd(cambiar_texto)
    await coord.send("/anexo")
    await coord.press("E003")
    await coord.press("Tercer trimestre 2026")
    doc = await _documento(coord)
    assert doc.document is not None and doc.document.file_name == "AnexoA_E003_2026T3.xlsx"
    assert "Tercer trimestre 2026, con datos al 30/09/2026." in doc.text
    filas = _filas(_libro(doc), "E003")
    # The avances are of October and the new text of 20 October: neither existed on 30/09/2026.
    assert [(f[1], f[COL_AVANCE]) for f in filas] == [
        ("Integrar un padrón único de personas beneficiarias", None),
        ("Documentar el procedimiento de entrega de apoyos", None),
        ("Conciliar el avance financiero con Tesorería", None),
    ]


async def test_empty_cases(arnes: Arnes) -> None:
    _programa_con_asm(arnes, "F001", "TM", desde=date(2026, 10, 5))
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)
    await coord.send("/anexo")
    await coord.press("F001")
    await coord.press("Tercer trimestre 2026")  # its ASM came later
    await coord.wait_until(lambda m: m.text == tx.SIN_ASM_TRIMESTRE)

    arnes.bd(lambda s: setattr(Catalogo(s, "test").obtener_o_crear("Instituto del Deporte"), "siglas", "IMD"))  # fmt: skip
    beto = await _persona(arnes, "Beto", Rol.ENLACE, "IMD")
    await beto.send("/anexo")
    assert beto.last.text == tx.SIN_ASM_ENLACE


async def test_long_lists_have_pages(arnes: Arnes) -> None:
    for i in range(1, 10):
        _programa_con_asm(arnes, f"F{i:03}", "TM")
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)
    await coord.send("/anexo")
    lista = coord.last
    assert "Página 1 de 2." in lista.text
    assert lista.labels()[0] == "Consolidado"
    assert lista.labels()[1:9] == ["E003 · Asistencia social"] + [
        f"F{i:03} · Fondo F{i:03}" for i in range(1, 8)
    ]
    assert lista.labels()[-1] == "Siguientes »"

    await coord.press("Siguientes »")
    assert "Página 2 de 2." in lista.text  # the same message, edited
    assert lista.labels() == [
        "Consolidado", "F008 · Fondo F008", "F009 · Fondo F009", "« Anteriores"
    ]  # fmt: skip
    await coord.press("F009")
    await coord.press("Cuarto trimestre 2026")
    doc = await _documento(coord)
    assert doc.document is not None and doc.document.file_name == "AnexoA_F009_2026T4.xlsx"


async def test_others_are_answered_while_a_file_is_made(
    arnes: Arnes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer is held inside its thread until the test lets it go: meanwhile another
    person's /ayuda is answered, the chat action repeats, and a second request waits its turn."""
    empezo, seguir = threading.Event(), threading.Event()
    hilos: list[threading.Thread] = []

    def escribir_lento(*args: Any, **kwargs: Any) -> None:
        hilos.append(threading.current_thread())
        empezo.set()
        seguir.wait(10)
        escribir_anexo_a(*args, **kwargs)

    monkeypatch.setattr(anexo_proceso, "escribir_anexo_a", escribir_lento)
    monkeypatch.setattr(anexo, "ACCION_CADA", 0.05)
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)
    ana = await _persona(arnes, "Ana", Rol.ENLACE, "SMDIF")

    try:
        await coord.send("/anexo")
        await coord.press("Consolidado")
        await coord.press("Cuarto trimestre 2026")
        assert await asyncio.to_thread(empezo.wait, 5)

        await ana.send("/ayuda")
        assert ana.last.text.startswith("Comandos")
        assert not any(m.document for m in coord.messages)

        await coord.send("/anexo")
        await coord.press("Consolidado")
        await coord.press("Cuarto trimestre 2026")
        assert _ultima_respuesta(coord) == tx.EN_CURSO

        for _ in range(200):  # the chat action is repeated while the file is made
            if len(coord.chat_actions) >= 3:
                break
            await asyncio.sleep(0.01)
        assert coord.chat_actions[:3] == ["upload_document"] * 3
    finally:
        seguir.set()

    doc = await _documento(coord)
    assert doc.document is not None and doc.document.file_name == "AnexoA_consolidado_2026T4.xlsx"
    assert hilos and hilos[0] is not threading.main_thread()


async def test_a_failure_is_explained_and_frees_the_next_request(
    arnes: Arnes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def falla(*args: Any, **kwargs: Any) -> None:
        raise OSError("disco lleno")

    monkeypatch.setattr(anexo_proceso, "escribir_anexo_a", falla)
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)
    await coord.send("/anexo")
    await coord.press("E003")
    await coord.press("Cuarto trimestre 2026")
    await coord.wait_until(lambda m: m.text == tx.ERROR)

    monkeypatch.setattr(anexo_proceso, "escribir_anexo_a", escribir_anexo_a)
    await coord.send("/anexo")
    await coord.press("E003")
    await coord.press("Cuarto trimestre 2026")
    doc = await _documento(coord)
    assert [f[0] for f in _filas(_libro(doc), "E003")] == [1, 2, 3]


async def test_the_file_is_made_in_a_worker_process(arnes: Arnes) -> None:
    """Production makes files in another process (the writer would hold the interpreter lock)."""
    await arnes.detener()
    arnes.anexos_en_proceso = True
    await arnes.arrancar()
    coord = await _persona(arnes, "Coordinación", Rol.COORDINADOR)
    await coord.send("/anexo")
    await coord.press("Consolidado")
    await coord.press("Cuarto trimestre 2026")
    doc = await _documento(coord)
    assert [f[0] for f in _filas(_libro(doc), "E003")] == [1, 2, 3]
