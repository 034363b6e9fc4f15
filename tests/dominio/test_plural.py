"""One helper says «1 archivo» and «2 archivos»: no «archivo(s)» in what people read."""

import pytest

from bot.dominio.texto import plural


@pytest.mark.parametrize(
    ("n", "singular", "esperado"),
    [
        (1, "archivo", "1 archivo"),
        (2, "archivo", "2 archivos"),
        (0, "archivo", "0 archivos"),
        (3, "recomendación", "3 recomendaciones"),
        (2, "plan", "2 planes"),
        (2, "vez", "2 veces"),
        (5, "ASM", "5 ASM"),
        (1, "ASM", "1 ASM"),
        (2, "línea", "2 líneas"),
        (12_000, "registro", "12,000 registros"),
    ],
)
def test_una_palabra(n: int, singular: str, esperado: str) -> None:
    assert plural(n, singular) == esperado


def test_una_frase_da_su_plural() -> None:
    assert plural(1, "día hábil", "días hábiles") == "1 día hábil"
    assert plural(2, "día hábil", "días hábiles") == "2 días hábiles"
    with pytest.raises(ValueError, match="día hábil"):
        plural(2, "día hábil")  # «días hábil» would be wrong: a phrase needs its plural
