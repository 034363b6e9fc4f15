"""The oficio of Art. 13: what it says, read back from the PDF; numbering; verification."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dominio.calendario import CalendarioHabil
from bot.servicios import auditoria_export, consultas, oficios, registro
from bot.servicios.evidencias import AlmacenEvidencias
from bot.servicios.oficios import ConfigOficio, Resultado, SinEntregas
from storage.models import Asm, Dependencia, Evaluacion, Evidencia, Oficio, Usuario
from tests.arnes import sembrar
from tests.conftest import Db

AHORA = datetime(2026, 11, 18, 17, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)
LARGA = "Observación larga, " + "con detalle del avance y sus causas " * 90  # > 3,000 characters


def _cfg(data: Path) -> ConfigOficio:
    return ConfigOficio(
        municipio="H. Ayuntamiento del Municipio de Puebla",
        instituto="Instituto Municipal de Planeación",
        prefijo="OF-ASM",
        lugar="Heroica Puebla de Zaragoza, Pue.",
        bot="SeguimientoASMBot",
        data_dir=str(data),
        zona="America/Mexico_City",
    )


def _texto(pdf: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)


def _plano(texto: str) -> str:
    """Extracted text with line breaks and repeated spaces folded, for phrases that wrap."""
    return " ".join(texto.split())


def _entregas(s: Session, data: Path) -> tuple[int, list[str]]:
    """The SMDIF's two ASM delivered in November 2026 by Ana, with evidence; returns the
    dependencia id and the evidence sha256."""
    dif = s.scalars(select(Dependencia).where(Dependencia.siglas == "SMDIF")).one()
    ana = Usuario(telegram_id=77, nombre="Ana López", rol="enlace", dependencia_id=dif.id)
    s.add(ana)
    ev = Evaluacion(programa_id=1, tipo="interna", ejercicio_evaluado=2025)
    s.add(ev)
    s.flush()
    asm1, asm2 = s.scalars(select(Asm).where(Asm.numero.in_([1, 2])).order_by(Asm.numero)).all()
    asm1.evaluacion_id = ev.id
    almacen = AlmacenEvidencias(data)
    shas = []
    avance1 = registro.registrar_avance(
        s, asm1, NOV, 60, "test", origen="bot", usuario_id=ana.id, folio="AV-202611-000001",
        observaciones="Se integró el padrón <b>preliminar</b> 😀 con 1,200 registros",
    )  # fmt: skip
    avance2 = registro.registrar_avance(
        s, asm2, NOV, 80, "test", origen="bot", usuario_id=ana.id, folio="AV-202611-000002",
        observaciones=LARGA,
    )  # fmt: skip
    for avance, nombre, contenido in (
        (avance1, "minuta <b>comité</b>.pdf", b"%PDF-1.4 minuta" + b"x" * 3000),
        (avance1, "foto.png", b"\x89PNG" + b"y" * 500),
        (avance2, "informe_final.pdf", b"%PDF-1.4 informe" + b"z" * 9000),
    ):
        a = almacen.guardar(contenido, nombre)
        s.add(
            Evidencia(
                asm_id=avance.asm_id, avance_id=avance.id, sha256=a.sha256, tamano=a.tamano,
                tipo_detectado=a.tipo, nombre_original=nombre, ruta=a.ruta, usuario_id=ana.id,
            )
        )  # fmt: skip
        shas.append(a.sha256)
    s.flush()
    return dif.id, shas


Sembrado = tuple[Db, Path, int, list[str]]


@pytest.fixture
def sembrado(db: Db, tmp_path: Path) -> Sembrado:
    data = tmp_path / "data"
    with db.sesiones.begin() as s:
        sembrar(s)
        dep, shas = _entregas(s, data)
    return db, data, dep, shas


def _emitir(
    db: Db, data: Path, dep: int, mes: date = NOV, ahora: datetime = AHORA
) -> oficios.OficioEmitido:
    with db.sesiones.begin() as s:
        return oficios.emitir(s, dep, mes, _cfg(data), ahora, "cli")


def test_the_oficio_lists_each_delivery_with_its_evidence(sembrado: Sembrado) -> None:
    db, data, dep, shas = sembrado
    o = _emitir(db, data, dep)
    assert o.nuevo and o.numero == "OF-ASM/SMDIF/001/2026" and o.asm == 2
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", o.codigo)
    texto = _texto(o.contenido)
    plano = _plano(texto)
    for esperado in (
        "H. Ayuntamiento del Municipio de Puebla",
        "Sistema Municipal DIF",
        "Oficio núm. OF-ASM/SMDIF/001/2026",
        "Asunto: Entrega de avances de los ASM, noviembre de 2026",
        "Heroica Puebla de Zaragoza, Pue., a 18 de noviembre de 2026",
        "Departamento de Evaluación",
        "Instituto Municipal de Planeación",
        "Pp o fondo: E003 Asistencia social",
        "Evaluación interna · ejercicio evaluado 2025",
        "Sin evaluación registrada",  # the second ASM has no evaluation
        "Núm. 1. Integrar un padrón único de personas beneficiarias",
        "Núm. 2. Documentar el procedimiento de entrega de apoyos",
        "Avance informado: 60 % (antes 40 %) · Folio AV-202611-000001",
        "Avance informado: 80 % (antes 60 %) · Folio AV-202611-000002",
        # Typed text stays as typed: no markup is interpreted, the emoji is drawn.
        "Se integró el padrón <b>preliminar</b> 😀 con 1,200 registros",
        "minuta <b>comité</b>.pdf · application/pdf",
        "Ana López",
        "Enlace SEDEM · Sistema Municipal DIF",
        "c.c.p. Contraloría Municipal",
        f"Código de verificación {o.codigo}",
    ):
        assert esperado in plano, esperado
    # Each sha256 is whole on one line, and they are the ones the audit export checks.
    for sha in shas:
        assert f"sha256 {sha}" in texto
    # 3,000 characters wrapped over two pages, none lost (between them, only the footer).
    sin_pie = re.sub(r"Oficio \S+ · Código de verificación \S+ · Página \d+ de \d+", "", texto)
    assert _plano(LARGA) in _plano(sin_pie)
    reader = PdfReader(io.BytesIO(o.contenido))
    assert len(reader.pages) >= 2 and reader.metadata is not None
    assert reader.metadata.keywords == f"asmbot-verificacion:{o.codigo}"
    assert (data / o.ruta).read_bytes() == o.contenido


def test_evidence_hashes_are_the_ones_the_audit_export_verifies(
    sembrado: Sembrado, tmp_path: Path
) -> None:
    db, data, dep, shas = sembrado
    o = _emitir(db, data, dep)
    destino = tmp_path / "auditoria.csv"
    with db.sesiones() as s:
        resumen = auditoria_export.exportar(s, data, ZoneInfo("America/Mexico_City"), destino)
    assert resumen.alteradas == 0
    with (tmp_path / "auditoria_evidencias.csv").open(encoding="utf-8-sig") as f:
        verificados = {
            r["sha256 registrado"] for r in csv.DictReader(f) if r["¿Coincide el sha256?"] == "Sí"
        }
    impresos = set(re.findall(r"sha256 ([0-9a-f]{64})", _texto(o.contenido)))
    assert impresos == set(shas) == verificados


def test_same_deliveries_same_oficio_a_correction_the_next_number(sembrado: Sembrado) -> None:
    db, data, dep, _ = sembrado
    primero = _emitir(db, data, dep)
    otra_vez = _emitir(db, data, dep, ahora=AHORA.replace(day=19))
    assert not otra_vez.nuevo
    assert (otra_vez.numero, otra_vez.codigo, otra_vez.contenido) == (
        primero.numero,
        primero.codigo,
        primero.contenido,
    )
    with db.sesiones.begin() as s:
        asm = s.scalars(select(Asm).where(Asm.numero == 1)).one()
        registro.registrar_avance(
            s, asm, NOV, 65, "test", origen="bot", folio="AV-202611-000003"
        )  # fmt: skip
    corregido = _emitir(db, data, dep)
    assert corregido.nuevo and corregido.numero == "OF-ASM/SMDIF/002/2026"
    assert "Avance informado: 65 % (antes 40 %)" in _plano(_texto(corregido.contenido))
    with db.sesiones() as s:
        v = oficios.verificar_codigo(s, primero.codigo)
    assert v.resultado is Resultado.REGISTRADO and v.reemplazado_por == corregido.numero
    # The consecutive number starts again each year (a late correction, issued in January).
    with db.sesiones.begin() as s:
        asm = s.scalars(select(Asm).where(Asm.numero == 1)).one()
        registro.registrar_avance(s, asm, NOV, 70, "test", origen="bot", folio="AV-202611-000004")
    enero = _emitir(db, data, dep, ahora=datetime(2027, 1, 12, 17, tzinfo=UTC))
    assert enero.nuevo and enero.numero == "OF-ASM/SMDIF/001/2027"


def test_a_month_without_deliveries_has_no_oficio(sembrado: Sembrado) -> None:
    db, data, dep, _ = sembrado
    with pytest.raises(SinEntregas):
        _emitir(db, data, dep, mes=date(2026, 10, 1))  # October's avance was imported, no folio
    with db.sesiones() as s:
        tm = s.scalars(select(Dependencia).where(Dependencia.siglas == "TM")).one()
    with pytest.raises(SinEntregas):
        _emitir(db, data, tm.id)
    with db.sesiones() as s:
        assert s.scalars(select(Oficio)).all() == []


def test_verification_of_an_issued_a_modified_and_an_unknown_pdf(sembrado: Sembrado) -> None:
    db, data, dep, _ = sembrado
    o = _emitir(db, data, dep)
    # Modified: a page added with a PDF editor; the metadata (and the code in it) kept.
    escritor = PdfWriter(clone_from=PdfReader(io.BytesIO(o.contenido)))
    escritor.add_blank_page()
    modificado = io.BytesIO()
    escritor.write(modificado)
    # Unknown: another PDF with an invented code in its keywords.
    falso = PdfWriter()
    falso.add_blank_page(612, 792)
    falso.add_metadata({"/Keywords": "asmbot-verificacion:ABCD-EFGH-JKMN"})
    desconocido = io.BytesIO()
    falso.write(desconocido)

    with db.sesiones() as s:
        autentico = oficios.verificar_archivo(s, o.contenido)
        alterado = oficios.verificar_archivo(s, modificado.getvalue())
        ajeno = oficios.verificar_archivo(s, desconocido.getvalue())
        un_byte = oficios.verificar_archivo(s, o.contenido[:-10] + b"%%EOF   \n")
        por_codigo = oficios.verificar_codigo(s, o.codigo.lower().replace("-", " "))
        inventado = oficios.verificar_codigo(s, "ABCD-EFGH-JKMN")
    assert autentico.resultado is Resultado.AUTENTICO
    assert (autentico.numero, autentico.dependencia, autentico.mes) == (
        o.numero,
        "Sistema Municipal DIF",
        NOV,
    )
    assert autentico.emitido_en == AHORA
    assert alterado.resultado is Resultado.MODIFICADO and alterado.numero == o.numero
    assert un_byte.resultado is Resultado.MODIFICADO
    assert ajeno.resultado is Resultado.DESCONOCIDO and ajeno.numero is None
    assert por_codigo.resultado is Resultado.REGISTRADO and por_codigo.sha256 == autentico.sha256
    assert inventado.resultado is Resultado.DESCONOCIDO


def test_month_complete_when_no_open_asm_lacks_the_month(
    sembrado: Sembrado, cal: CalendarioHabil
) -> None:
    db, _, dep, _ = sembrado
    with db.sesiones() as s:
        assert consultas.mes_completo(s, dep, NOV, date(2026, 11, 18), cal)
        assert not consultas.mes_completo(s, dep, date(2026, 12, 1), date(2026, 12, 2), cal)
        tm = s.scalars(select(Dependencia).where(Dependencia.siglas == "TM")).one()
        assert not consultas.mes_completo(s, tm.id, NOV, date(2026, 11, 18), cal)
        assert oficios.meses_con_entregas(s, dep) == [NOV]


def test_the_evaluation_is_named_with_its_year_evaluated() -> None:
    externa = Evaluacion(tipo="externa", ejercicio_evaluado=2024)
    seguimiento = Evaluacion(tipo="seguimiento", ejercicio_evaluado=2023)
    assert oficios.describir_evaluacion(externa) == "Evaluación externa · ejercicio evaluado 2024"
    assert oficios.describir_evaluacion(seguimiento) == (
        "Informe de seguimiento y monitoreo · ejercicio evaluado 2023"
    )
    assert oficios.describir_evaluacion(None) == "Sin evaluación registrada"
    assert oficios.normalizar_codigo("k7qm 2xdp 9hta") == "K7QM-2XDP-9HTA"
    assert oficios.normalizar_codigo("K7QM-2XDP-9HT") is None
    assert oficios.normalizar_codigo("O1IL-2XDP-9HTA") is None  # letters we never use
