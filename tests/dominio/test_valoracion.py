"""Art. 14 rule by rule, with its borders, and the prórroga's limits."""

from datetime import date

from bot.dominio.estado import Situacion, contar, situacion
from bot.dominio.valoracion import (
    Hechos,
    observacion_prorroga,
    opciones,
    validar_prorroga,
    validar_reapertura,
    validar_valoracion,
)
from bot.dominio.vocabulario import Clasificacion, Semaforo, Valoracion

ESP = Clasificacion.ESPECIFICO
INTER = Clasificacion.INTERINSTITUCIONAL
TERMINO = date(2026, 6, 30)
AT, NA, NP = Valoracion.ATENDIDO, Valoracion.NO_ATENDIDO, Valoracion.NO_APLICA


def _h(
    avance: int | None = 100, fecha_100: date | None = TERMINO, evidencias: int = 1,
    hoy: date = date(2026, 7, 15), termino: date | None = TERMINO, clasificacion: Clasificacion = ESP,
) -> Hechos:  # fmt: skip
    return Hechos(clasificacion, termino, avance, fecha_100, evidencias, hoy)


def test_atendido_100_reported_on_the_fecha_de_termino_day_is_on_time() -> None:
    assert validar_valoracion(AT, _h(fecha_100=TERMINO)) == []


def test_atendido_refused_when_100_came_a_day_late() -> None:
    [problema] = validar_valoracion(AT, _h(fecha_100=date(2026, 7, 1)))
    assert "se informó el 01/07/2026, después de la fecha de término (30/06/2026)" in problema


def test_atendido_needs_100_evidence_and_a_fecha_de_termino() -> None:
    assert (
        "requiere 100 % de avance (el avance es 80 %)" in validar_valoracion(AT, _h(avance=80))[0]
    )
    assert "sin avance registrado" in validar_valoracion(AT, _h(avance=None))[0]
    assert "falta la evidencia documental" in validar_valoracion(AT, _h(evidencias=0))[0]
    assert "no tiene fecha de término" in validar_valoracion(AT, _h(termino=None))[0]


def test_atendido_with_a_prorroga_approved_after_the_original_date() -> None:
    # 100 % on 20/08, after the original 30/06 but before the prórroga's 31/08 now in force.
    tarde = _h(fecha_100=date(2026, 8, 20), termino=date(2026, 8, 31), hoy=date(2026, 9, 1))
    assert validar_valoracion(AT, tarde) == []
    assert validar_valoracion(NA, tarde, causas="x")[0].startswith("«No atendido» no procede")


def test_no_atendido_only_once_the_date_passed_without_100() -> None:
    en_el_dia = _h(avance=60, fecha_100=None, hoy=TERMINO)
    assert "no ha pasado" in validar_valoracion(NA, en_el_dia, causas="x")[0]
    un_dia_despues = _h(avance=60, fecha_100=None, hoy=date(2026, 7, 1))
    assert validar_valoracion(NA, un_dia_despues, causas="Falta de personal") == []
    # 100 % reached late still counts as not done on time.
    assert validar_valoracion(NA, _h(fecha_100=date(2026, 7, 3)), causas="Tarde") == []


def test_no_atendido_before_the_date_when_the_dependencia_declares() -> None:
    antes = _h(avance=30, fecha_100=None, hoy=date(2026, 5, 1))
    assert validar_valoracion(NA, antes, causas="Sin presupuesto", declarada=True) == []
    [o_at, o_na, _] = opciones(antes)
    assert not o_at.valida and o_na.valida and o_na.por_declaracion
    assert "no ha pasado" in o_na.condicion


def test_no_atendido_requires_the_causes() -> None:
    h = _h(avance=60, fecha_100=None)
    assert validar_valoracion(NA, h, causas="  ") == [
        "Para «No atendido» escriba las causas del incumplimiento."
    ]


def test_no_aplica_only_for_inter_classifications_with_cause_and_institution() -> None:
    h = _h(avance=20, fecha_100=None, clasificacion=INTER)
    assert (
        validar_valoracion(NP, h, causas="No envió datos", institucion="Gobierno del Estado") == []
    )
    assert len(validar_valoracion(NP, h, causas="", institucion="")) == 2
    gub = _h(avance=20, clasificacion=Clasificacion.INTERGUBERNAMENTAL)
    assert validar_valoracion(NP, gub, causas="a", institucion="b") == []
    for c in (ESP, Clasificacion.INSTITUCIONAL):
        problemas = validar_valoracion(NP, _h(clasificacion=c), causas="a", institucion="b")
        assert problemas[0].startswith("«No aplica» no procede: sólo procede para ASM inter")


def test_opciones_say_why_each_does_not_fit() -> None:
    [at, na, np_] = opciones(_h())
    assert at.valida and not na.valida and not np_.valida
    assert na.motivo == "el ASM llegó a 100 % en tiempo."
    assert "específico" in np_.motivo


def test_reapertura_needs_a_valoracion_and_a_reason() -> None:
    assert validar_reapertura(None, "x") != []
    assert validar_reapertura(AT, " ") == ["Escriba el motivo para reabrir el ASM."]
    assert validar_reapertura(AT, "Error de captura") == []


def test_prorroga_limits() -> None:
    hoy = date(2026, 6, 1)
    assert validar_prorroga(date(2026, 9, 30), TERMINO, date(2026, 12, 31), hoy, "Obra") == []
    assert "posterior" in validar_prorroga(TERMINO, TERMINO, None, hoy, "x")[0]
    [excede] = validar_prorroga(date(2027, 1, 5), TERMINO, date(2026, 12, 31), hoy, "x")
    assert "excede la fecha límite de atención de la evaluación (31/12/2026)" in excede
    assert validar_prorroga(date(2026, 9, 30), TERMINO, None, hoy, "") == [
        "Escriba la justificación de la prórroga."
    ]
    # Asked after the original date passed: fine while the new one is ahead.
    assert validar_prorroga(date(2026, 9, 30), TERMINO, None, date(2026, 7, 10), "x") == []
    assert "30/06/2026" in observacion_prorroga(TERMINO, date(2026, 9, 30), date(2026, 7, 10))


def test_one_set_of_numbers_counts_closed_apart() -> None:
    assert situacion(NA, Semaforo.VENCIDO) is Situacion.CERRADO
    assert situacion(None, Semaforo.VENCIDO) is Situacion.VENCIDO
    mes = date(2026, 11, 1)
    conteo = contar(
        [
            (NA, Semaforo.VENCIDO, mes),
            (None, Semaforo.VENCIDO, None),
            (None, Semaforo.EN_RIESGO, mes),
            (None, Semaforo.A_TIEMPO, date(2026, 10, 1)),
        ],
        mes,
    )
    assert (conteo.asm, conteo.cerrados, conteo.vencidos, conteo.en_riesgo) == (4, 1, 1, 1)
    assert (conteo.al_corriente, conteo.informaron_mes) == (1, 1)
