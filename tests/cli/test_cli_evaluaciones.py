"""`asmbot evaluacion ...`, `asmbot import --evaluacion` and `asmbot plazos`, as an admin uses them."""

from datetime import date
from pathlib import Path

from sqlalchemy import select

from storage.models import Asm, Evaluacion, Salida
from tests.ayudas import FILAS, anexo_de_dependencia
from tests.cli.test_cli import Asmbot, _sesion, asmbot  # noqa: F401  (the fixture)


def test_evaluacion_de_principio_a_fin(asmbot: Asmbot, tmp_path: Path, database_url: str) -> None:  # noqa: F811
    assert asmbot("db", "upgrade").exit_code == 0
    csv = tmp_path / "deps.csv"
    csv.write_text(
        "nombre,siglas,tipo\nSistema Municipal DIF,SMDIF,entidad\nTesorería Municipal,TM,dependencia\n",
        encoding="utf-8",
    )
    assert asmbot("dependencias", "--cargar", str(csv)).exit_code == 0
    filas = [list(f) for f in FILAS]
    filas[0][2] = "Institucional"  # one unidad only: inconsistent (Art. 9), flagged not refused
    anexo = anexo_de_dependencia(tmp_path / "dif.xlsx", filas)
    r = asmbot("import", str(anexo))
    assert r.exit_code == 0, r.output
    assert "E003: ASM sin evaluación (no hay evaluación registrada de ese Pp)." in r.output

    r = asmbot("evaluacion", "alta", "--tipo", "externa", "--pp", "E003", "--ejercicio", "2025",
               "--notificacion", "2025-11-20", "--limite-atencion", "2026-06-30")  # fmt: skip
    assert r.exit_code == 1 and "Art. 13" in r.output  # externals follow Art. 13's April
    r = asmbot("evaluacion", "alta", "--tipo", "interna", "--pp", "E003", "--ejercicio", "2025",
               "--notificacion", "2025-11-20", "--evaluador", "IMPLAN")  # fmt: skip
    assert r.exit_code == 0 and "Evaluación 1 registrada." in r.output

    # Imported again, now tied to its evaluation: the classification is flagged, not refused.
    r = asmbot("import", str(anexo), "--evaluacion", "1")
    assert r.exit_code == 0, r.output
    assert "Evaluación 1: 2 ASM vinculados." in r.output
    assert "E003 ASM 1: La clasificación «Institucional» no corresponde" in r.output

    r = asmbot("evaluacion", "lista")
    assert "Evaluación interna del ejercicio 2025 · E003 · notificada 20/11/2025" in r.output
    assert "falta: la fecha límite de atención (la fija el IMPLAN)" in r.output
    assert "falta: ASM 2: prioridad" in r.output

    r = asmbot("evaluacion", "editar", "1", "--limite-atencion", "2026-06-30")
    assert r.exit_code == 0, r.output
    assert "Fecha límite de atención: — → 30/06/2026" in r.output

    assert asmbot("evaluacion", "recomendacion", "1", "Publicar el padrón").exit_code == 0
    r = asmbot("evaluacion", "seleccionar", "1", "--clasificacion", "especifico",
               "--prioridad", "alto", "--responsable", "SMDIF:Opera el padrón",
               "--responsable", "TM:Paga los apoyos")  # fmt: skip
    assert r.exit_code == 1
    assert "«Específico» no corresponde" in r.output and "Interinstitucional" in r.output
    r = asmbot("evaluacion", "seleccionar", "1", "--clasificacion", "interinstitucional",
               "--prioridad", "alto", "--responsable", "SMDIF:Opera el padrón",
               "--responsable", "TM:Paga los apoyos")  # fmt: skip
    assert r.exit_code == 0 and "ASM" in r.output
    assert asmbot("evaluacion", "recomendacion", "1", "Cambiar la ley").exit_code == 0
    r = asmbot("evaluacion", "descartar", "2", "--cumple", "claridad", "--motivo", "No factible")
    assert r.exit_code == 0, r.output

    r = asmbot("evaluacion", "enviar", "1")
    assert r.exit_code == 0, r.output
    assert "3 ASM enviados" in r.output and "(Art. 10)" in r.output

    r = asmbot("plazos", "--dependencia", "TM")
    assert r.exit_code == 0, r.output
    assert "Art. 10" in r.output and "Plan de acción · TM" in r.output
    assert asmbot("plazos", "--dependencia", "XX").exit_code == 1

    with _sesion(database_url) as s:
        ev = s.get_one(Evaluacion, 1)
        assert ev.fecha_limite_atencion == date(2026, 6, 30) and ev.evaluador == "IMPLAN"
        recepciones = {a.fecha_recepcion for a in s.scalars(select(Asm))}
        assert len(recepciones) == 1 and None not in recepciones
        assert s.scalars(select(Salida)).all() == []  # no enlace registered: nobody to tell
