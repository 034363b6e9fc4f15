"""The coordination's administration from the chat: Anexo A import, /invitar, /usuarios."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.anexo_a.lectura import leer_anexo_a
from bot.dominio.vocabulario import Rol
from bot.mensajes import admin as tx
from bot.mensajes import textos
from bot.servicios import registro
from bot.servicios.catalogo import Catalogo
from bot.servicios.importacion_vista import CambioAsm, importar, ruta_archivo, vista_previa
from botapi_double import SimUser
from storage.models import (
    Asm,
    AsmVersion,
    Auditoria,
    Avance,
    Borrador,
    Evaluacion,
    Importacion,
    Invitacion,
    Programa,
    Usuario,
)
from tests.arnes import Arnes, sembrar
from tests.ayudas import anexo_de_dependencia
from tests.conftest import Db

T4 = "Cuarto trimestre 2026"
# Núm. 1 as seeded but with new actividades and 50 % (it had 40 %); Núm. 4 is new.
FILAS: list[list[Any]] = [
    [1, "Integrar un padrón único de personas beneficiarias", "Específico",
     "Sistema Municipal DIF", "Depurar el padrón con el Registro Civil", "15/12/2026", "", "",
     0.5, ""],
    [4, "Publicar las reglas de operación", "Específico", "Tesorería Municipal",
     "Redactar y publicar", "31/03/2027", "Reglas publicadas", "Periódico Oficial", "0 %", ""],
]  # fmt: skip


def _xlsx(tmp_path: Path, filas: list[list[Any]] = FILAS, **encabezado: str) -> bytes:
    encabezado.setdefault("trimestre", T4)
    return anexo_de_dependencia(tmp_path / "anexo.xlsx", filas, **encabezado).read_bytes()


async def _coordinador(arnes: Arnes, nombre: str = "Carla") -> SimUser:
    coord = arnes.double.user(first_name=nombre, last_name="Ruiz")
    await arnes.registrar(coord, Rol.COORDINADOR)
    return coord


def _contar(arnes: Arnes, modelo: type) -> int:
    return arnes.bd(lambda s: s.scalar(select(func.count()).select_from(modelo)) or 0)


def _usuario(arnes: Arnes, telegram_id: int) -> Usuario:
    u = arnes.bd(lambda s: s.scalar(select(Usuario).where(Usuario.telegram_id == telegram_id)))
    assert u is not None
    return u


def _asm(s: Session, numero: int) -> Asm | None:
    return s.scalar(
        select(Asm).join(Programa).where(Programa.clave == "E003", Asm.numero == numero)
    )


# --- Importing an Anexo A -------------------------------------------------------------------


async def test_preview_lists_changes_and_confirmar_imports(arnes: Arnes, tmp_path: Path) -> None:
    coord = await _coordinador(arnes)
    versiones = _contar(arnes, AsmVersion)
    await coord.send_document(_xlsx(tmp_path), "anexo E003.xlsx")
    vista = coord.last.text
    assert vista.startswith("Vista previa de «anexo E003.xlsx»")
    assert "E003 (2026T4)" in vista
    assert "ASM nuevos: 1 · con cambios: 1 · sin cambios: 0" in vista
    assert "Avances a registrar: 2" in vista
    # Field by field, with the values before and after.
    assert (
        "• E003 Núm. 1\n   actividades: Mesas de trabajo y documento final → Depurar el padrón "
        "con el Registro Civil\n"
    ) in vista
    assert "   % de avance: 40 % → 50 %\n• E003 Núm. 4 (nuevo)\n   % de avance: — → 0 %" in vista
    assert coord.last.labels() == ["Confirmar", "Cancelar"]
    # Nothing saved by the preview.
    assert (_contar(arnes, Asm), _contar(arnes, AsmVersion)) == (3, versiones)
    assert _contar(arnes, Importacion) == 0

    await coord.press("Confirmar")
    assert coord.messages[-2].buttons == []  # the preview lost its buttons
    assert coord.last.text.startswith("✅ Importación terminada")
    assert "ASM nuevos: 1 · con cambios: 1" in coord.last.text

    def revisar(s: Session) -> None:
        asm1, asm4 = _asm(s, 1), _asm(s, 4)
        assert asm1 is not None and asm4 is not None
        ultima = s.scalars(
            select(AsmVersion).where(AsmVersion.asm_id == asm1.id).order_by(AsmVersion.id.desc())
        ).first()
        assert ultima is not None
        assert ultima.actividades == "Depurar el padrón con el Registro Civil"
        avance = s.scalar(select(Avance).where(Avance.asm_id == asm1.id, Avance.porcentaje == 50))
        assert avance is not None and avance.periodo == date(2026, 12, 1)
        (imp,) = s.scalars(select(Importacion)).all()
        coord_id = s.scalar(select(Usuario.id).where(Usuario.telegram_id == coord.id))
        assert (imp.nombre_archivo, imp.actor) == ("anexo E003.xlsx", f"usuario:{coord_id}")
        assert s.get(Borrador, coord.id) is None

    arnes.bd(revisar)


async def test_an_import_ties_its_asm_to_the_only_evaluation_of_the_pp(
    arnes: Arnes, tmp_path: Path
) -> None:
    """One evaluation of the Pp for the plan's year: chosen without asking (Art. 10's clock)."""

    def evaluar(s: Session) -> int:
        pp = s.scalars(select(Programa).where(Programa.clave == "E003")).one()
        ev = Evaluacion(
            programa_id=pp.id, tipo="interna", ejercicio_evaluado=2025,
            fecha_notificacion=date(2026, 3, 2), evaluador="IMPLAN",
        )  # fmt: skip
        s.add(ev)
        s.flush()
        return ev.id

    ev_id = arnes.bd(evaluar)
    coord = await _coordinador(arnes)
    await coord.send_document(_xlsx(tmp_path), "anexo E003.xlsx")
    await coord.press("Confirmar")
    assert f"Evaluación {ev_id}: 4 ASM vinculados." in coord.last.text
    asm4 = arnes.bd(lambda s: _asm(s, 4))
    assert asm4 is not None and asm4.evaluacion_id == ev_id


async def test_an_import_says_when_no_evaluation_could_be_chosen(
    arnes: Arnes, tmp_path: Path
) -> None:
    coord = await _coordinador(arnes)
    await coord.send_document(_xlsx(tmp_path), "anexo E003.xlsx")
    await coord.press("Confirmar")
    assert "E003: ASM sin evaluación (no hay evaluación registrada de ese Pp)." in coord.last.text


async def test_a_broken_file_lists_its_problems_by_row_and_imports_nothing(
    arnes: Arnes, tmp_path: Path
) -> None:
    coord = await _coordinador(arnes)
    filas = [[*FILAS[0][:2], "Rara", *FILAS[0][3:8], "mucho", ""], FILAS[1]]
    await coord.send_document(_xlsx(tmp_path, filas), "roto.xlsx")
    texto = coord.last.text
    assert texto.startswith("❌ No se puede importar «roto.xlsx». No se guardó nada.")
    assert "Hoja «Plan de Acción», fila 7, columna D" in texto  # the clasificación
    assert "fila 7, columna J" in texto  # the % de avance
    assert coord.last.labels() == []
    assert (_contar(arnes, Asm), _contar(arnes, Importacion)) == (3, 0)
    assert arnes.bd(lambda s: s.get(Borrador, coord.id)) is None


async def test_a_header_without_trimestre_says_to_write_it(arnes: Arnes, tmp_path: Path) -> None:
    coord = await _coordinador(arnes)
    await coord.send_document(_xlsx(tmp_path, trimestre=""), "sin_trimestre.xlsx")
    assert "no indica el trimestre; escríbalo en el encabezado" in coord.last.text
    assert "--trimestre" not in coord.last.text  # no command-line advice in the chat
    assert _contar(arnes, Importacion) == 0


async def test_a_restart_between_preview_and_confirmar_loses_nothing(
    arnes: Arnes, tmp_path: Path
) -> None:
    coord = await _coordinador(arnes)
    contenido = _xlsx(tmp_path)
    await coord.send_document(contenido, "anexo.xlsx")
    paso = arnes.bd(lambda s: s.get(Borrador, coord.id))
    assert paso is not None and paso.flujo == "importar"
    archivo = ruta_archivo(arnes.entorno.settings.data_dir, paso.datos["sha256"])
    assert archivo.read_bytes() == contenido
    await arnes.reiniciar()
    await coord.press("Confirmar")
    assert coord.last.text.startswith("✅ Importación terminada")
    assert arnes.bd(lambda s: _asm(s, 4)) is not None


async def test_a_second_confirmar_does_nothing(arnes: Arnes, tmp_path: Path) -> None:
    coord = await _coordinador(arnes)
    await coord.send_document(_xlsx(tmp_path), "anexo.xlsx")
    confirmar = coord.last.buttons[0][0].callback_data
    assert confirmar is not None and confirmar.startswith("im1:ok:")
    await coord.press("Confirmar")
    versiones, avances, mensajes = (
        _contar(arnes, AsmVersion),
        _contar(arnes, Avance),
        len(coord.messages),
    )
    await coord.press_data(confirmar, coord.messages[-2].message_id)
    assert coord.callback_answers[-1]["text"] == tx.BOTON_VENCIDO
    assert len(coord.messages) == mensajes
    assert (_contar(arnes, AsmVersion), _contar(arnes, Avance)) == (versiones, avances)
    assert _contar(arnes, Importacion) == 1


async def test_an_old_preview_cannot_confirm_a_newer_file(arnes: Arnes, tmp_path: Path) -> None:
    coord = await _coordinador(arnes)
    await coord.send_document(_xlsx(tmp_path), "primero.xlsx")
    primera = coord.last
    confirmar = primera.buttons[0][0].callback_data
    assert confirmar is not None
    await coord.send_document(_xlsx(tmp_path, FILAS[:1]), "segundo.xlsx")
    assert primera.labels() == []  # the newer preview took the buttons
    await coord.press_data(confirmar, primera.message_id)  # pressed anyway (an old client)
    assert coord.callback_answers[-1]["text"] == tx.BOTON_VENCIDO
    assert _contar(arnes, Importacion) == 0
    await coord.press("Cancelar")
    assert "Importación cancelada" in coord.last.text
    assert arnes.bd(lambda s: s.get(Borrador, coord.id)) is None
    assert _contar(arnes, Importacion) == 0


async def test_an_enlace_xlsx_is_evidence_not_an_import(arnes: Arnes, tmp_path: Path) -> None:
    ana = arnes.double.user(first_name="Ana")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    contenido = _xlsx(tmp_path)
    await ana.send_document(contenido, "anexo.xlsx")
    assert ana.last.text == "Para enviar evidencia, primero escriba /avance o /evidencia."
    await ana.send("/evidencia")
    await ana.press("Núm. 1 · E003")
    await ana.send_document(contenido, "anexo.xlsx")
    assert ana.last.text.startswith("📎 Recibidos: 1 archivo\n• anexo.xlsx (Excel")
    assert _contar(arnes, Importacion) == 0
    # Strangers and the Contraloría get no import either.
    extrano = arnes.double.user(first_name="Pedro")
    await extrano.send_document(contenido, "anexo.xlsx")
    assert extrano.last.text == textos.NO_REGISTRADO
    cont = arnes.double.user(first_name="Rosa")
    await arnes.registrar(cont, Rol.CONTRALORIA)
    await cont.send_document(contenido, "anexo.xlsx")
    assert cont.last.text == tx.SOLO_COORDINACION
    assert (_contar(arnes, Importacion), _contar(arnes, Asm)) == (0, 3)


# --- /invitar -------------------------------------------------------------------------------


def _codigo(texto: str) -> str:
    m = re.search(r"https://t\.me/SeguimientoASMBot\?start=(\S+)", texto)
    assert m is not None, texto
    return m.group(1)


async def _abrir(arnes: Arnes, texto: str, nombre: str) -> SimUser:
    nuevo = arnes.double.user(first_name=nombre)
    await nuevo.send(f"/start {_codigo(texto)}")
    await nuevo.press("Acepto")
    return nuevo


async def test_invitar_gives_a_working_link_for_each_role(arnes: Arnes) -> None:
    coord = await _coordinador(arnes)
    await coord.send("/invitar")
    assert coord.last.labels() == [
        tx.BOTON_ENLACE, tx.BOTON_COORDINADOR, tx.BOTON_CONTRALORIA, "Cancelar",
    ]  # fmt: skip
    await coord.press(tx.BOTON_ENLACE)
    assert coord.last.labels() == [
        "SMDIF · Sistema Municipal DIF", "TM · Tesorería Municipal", "Cancelar",
    ]  # fmt: skip
    await coord.press("SMDIF")
    assert "Invitación para Enlace SEDEM de Sistema Municipal DIF" in coord.messages[-2].text
    assert "vence el 25/11/2026 a las 11:00" in coord.last.text  # 7 days, Mexico City time
    assert coord.last.photo is not None  # the QR, the link beneath it
    ana = await _abrir(arnes, coord.last.text, "Ana")
    assert "Su registro como Enlace SEDEM de Sistema Municipal DIF está listo" in ana.last.text

    await coord.send("/invitar")
    await coord.press(tx.BOTON_COORDINADOR)
    otro = await _abrir(arnes, coord.last.text, "Jorge")
    assert "Su registro como Coordinación (IMPLAN) está listo" in otro.last.text

    await coord.send("/invitar")
    await coord.press(tx.BOTON_CONTRALORIA)
    rosa = await _abrir(arnes, coord.last.text, "Rosa")
    assert "Su registro como Contraloría Municipal está listo" in rosa.last.text

    coord_id = _usuario(arnes, coord.id).id
    actores = arnes.bd(
        lambda s: s.scalars(
            select(Auditoria.actor).where(
                Auditoria.objeto == "invitacion", Auditoria.accion == "crear"
            )
        ).all()
    )
    assert actores.count(f"usuario:{coord_id}") == 3

    await coord.send("/invitar")
    await coord.press("Cancelar")
    assert coord.last.buttons == []


async def test_the_dependencias_come_in_pages(arnes: Arnes) -> None:
    def mas(s: Session) -> None:
        cat = Catalogo(s, "test")
        for i in range(10):
            cat.obtener_o_crear(f"Dirección de Prueba {i:02d}")

    arnes.bd(mas)
    coord = await _coordinador(arnes)
    await coord.send("/invitar")
    await coord.press(tx.BOTON_ENLACE)
    assert "Página 1 de 2." in coord.last.text
    assert "Siguientes »" in coord.last.labels()
    await coord.press("Siguientes »")
    assert "Página 2 de 2." in coord.last.text
    await coord.press("TM · Tesorería")
    assert "Enlace SEDEM de Tesorería Municipal" in coord.last.text


# --- /usuarios ------------------------------------------------------------------------------


async def test_usuarios_lists_by_dependencia_and_deactivation_is_immediate(arnes: Arnes) -> None:
    coord = await _coordinador(arnes)
    ana = arnes.double.user(first_name="Ana", last_name="López")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    luis = arnes.double.user(first_name="Luis", last_name="Mora")
    await arnes.registrar(luis, Rol.ENLACE, "TM")
    rosa = arnes.double.user(first_name="Rosa")
    await arnes.registrar(rosa, Rol.CONTRALORIA)

    await coord.send("/usuarios")
    lista = coord.last.text
    assert "Personas registradas (4 con acceso)" in lista
    orden = [
        lista.index(t)
        for t in (
            "Coordinación (IMPLAN)\n• Carla Ruiz · desde 18/11/2026",
            "Contraloría Municipal\n• Rosa",
            "Sistema Municipal DIF\n• Ana López",
            "Tesorería Municipal\n• Luis Mora",
        )
    ]
    assert orden == sorted(orden)
    assert coord.last.labels() == [
        "Desactivar a Ana López (SMDIF)",
        "Desactivar a Luis Mora (TM)",
        "Desactivar a Rosa (Contraloría)",
    ]  # never oneself

    await coord.press("Desactivar a Ana López")
    assert coord.last.text.startswith("¿Desactivar a Ana López, Enlace SEDEM de Sistema")
    await coord.press("Sí, desactivar")
    assert coord.last.text.startswith("Listo: Ana López ya no tiene acceso.")
    assert _usuario(arnes, ana.id).activo is False
    await ana.send("/mis_asm")
    assert ana.last.text == textos.DESACTIVADO
    await ana.press_data("av1:a:1")
    assert ana.callback_answers[-1]["text"] == textos.DESACTIVADO

    ana_id, coord_id = _usuario(arnes, ana.id).id, _usuario(arnes, coord.id).id
    ((actor, detalle),) = arnes.bd(
        lambda s: s.execute(
            select(Auditoria.actor, Auditoria.detalle).where(
                Auditoria.accion == "desactivar", Auditoria.objeto_id == ana_id
            )
        ).all()
    )
    assert actor == f"usuario:{coord_id}" and detalle["rol"] == "enlace"

    await coord.send("/usuarios")
    assert "Ana López · desde 18/11/2026 · desactivado" in coord.last.text
    assert "Personas registradas (3 con acceso)" in coord.last.text
    assert "Desactivar a Ana López (SMDIF)" not in coord.last.labels()
    # Forged: oneself, someone already deactivated, someone who does not exist.
    for dato, aviso in (
        (f"us1:dok:{coord_id}", tx.NO_A_SI_MISMO),
        (f"us1:des:{coord_id}", tx.NO_A_SI_MISMO),
        (f"us1:des:{ana_id}", tx.NO_ES_ACTIVO),
        ("us1:dok:999999", tx.NO_ES_ACTIVO),
    ):
        mensajes = len(coord.messages)
        await coord.press_data(dato)
        assert coord.callback_answers[-1]["text"] == aviso, dato
        assert len(coord.messages) == mensajes
    assert _usuario(arnes, coord.id).activo is True


async def test_a_deactivated_coordinador_can_do_nothing(arnes: Arnes, tmp_path: Path) -> None:
    coord = await _coordinador(arnes)
    otro = await _coordinador(arnes, "Jorge")
    await otro.send_document(_xlsx(tmp_path), "anexo.xlsx")
    await coord.send("/usuarios")
    await coord.press("Desactivar a Jorge")
    await coord.press("Sí, desactivar")
    await otro.send("/usuarios")
    assert otro.last.text == textos.DESACTIVADO
    await otro.press("Confirmar")  # the preview it had before
    assert otro.callback_answers[-1]["text"] == textos.DESACTIVADO
    await otro.send_document(_xlsx(tmp_path), "anexo.xlsx")
    assert otro.last.text == textos.DESACTIVADO
    assert _contar(arnes, Importacion) == 0


# --- Refusals -------------------------------------------------------------------------------


async def test_enlaces_and_the_contraloria_are_refused_everything(
    arnes: Arnes, tmp_path: Path
) -> None:
    coord = await _coordinador(arnes)
    await coord.send_document(_xlsx(tmp_path), "anexo.xlsx")  # a pending import to forge at
    marca = (coord.last.buttons[0][0].callback_data or "").rsplit(":", 1)[-1]
    ana = arnes.double.user(first_name="Ana")
    await arnes.registrar(ana, Rol.ENLACE, "SMDIF")
    rosa = arnes.double.user(first_name="Rosa")
    await arnes.registrar(rosa, Rol.CONTRALORIA)
    coord_id, ana_id = _usuario(arnes, coord.id).id, _usuario(arnes, ana.id).id
    invitaciones = _contar(arnes, Invitacion)

    for persona in (ana, rosa):
        for comando in ("/invitar", "/usuarios"):
            await persona.send(comando)
            assert persona.last.text == tx.SOLO_COORDINACION, comando
        for dato in (
            "us1:ie", "us1:ipg:1", "us1:id:1", "us1:ic", "us1:ix", "us1:no", "us1:upg:1",
            f"us1:des:{coord_id}", f"us1:dok:{coord_id}", f"us1:dok:{ana_id}", "us1:dno",
            f"im1:ok:{marca}", f"im1:no:{marca}",
        ):  # fmt: skip
            await persona.press_data(dato)
            assert persona.callback_answers[-1]["text"] == tx.SOLO_COORDINACION, dato
        assert persona.last.text == tx.SOLO_COORDINACION  # nothing else was sent

    assert _contar(arnes, Invitacion) == invitaciones
    assert _usuario(arnes, coord.id).activo and _usuario(arnes, ana.id).activo
    assert _contar(arnes, Importacion) == 0
    assert arnes.bd(lambda s: s.get(Borrador, coord.id)) is not None  # still pending
    negados = arnes.bd(
        lambda s: s.scalar(select(func.count()).where(Auditoria.accion == "acceso_denegado"))
    )
    assert negados == 2 * 13


async def test_what_changed_after_the_preview_is_checked_again(
    arnes: Arnes, tmp_path: Path
) -> None:
    coord = await _coordinador(arnes)
    await coord.send_document(_xlsx(tmp_path), "anexo.xlsx")

    def reportar_70(s: Session) -> None:  # the enlace reports 70 % meanwhile
        asm = _asm(s, 1)
        assert asm is not None
        registro.registrar_avance(s, asm, date(2026, 11, 1), 70, "test", origen="test")

    arnes.bd(reportar_70)
    await coord.press("Confirmar")
    assert coord.last.text.startswith("❌ No se puede importar «anexo.xlsx»")
    assert "baja de 70 a 50 sin justificación" in coord.last.text
    assert (_contar(arnes, Importacion), _contar(arnes, Asm)) == (0, 3)
    assert arnes.bd(lambda s: s.get(Borrador, coord.id)) is None


async def test_many_problems_fit_in_one_message(arnes: Arnes, tmp_path: Path) -> None:
    coord = await _coordinador(arnes)
    filas = [[n, f"ASM {n}", "Rara", "SMDIF", "", "", "", "", "mucho", ""] for n in range(1, 61)]
    await coord.send_document(_xlsx(tmp_path, filas), "muchos.xlsx")
    texto = coord.last.text
    assert len(texto) < 4096
    assert re.search(r"… y \d+ problemas más\.$", texto)


async def test_forged_pages_and_repeated_presses_are_harmless(arnes: Arnes) -> None:
    coord = await _coordinador(arnes)
    await coord.send("/invitar")
    await coord.press(tx.BOTON_ENLACE)
    await coord.press_data("us1:ipg:0")  # the page it shows: nothing to change
    await coord.press_data("us1:ipg:99")  # the last page there is
    for dato, aviso in (
        ("us1:id:999999", tx.BOTON_VENCIDO_USUARIOS),  # no such dependencia
        ("us1:zz", tx.BOTON_VENCIDO_USUARIOS),
        ("im1:ok", tx.BOTON_VENCIDO),
        ("im1:no:1", tx.BOTON_VENCIDO),  # no import pending
    ):
        await coord.press_data(dato)
        assert coord.callback_answers[-1]["text"] == aviso, dato
    assert "SMDIF · Sistema Municipal DIF" in coord.last.labels()  # the list is still there
    assert _contar(arnes, Invitacion) == 1  # only the coordinador's own, from the harness


# --- The core, without the bot --------------------------------------------------------------


def test_the_preview_saves_nothing_and_names_the_changed_fields(db: Db, tmp_path: Path) -> None:
    with db.sesiones.begin() as s:
        sembrar(s)
    leido = leer_anexo_a(anexo_de_dependencia(tmp_path / "a.xlsx", FILAS, trimestre=T4), "a")
    vista = vista_previa(db.sesiones, leido, nombre_archivo="a.xlsx", sha256="0" * 64, actor="t")
    assert vista.importable and vista.resumen is not None
    assert (vista.resumen.nuevos, vista.resumen.modificados) == (1, 1)
    assert vista.cambios == [
        CambioAsm("E003", 1, nuevo=False, campos=("actividades",), avance=(40, 50)),
        CambioAsm("E003", 4, nuevo=True, avance=(None, 0)),
    ]
    with db.sesiones() as s:
        assert s.scalar(select(func.count()).select_from(Asm)) == 3
        assert s.scalar(select(func.count()).select_from(Auditoria)) == s.scalar(
            select(func.count()).select_from(Auditoria).where(Auditoria.actor == "test")
        )
    # The same file again, once imported, changes nothing.
    with db.sesiones.begin() as s:
        importar(s, leido, nombre_archivo="a.xlsx", sha256="0" * 64, actor="t")
    otra = vista_previa(db.sesiones, leido, nombre_archivo="a.xlsx", sha256="0" * 64, actor="t")
    assert otra.cambios == [] and otra.resumen is not None and otra.resumen.sin_cambios == 2
