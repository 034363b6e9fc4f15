"""Rounds of reminders on a seeded database, at dates the tests choose (no clock, no sleeps).

The seed (tests/arnes.py): Pp E003 with ASM 1 (SMDIF, ends 15/12/2026, 40 % in October),
ASM 2 (SMDIF, ended 30/10/2026, 60 %) and ASM 3 (TM, ends 31/03/2027, no progress). Here we add a
dependencia whose only ASM is done (SECAD), one without any enlace, and people in every state.
"""

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings, load_settings
from bot.dominio.calendario import CalendarioHabil
from bot.dominio.periodos import Trimestre
from bot.servicios import registro
from bot.servicios.salida import Mensaje, encolar
from scheduler.rondas import mensajes_anexo_trimestral, planear
from storage.models import Asm, AsmResponsable, Dependencia, Evaluacion, Programa, Usuario
from tests.arnes import sembrar
from tests.conftest import Db

MX = ZoneInfo("America/Mexico_City")


def a_las(anio: int, mes: int, dia: int, hora: int = 10) -> datetime:
    return datetime(anio, mes, dia, hora, tzinfo=MX)


@dataclass
class Gente:
    dif: int  # enlace SMDIF
    tm: int  # enlace TM
    secad: int  # enlace of a dependencia with everything done
    coord: int
    # Never reminded:
    dif_inactivo: int
    tm_inalcanzable: int
    coord_inalcanzable: int
    contraloria: int
    # ASM ids
    asm1: int
    asm2: int
    asm3: int

    @property
    def callados(self) -> set[int]:
        return {
            self.dif_inactivo,
            self.tm_inalcanzable,
            self.coord_inalcanzable,
            self.contraloria,
            self.secad,
        }


def _dep(s: Session, siglas: str) -> Dependencia:
    dep = s.scalar(select(Dependencia).where(Dependencia.siglas == siglas))
    assert dep is not None
    return dep


def _asm(s: Session, numero: int) -> Asm:
    asm = s.scalar(select(Asm).where(Asm.numero == numero))
    assert asm is not None
    return asm


def _nuevo_asm(s: Session, dep: Dependencia, numero: int, termino: date) -> Asm:
    programa = s.scalar(select(Programa).where(Programa.clave == "E003"))
    assert programa is not None
    asm = Asm(programa_id=programa.id, numero=numero)
    s.add(asm)
    s.flush()
    s.add(AsmResponsable(asm_id=asm.id, dependencia_id=dep.id))
    registro.nueva_version(
        s, asm, date(2026, 1, 15), "test", origen="test", texto=f"ASM {numero} <de prueba>",
        clasificacion="especifico", area_responsable=dep.nombre, fecha_termino=termino,
    )  # fmt: skip
    return asm


@pytest.fixture
def gente(db: Db) -> Gente:
    with db.sesiones.begin() as s:
        sembrar(s)
        dif, tm = _dep(s, "SMDIF"), _dep(s, "TM")
        secad = Dependencia(nombre="Secretaría de Administración", siglas="SECAD")
        sin_enlace = Dependencia(nombre="Obras <Públicas> & Servicios")  # no siglas, no enlace
        s.add_all([secad, sin_enlace])
        s.flush()
        terminado = _nuevo_asm(s, secad, 4, date(2026, 12, 15))
        registro.registrar_avance(s, terminado, date(2026, 10, 1), 100, "test", origen="test")
        _nuevo_asm(s, sin_enlace, 5, date(2027, 3, 31))

        def persona(tg: int, rol: str, dep: Dependencia | None = None, **extra: object) -> int:
            u = Usuario(
                telegram_id=tg,
                nombre=f"Persona {tg}",
                rol=rol,
                dependencia_id=dep.id if dep else None,
                **extra,
            )
            s.add(u)
            s.flush()
            return u.id

        bloqueado = datetime(2026, 10, 1, tzinfo=UTC)
        gente = Gente(
            dif=persona(1001, "enlace", dif),
            tm=persona(1002, "enlace", tm),
            secad=persona(1003, "enlace", secad),
            coord=persona(2001, "coordinador"),
            dif_inactivo=persona(1004, "enlace", dif, activo=False),
            tm_inalcanzable=persona(1005, "enlace", tm, inalcanzable_desde=bloqueado),
            coord_inalcanzable=persona(2002, "coordinador", inalcanzable_desde=bloqueado),
            contraloria=persona(3001, "contraloria"),
            asm1=_asm(s, 1).id,
            asm2=_asm(s, 2).id,
            asm3=_asm(s, 3).id,
        )
    return gente


