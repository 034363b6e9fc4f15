"""What a file's name promises and what its bytes are; names made for photos and repeats; a
long observación in a summary."""

import io
import zipfile
from datetime import datetime

from bot.dominio.texto import plural
from bot.mensajes.textos import observacion_breve
from bot.servicios.evidencias import detectar_tipo, motivo_nombre, nombre_de_foto, nombre_libre

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _zip(*partes: str) -> bytes:
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        for parte in partes:
            z.writestr(parte, "<x/>")
    return b.getvalue()


def test_office_parts_anywhere_in_the_archive_say_which_file_it_is() -> None:
    assert detectar_tipo(_zip("word/document.xml", "[Content_Types].xml")) == WORD
    assert detectar_tipo(_zip("notas.txt", "[Content_Types].xml")) == "application/zip"
    assert detectar_tipo(_zip("notas.txt")) == "application/zip"


def test_the_ending_of_a_name_is_a_promise_the_content_must_keep() -> None:
    assert motivo_nombre("informe.PDF", "application/pdf") is None
    assert motivo_nombre("informe", None) is None  # no ending: nothing promised
    assert motivo_nombre("notas.txt", None) is None  # an ending we do not judge
    assert motivo_nombre("evento.jpg", "image/png") is None  # a picture as another picture
    assert motivo_nombre("acta.zip", WORD) is None  # a Word file is a ZIP too
    assert motivo_nombre("tabla.xls", "application/x-ole-storage") is None
    dice = motivo_nombre("informe.pdf", "image/png")
    assert dice is not None and dice.startswith("El archivo se llama .pdf pero no es un PDF.")
    dice = motivo_nombre("foto.png", "application/pdf")
    assert dice is not None and dice.startswith("El archivo se llama .png pero no es una imagen")
    assert motivo_nombre(".pdf", None) is None  # a name that is only an ending


def test_names_for_photos_and_for_repeats() -> None:
    assert nombre_de_foto(datetime(2026, 12, 1, 19, 2), "image/jpeg") == "foto_2026-12-01_1902.jpg"
    assert nombre_de_foto(datetime(2026, 12, 1, 19, 2), None) == "foto_2026-12-01_1902.jpg"
    assert nombre_libre("a.jpg", {"b.jpg"}) == "a.jpg"
    assert nombre_libre("a.jpg", {"a.jpg", "a (2).jpg"}) == "a (3).jpg"
    assert nombre_libre("acta", {"acta"}) == "acta (2)"


def test_plurals_and_a_long_observacion() -> None:
    assert (plural(1, "archivo"), plural(2, "archivo"), plural(0, "archivo")) == (
        "1 archivo",
        "2 archivos",
        "0 archivos",
    )
    assert observacion_breve("  corta\n y  clara ") == "corta y clara"
    largo = "palabra " * 100
    breve = observacion_breve(largo, 50)
    assert breve.startswith("palabra palabra")
    assert breve.endswith("… (se guarda completa: 799 caracteres)")
    assert len(breve.split("…")[0]) <= 50 and not breve.split("…")[0].endswith(" ")
