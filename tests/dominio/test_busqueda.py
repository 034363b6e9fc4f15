"""Finding an ASM or a dependencia from what a person types (bot.dominio.busqueda)."""

from dataclasses import dataclass

from bot.dominio.busqueda import FichaAsm, buscar_asm, buscar_dependencias, interpretar

FICHAS = [
    FichaAsm(1, 1, "E003", ("Integrar un padrón único de personas beneficiarias", "Sistema Municipal DIF", "SMDIF")),
    FichaAsm(2, 2, "E003", ("Documentar el procedimiento de entrega de apoyos", "Sistema Municipal DIF", "SMDIF")),
    FichaAsm(3, 5, "FORTAMUN-DF", ("Conciliar el avance financiero", "Tesorería Municipal", "TM")),
    FichaAsm(4, 1, "FORTAMUN-DF", ("Publicar la Ley de Ingresos 2020", "Tesorería Municipal", "TM")),
    FichaAsm(5, 1, "K-010", ("Medir la cobertura", "Tesorería Municipal", "TM")),
    FichaAsm(6, 10, "K-010", ("Publicar los indicadores", "Tesorería Municipal", "TM")),
]  # fmt: skip


def _ids(texto: str) -> list[int]:
    return [f.asm_id for f in buscar_asm(FICHAS, texto)]


def test_clave_and_numero_find_one_asm_whatever_the_case() -> None:
    assert _ids("FORTAMUN-DF 5") == [3]
    assert _ids("fortamun-df 5") == [3]
    assert _ids("Fortamun DF Núm. 5") == [3]
    assert _ids("E003 #2") == [2]
    assert _ids("K-010 10") == [6]


def test_a_clave_alone_is_every_asm_of_its_pp() -> None:
    assert _ids("E003") == [1, 2]
    assert _ids("k-010") == [5, 6]  # not «Núm. 10 of a Pp called K»


def test_a_number_alone_is_every_asm_with_that_num() -> None:
    assert _ids("1") == [1, 4, 5]
    assert _ids("Núm. 1") == [1, 4, 5]
    assert _ids("99") == []


def test_text_is_searched_without_accents_or_capitals() -> None:
    assert _ids("padron UNICO") == [1]
    assert _ids("Tesorería") == [3, 4, 5, 6]
    assert _ids("smdif") == [1, 2]
    assert _ids("fortamun") == [3, 4]  # a part of the clave
    assert _ids("apoyo") == [2]  # the beginning of a word


def test_every_word_must_match_the_beginning_of_a_word() -> None:
    assert _ids("padrón apoyos") == []
    assert _ids("ciliar") == []  # inside «Conciliar», not its beginning
    assert _ids("") == [] and _ids("  ¿? ") == []


def test_words_and_a_number_narrow_to_that_num_or_search_the_number_as_text() -> None:
    assert _ids("tesorería 5") == [3]
    assert _ids("publicar 1") == [4]
    assert _ids("Ley 2020") == [4]  # no Núm. 2020: the number is a word of the text
    assert _ids("E003 5") == []  # E003 has no Núm. 5, and no text says «5»


def test_a_long_search_is_cut_and_num_words_go() -> None:
    c = interpretar("Núm. 5")
    assert (c.palabras, c.numero) == (("5",), 5)
    assert interpretar("no atendido").palabras == ("no", "atendido")  # «no» is a word here
    assert len(" ".join(interpretar("palabra " * 100).palabras)) <= 100


@dataclass(frozen=True)
class Dep:
    nombre: str
    siglas: str | None


DEPS = [
    Dep("Secretaría de Bienestar y Participación Ciudadana", "SBPC"),
    Dep("Sistema Municipal DIF", "SMDIF"),
    Dep("Instituto de Bienestar Animal", None),
    Dep("Tesorería Municipal", "TM"),
]


def _nombres(texto: str) -> list[str]:
    return [d.nombre for d in buscar_dependencias(DEPS, texto)]


def test_siglas_or_the_whole_name_find_exactly_one() -> None:
    assert _nombres("tm") == ["Tesorería Municipal"]
    assert _nombres("SMDIF") == ["Sistema Municipal DIF"]
    assert _nombres("tesoreria municipal") == ["Tesorería Municipal"]


def test_a_word_finds_every_dependencia_whose_name_has_it() -> None:
    assert _nombres("Bienestar") == [DEPS[0].nombre, DEPS[2].nombre]
    assert _nombres("bienestar animal") == ["Instituto de Bienestar Animal"]
    assert _nombres("DIF") == ["Sistema Municipal DIF"]
    assert _nombres("Participacion") == [DEPS[0].nombre]
    assert _nombres("Obras") == []
    assert _nombres("") == []