@pytest.fixture
def ajustes(tmp_path: Path) -> Settings:
    return load_settings({"ASMBOT_DATA_DIR": str(tmp_path)}, env_file=tmp_path / "no.env")


def ronda(db: Db, ahora: datetime, cal: CalendarioHabil, ajustes: Settings) -> list[Mensaje]:
    with db.sesiones() as s:
        mensajes = planear(s, ahora, cal, ajustes)
    claves = [m.clave for m in mensajes]
    assert len(claves) == len(set(claves)), "a round must not repeat a clave"
    return mensajes


def por_clave(mensajes: list[Mensaje]) -> dict[str, Mensaje]:
    return {m.clave: m for m in mensajes}


def informar(db: Db, numero: int, periodo: date, porcentaje: int) -> None:
    with db.sesiones.begin() as s:
        registro.registrar_avance(s, _asm(s, numero), periodo, porcentaje, "test", origen="test")


# --- Monthly update ----------------------------------------------------------------------------


def test_primer_dia_habil_del_mes(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    # Mon 2 Nov 2026 is Día de Muertos: nothing. The month opens on Tue 3.
    assert ronda(db, a_las(2026, 11, 2), cal, ajustes) == []
    m = por_clave(ronda(db, a_las(2026, 11, 3), cal, ajustes))

    mensuales = {c for c in m if c.startswith("mensual_")}
    assert mensuales == {
        f"mensual_inicio:u{gente.dif}:2026-11",
        f"mensual_inicio:u{gente.tm}:2026-11",
    }
    dif = m[f"mensual_inicio:u{gente.dif}:2026-11"]
    assert dif.tipo == "mensual_inicio"
    assert dif.chat_id == 1001 and dif.usuario_id == gente.dif
    assert "noviembre de 2026" in dif.texto
    assert "2 ASM" in dif.texto and "Núm. 1 · E003" in dif.texto and "Núm. 2 · E003" in dif.texto
    assert dif.botones == [[("Informar avance", "av1:ini")]]
    assert dif.solo_en_horario and dif.documento is None
    tm = m[f"mensual_inicio:u{gente.tm}:2026-11"]
    assert "1 ASM" in tm.texto and "Núm. 3" in tm.texto and "Núm. 1" not in tm.texto

    # Nobody else: the inactive, the unreachable, the Contraloría, and SECAD (all done).
    assert not any(f":u{u}:" in c for c in m for u in gente.callados)
    # ASM 2 ended on Fri 30 Oct: one business day ago, so its enlace hears that it expired.
    assert set(m) >= {f"vencido:u{gente.dif}:asm{gente.asm2}:termino:2026-10-30"}
    # Tuesday 3 is the week's first business day: the coordinador's digest.
    assert f"semanal:u{gente.coord}:2026-W45" in m
    assert not any(c.startswith(("escalamiento", "informado", "mensual_cierre")) for c in m)


def test_quien_informo_ya_no_recibe_recordatorio(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    informar(db, 3, date(2026, 11, 1), 20)  # TM reports its only ASM in November
    informar(db, 1, date(2026, 11, 1), 50)  # SMDIF reports one of two
    m = por_clave(ronda(db, a_las(2026, 11, 4), cal, ajustes))
    assert {c for c in m if c.startswith("mensual_")} == {f"mensual_inicio:u{gente.dif}:2026-11"}
    texto = m[f"mensual_inicio:u{gente.dif}:2026-11"].texto
    assert "1 ASM" in texto and "Núm. 2" in texto and "Núm. 1 " not in texto


def test_aviso_de_cierre(db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings) -> None:
    informar(db, 3, date(2026, 11, 1), 20)
    # The month's last business day is Mon 30 Nov; 3 business days before is Wed 25.
    antes = ronda(db, a_las(2026, 11, 24), cal, ajustes)
    assert not any(m.tipo == "mensual_cierre" for m in antes)
    m = por_clave(ronda(db, a_las(2026, 11, 25), cal, ajustes))
    assert {c for c in m if c.startswith("mensual_")} == {f"mensual_cierre:u{gente.dif}:2026-11"}
    texto = m[f"mensual_cierre:u{gente.dif}:2026-11"].texto
    assert "faltan 3 días hábiles" in texto and "30/11/2026" in texto and "2 ASM" in texto
    # The number of days is counted on the day the round runs (catch-up after downtime).
    m = por_clave(ronda(db, a_las(2026, 11, 27), cal, ajustes))
    assert "falta 1 día hábil" in m[f"mensual_cierre:u{gente.dif}:2026-11"].texto


def test_aviso_de_cierre_configurable(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    cinco = replace(ajustes, dias_aviso_cierre=5)
    m = por_clave(ronda(db, a_las(2026, 11, 23), cal, cinco))
    assert f"mensual_cierre:u{gente.dif}:2026-11" in m


def test_ultimo_dia_habil_escala(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    informar(db, 3, date(2026, 11, 1), 20)  # TM is up to date
    m = por_clave(ronda(db, a_las(2026, 11, 30), cal, ajustes))

    assert {c for c in m if c.startswith("escalamiento")} == {
        f"escalamiento:u{gente.coord}:2026-11"
    }
    esc = m[f"escalamiento:u{gente.coord}:2026-11"]
    assert esc.chat_id == 2001
    assert "noviembre de 2026" in esc.texto and "30/11/2026" in esc.texto
    assert "SMDIF: 2 de 2 ASM sin avance" in esc.texto
    # A dependencia without enlace is listed, marked, with its name escaped for HTML.
    assert "Obras &lt;Públicas&gt; &amp; Servicios: 1 de 1 ASM sin avance" in esc.texto
    assert "sin enlace activo" in esc.texto
    assert "TM" not in esc.texto  # reported everything
    assert "SECAD" not in esc.texto  # nothing open

    # The late enlace is told that the coordination was informed; the others are not.
    assert {c for c in m if c.startswith("informado")} == {f"informado:u{gente.dif}:2026-11"}
    informado = m[f"informado:u{gente.dif}:2026-11"]
    assert "Departamento de Evaluación" in informado.texto
    assert informado.botones == [[("Informar avance", "av1:ini")]]
    # The escalation replaces the closing reminder, which was due days before.
    assert not any(c.startswith("mensual_") for c in m)
    assert not any(f":u{u}:" in c for c in m for u in gente.callados)


def test_sin_enlace_activo_se_ofrece_la_invitacion(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    """A dependencia nobody at the bot answers for is never said to have been told."""
    informar(db, 3, date(2026, 11, 1), 20)
    with db.sesiones() as s:
        obras = s.scalar(select(Dependencia.id).where(Dependencia.siglas.is_(None)))
    esc = por_clave(ronda(db, a_las(2026, 11, 30), cal, ajustes))[
        f"escalamiento:u{gente.coord}:2026-11"
    ]
    assert "Se avisó a sus" not in esc.texto
    assert "1 no tiene Enlace SEDEM activo en el bot" in esc.texto
    assert esc.botones == [[("Invitar enlace de Obras <Públicas> & Servicios", f"rs1:inv:{obras}")]]

    # Only dependencias without enlace left: nobody was told, and the text says so.
    informar(db, 1, date(2026, 11, 1), 50)
    informar(db, 2, date(2026, 11, 1), 70)
    esc = por_clave(ronda(db, a_las(2026, 11, 30), cal, ajustes))[
        f"escalamiento:u{gente.coord}:2026-11"
    ]
    assert "Ninguna tiene Enlace SEDEM activo en el bot, así que no se avisó a nadie." in esc.texto
    assert "Se avisó" not in esc.texto


def test_con_enlaces_se_dice_que_se_les_aviso(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    informar(db, 5, date(2026, 11, 1), 20)  # the dependencia without enlace is up to date
    esc = por_clave(ronda(db, a_las(2026, 11, 30), cal, ajustes))[
        f"escalamiento:u{gente.coord}:2026-11"
    ]
    assert esc.texto.endswith("Se avisó a sus Enlaces SEDEM que la Coordinación fue informada.")
    assert esc.botones is None


def test_sin_coordinadores_no_se_dice_que_se_informo(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    with db.sesiones.begin() as s:
        coord = s.get(Usuario, gente.coord)
        assert coord is not None
        coord.activo = False
    m = ronda(db, a_las(2026, 11, 30), cal, ajustes)
    assert not any(x.tipo in ("escalamiento", "informado") for x in m)


def test_todas_informaron_no_hay_escalamiento(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    for numero in (1, 2, 3, 5):
        informar(db, numero, date(2026, 11, 1), 70)
    m = ronda(db, a_las(2026, 11, 30), cal, ajustes)
    assert not any(x.tipo in ("escalamiento", "informado", "mensual_cierre") for x in m)


# --- Deadlines ---------------------------------------------------------------------------------


def _plazos(mensajes: list[Mensaje], asm_id: int) -> set[str]:
    return {m.clave for m in mensajes if f":asm{asm_id}:" in m.clave}


def test_recordatorios_de_fecha_de_termino(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    base = f"plazo:u{gente.dif}:asm{gente.asm1}:termino:2026-12-15"
    assert _plazos(ronda(db, a_las(2026, 11, 30), cal, ajustes), gente.asm1) == set()  # 11 left
    diez = ronda(db, a_las(2026, 12, 1), cal, ajustes)
    assert _plazos(diez, gente.asm1) == {f"{base}:10"}
    m = por_clave(diez)[f"{base}:10"]
    assert m.tipo == "plazo" and m.botones == [[("Informar avance", f"av1:a:{gente.asm1}")]]
    assert "faltan 10 días hábiles" in m.texto and "15/12/2026" in m.texto and "40 %" in m.texto
    assert "Núm. 1 · E003" in m.texto
    assert _plazos(ronda(db, a_las(2026, 12, 8), cal, ajustes), gente.asm1) == {f"{base}:5"}
    uno = ronda(db, a_las(2026, 12, 14), cal, ajustes)
    assert _plazos(uno, gente.asm1) == {f"{base}:1"}
    assert "falta 1 día hábil" in por_clave(uno)[f"{base}:1"].texto
    ese_dia = ronda(db, a_las(2026, 12, 15), cal, ajustes)
    assert (
        "hoy es el último día hábil" in por_clave(ese_dia)[f"{base}:1"].texto
    )  # same clave: sent once
    # The day after: a notice that it expired, once (its clave has no threshold).
    despues = _plazos(ronda(db, a_las(2026, 12, 16), cal, ajustes), gente.asm1)
    assert despues == {f"vencido:u{gente.dif}:asm{gente.asm1}:termino:2026-12-15"}


def test_recuperacion_tras_caida_solo_el_aviso_mas_cercano(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    # The bot was down from 1 to 9 December: on Thu 10 only the 5-day reminder is due.
    m = ronda(db, a_las(2026, 12, 10), cal, ajustes)
    assert _plazos(m, gente.asm1) == {f"plazo:u{gente.dif}:asm{gente.asm1}:termino:2026-12-15:5"}
    assert "faltan 3 días hábiles" in por_clave(m)[next(iter(_plazos(m, gente.asm1)))].texto


def test_umbrales_configurables(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    m = ronda(db, a_las(2026, 12, 10), cal, replace(ajustes, umbrales_plazo=(3,)))
    assert _plazos(m, gente.asm1) == {f"plazo:u{gente.dif}:asm{gente.asm1}:termino:2026-12-15:3"}


def test_asm_concluido_no_recibe_avisos(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    informar(db, 1, date(2026, 12, 1), 100)
    assert _plazos(ronda(db, a_las(2026, 12, 14), cal, ajustes), gente.asm1) == set()
    # SECAD's ASM 4 also ends on 15/12 but was done in October: its enlace hears nothing.
    assert not any(
        f":u{gente.secad}:" in m.clave for m in ronda(db, a_las(2026, 12, 14), cal, ajustes)
    )


def test_vencimientos_antiguos_no_se_anuncian(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    # ASM 2 ended on 30/10/2026: announced until 9 Nov (5 business days), not after.
    assert _plazos(ronda(db, a_las(2026, 11, 9), cal, ajustes), gente.asm2)
    assert not _plazos(ronda(db, a_las(2026, 11, 10), cal, ajustes), gente.asm2)


def test_plazos_de_una_evaluacion(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    with db.sesiones.begin() as s:
        programa = s.scalar(select(Programa).where(Programa.clave == "E003"))
        assert programa is not None
        # Notified Mon 23 Nov: posición (Art. 8) and delivery of progress (Art. 13) by Mon 30.
        # ASM received Tue 24 Nov: plan (Art. 10) by Tue 1 Dec.
        ev = Evaluacion(
            programa_id=programa.id,
            tipo="interna",
            ejercicio_evaluado=2026,
            fecha_notificacion=date(2026, 11, 23),
        )
        s.add(ev)
        s.flush()
        for asm in s.scalars(select(Asm).where(Asm.programa_id == programa.id)):
            asm.fecha_recepcion = date(2026, 11, 24)
        ev_id = ev.id
    m = por_clave(ronda(db, a_las(2026, 11, 23), cal, ajustes))
    de_la_evaluacion = {c for c in m if f":eval{ev_id}:" in c}
    # Its ASM (tied by programa here) are of SMDIF, TM and a dependencia without enlace.
    assert de_la_evaluacion == {
        f"plazo:u{u}:eval{ev_id}:{sujeto}"
        for u in (gente.dif, gente.tm)
        for sujeto in ("posicion:2026-11-30:5", "entrega:2026-11-30:5", "plan:2026-12-01:10")
    }
    posicion = m[f"plazo:u{gente.dif}:eval{ev_id}:posicion:2026-11-30:5"]
    assert "Posición institucional" in posicion.texto and "30/11/2026" in posicion.texto
    assert "Evaluación interna 2026 de E003" in posicion.texto
    assert posicion.botones is None  # delivered by oficio, not in the bot
    entrega = m[f"plazo:u{gente.dif}:eval{ev_id}:entrega:2026-11-30:5"]
    assert entrega.botones == [[("Informar avance", "av1:ini")]]

    ultimo = {
        c for c in por_clave(ronda(db, a_las(2026, 11, 27), cal, ajustes)) if f":eval{ev_id}:" in c
    }
    assert f"plazo:u{gente.tm}:eval{ev_id}:posicion:2026-11-30:1" in ultimo
    assert f"plazo:u{gente.tm}:eval{ev_id}:plan:2026-12-01:5" in ultimo


def test_evaluacion_ligada_a_sus_asm(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    with db.sesiones.begin() as s:
        programa = s.scalar(select(Programa).where(Programa.clave == "E003"))
        assert programa is not None
        ev = Evaluacion(programa_id=programa.id, tipo="externa", ejercicio_evaluado=2026)
        s.add(ev)
        s.flush()
        s.get_one(Asm, gente.asm3).evaluacion_id = ev.id  # only TM's ASM comes from it
        ev_id = ev.id
    # External evaluations of 2026: compliance by the last business day of April 2027 (Fri 30),
    # the fiscal year after the evaluated one.
    m = {c for c in por_clave(ronda(db, a_las(2027, 4, 16), cal, ajustes)) if f":eval{ev_id}:" in c}
    assert m == {f"plazo:u{gente.tm}:eval{ev_id}:externa:2027-04-30:10"}


# --- Weekly digest -----------------------------------------------------------------------------


def test_resumen_semanal(db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings) -> None:
    # Mon 16 Nov 2026 is Revolución: nothing; the digest goes on Tue 17.
    assert ronda(db, a_las(2026, 11, 16), cal, ajustes) == []
    m = por_clave(ronda(db, a_las(2026, 11, 17), cal, ajustes))
    assert {c for c in m if c.startswith("semanal")} == {f"semanal:u{gente.coord}:2026-W47"}
    texto = m[f"semanal:u{gente.coord}:2026-W47"].texto
    assert "semana del 16/11/2026" in texto
    assert "SMDIF: 🔴 vencidos 1 · 🟡 en riesgo 0" in texto  # ASM 2 is late; ASM 1 still has time
    assert "TM" not in texto and "SECAD" not in texto

    # Three weeks later ASM 1 is at risk too.
    texto = por_clave(ronda(db, a_las(2026, 12, 7), cal, ajustes))[
        f"semanal:u{gente.coord}:2026-W50"
    ].texto
    assert "SMDIF: 🔴 vencidos 1 · 🟡 en riesgo 1" in texto


def test_resumen_sin_riesgos(db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings) -> None:
    informar(db, 2, date(2026, 11, 1), 100)
    texto = por_clave(ronda(db, a_las(2026, 11, 23), cal, ajustes))[
        f"semanal:u{gente.coord}:2026-W48"
    ].texto
    assert "No hay ASM vencidos ni en riesgo" in texto


# --- No weekends, no holidays, never twice -----------------------------------------------------


@pytest.mark.parametrize(
    "ahora",
    [
        a_las(2026, 11, 28),  # Saturday
        a_las(2026, 11, 29),  # Sunday
        a_las(2026, 11, 2),  # Día de Muertos (municipal)
        a_las(2026, 11, 16),  # Revolución
        a_las(2026, 9, 16),  # Independence
        a_las(2026, 4, 2),  # Holy Thursday (municipal)
        a_las(2026, 4, 3),  # Holy Friday (municipal)
        a_las(2026, 2, 2),  # Constitution (first Monday of February)
        datetime(2026, 11, 30, 3, 0, tzinfo=UTC),  # Monday in UTC, still Sunday in Puebla
    ],
)
def test_nada_en_dias_inhabiles(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings, ahora: datetime
) -> None:
    assert ronda(db, ahora, cal, ajustes) == []


def test_la_fecha_es_la_local(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    # 03:00 UTC of Tue 3 Nov is still Mon 2 Nov (a holiday) in Puebla.
    assert ronda(db, datetime(2026, 11, 3, 3, 0, tzinfo=UTC), cal, ajustes) == []
    assert ronda(db, datetime(2026, 11, 3, 7, 0, tzinfo=UTC), cal, ajustes) != []


def test_encolar_dos_veces_no_duplica(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    ahora = a_las(2026, 11, 30, 9)
    primera = ronda(db, ahora, cal, ajustes)
    assert primera
    with db.sesiones.begin() as s:
        assert encolar(s, primera, ahora) == len(primera)
    # The same round again, later that day (a restart, a second instance): same claves.
    otra = ronda(db, a_las(2026, 11, 30, 16), cal, ajustes)
    assert [m.clave for m in otra] == [m.clave for m in primera]
    with db.sesiones.begin() as s:
        assert encolar(s, otra, ahora) == 0
        assert encolar(s, primera, ahora) == 0


def test_recuperacion_del_mes(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    # Down on Tue 3 Nov, back on Wed 4: the monthly reminder and the week's digest still go, once.
    ahora = a_las(2026, 11, 4)
    m = ronda(db, ahora, cal, ajustes)
    claves = {x.clave for x in m}
    assert f"mensual_inicio:u{gente.dif}:2026-11" in claves
    assert f"semanal:u{gente.coord}:2026-W45" in claves
    with db.sesiones.begin() as s:
        encolar(s, m, ahora)
    with db.sesiones.begin() as s:
        assert encolar(s, ronda(db, a_las(2026, 11, 5), cal, ajustes), ahora) == 0


# --- Quarterly Anexo A -------------------------------------------------------------------------


def test_mensajes_anexo_trimestral(db: Db, gente: Gente) -> None:
    with db.sesiones() as s:
        m = mensajes_anexo_trimestral(s, Trimestre(2026, 3), "anexos/consolidado_2026T3.xlsx")
    assert [x.clave for x in m] == [f"anexo_trimestral:u{gente.coord}:2026T3"]
    assert m[0].documento == "anexos/consolidado_2026T3.xlsx"
    assert "tercer trimestre 2026" in m[0].texto and "30/09/2026" in m[0].texto


def test_resumen_semanal_cuenta_los_asm_por_valorar(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    """The digest counts the queue for IMPLAN: ASM 2 is past its date, ASM 3 and the SECAD's
    finished ASM 4 are at 100 % without a valoración."""
    informar(db, 3, date(2026, 11, 1), 100)
    texto = por_clave(ronda(db, a_las(2026, 11, 17), cal, ajustes))[
        f"semanal:u{gente.coord}:2026-W47"
    ].texto
    assert "Por valorar (en 100 % o vencidos, sin valoración): 3 · Cerrados (valorados): 0" in texto


def test_resumen_avisa_si_el_calendario_municipal_no_tiene_el_anio(
    db: Db, gente: Gente, cal: CalendarioHabil, ajustes: Settings
) -> None:
    # Mon 22 Nov 2027: the shipped file stops at 2027, so 2028's vacations are unknown.
    texto = por_clave(ronda(db, a_las(2027, 11, 22), cal, ajustes))[
        f"semanal:u{gente.coord}:2027-W47"
    ].texto
    assert "no tiene fechas de 2028" in texto and "cuentan como hábiles" in texto
    texto = por_clave(ronda(db, a_las(2026, 11, 23), cal, ajustes))[
        f"semanal:u{gente.coord}:2026-W48"
    ].texto
    assert "días inhábiles municipales" not in texto
