from datetime import date
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, redact_url
from bot.dominio.vocabulario import Rol


def test_defaults(tmp_path: Path) -> None:
    s = load_settings({}, env_file=tmp_path / "none.env")
    assert s.api_url == "https://api.telegram.org/bot"
    assert s.file_url == "https://api.telegram.org/file/bot"
    assert s.data_dir == Path("data")
    assert s.database_url == "sqlite:///data/asmbot.db"
    assert s.zona.key == "America/Mexico_City"
    assert date(2026, 4, 2) in s.dias_inhabiles  # Jueves Santo from the shipped municipal file
    assert s.encabezado.municipio == "H. Ayuntamiento del Municipio de Puebla"
    assert s.encabezado.instituto == "Instituto Municipal de Planeación"


def test_env_file_and_environment_precedence(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "ASMBOT_MUNICIPIO=Municipio de Cholula\nASMBOT_INSTITUTO=IMPLAN Cholula\n"
        "DATABASE_URL=postgresql://u:secreto@db/asm\n",
        encoding="utf-8",
    )
    s = load_settings({"ASMBOT_INSTITUTO": "Instituto de Planeación de Cholula"}, env_file=env)
    assert s.encabezado.municipio == "Municipio de Cholula"
    assert s.encabezado.instituto == "Instituto de Planeación de Cholula"  # environment wins
    assert s.database_url == "postgresql+psycopg://u:secreto@db/asm"
    assert "secreto" not in repr(s)


def test_token_never_in_repr(tmp_path: Path) -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": "123456:ABC-secret"}, env_file=tmp_path / "x")
    assert s.bot_token == "123456:ABC-secret"
    assert "ABC-secret" not in repr(s)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"ASMBOT_TIMEZONE": "America/Puebla_Inexistente"}, "ASMBOT_TIMEZONE"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"),
        ({"ASMBOT_DIAS_INHABILES": "/no/existe.txt"}, "ASMBOT_DIAS_INHABILES"),
    ],
)
def test_bad_configuration_names_the_variable(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as e:
        load_settings(env, env_file=tmp_path / "x")
    assert str(e.value).startswith(variable + ":")
    assert "\n" not in str(e.value)


def test_bad_municipal_file_names_variable_and_line(tmp_path: Path) -> None:
    f = tmp_path / "dias.txt"
    f.write_text("2025-05-05  # Batalla de Puebla\n2025-13-01\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^ASMBOT_DIAS_INHABILES: .*línea 2"):
        load_settings({"ASMBOT_DIAS_INHABILES": str(f)}, env_file=tmp_path / "x")


def test_municipal_file_replaces_default(tmp_path: Path) -> None:
    f = tmp_path / "dias.txt"
    f.write_text("2026-12-21..2026-12-31  # vacaciones\n", encoding="utf-8")
    s = load_settings({"ASMBOT_DIAS_INHABILES": str(f)}, env_file=tmp_path / "x")
    assert date(2026, 12, 24) in s.dias_inhabiles
    assert date(2026, 4, 2) not in s.dias_inhabiles


def test_redact_url() -> None:
    assert redact_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert redact_url("sqlite:///data/x.db") == "sqlite:///data/x.db"


def test_dias_recurrentes_y_anios_del_archivo(tmp_path: Path) -> None:
    s = load_settings({}, env_file=tmp_path / "x")
    assert s.dias_inhabiles_recurrentes == (
        "jueves_santo",
        "viernes_santo",
        "05-05",
        "11-02",
        "12-12",
    )
    assert {2024, 2025, 2026, 2027} <= s.anios_calendario
    assert not s.calendario().es_habil(date(2031, 4, 10))  # Holy Thursday 2031, from Easter
    nada = load_settings({"ASMBOT_DIAS_INHABILES_RECURRENTES": "ninguno"}, env_file=tmp_path / "x")
    assert nada.calendario().es_habil(date(2031, 4, 10))
    with pytest.raises(ConfigError, match=r"^ASMBOT_DIAS_INHABILES_RECURRENTES: «13-13»"):
        load_settings({"ASMBOT_DIAS_INHABILES_RECURRENTES": "05-05,13-13"}, env_file=tmp_path / "x")


def test_each_role_reads_its_own_privacy_notice(tmp_path: Path) -> None:
    s = load_settings({}, env_file=tmp_path / "x")
    avisos = {rol: s.aviso_privacidad(rol) for rol in Rol}
    assert "como Enlace SEDEM" in avisos[Rol.ENLACE]
    assert "Departamento de Evaluación del IMPLAN" in avisos[Rol.COORDINADOR]
    assert "designada por la Contraloría Municipal" in avisos[Rol.CONTRALORIA]
    assert len(set(avisos.values())) == 3
    assert all(len(a) <= 3500 for a in avisos.values())


def test_a_municipality_writes_each_notice_or_only_the_enlaces(tmp_path: Path) -> None:
    propio, coord = tmp_path / "aviso.txt", tmp_path / "coord.txt"
    propio.write_text("Aviso de Cholula para todos.\n", encoding="utf-8")
    coord.write_text("Aviso de Cholula para la coordinación.", encoding="utf-8")
    # Only the enlaces' written: every role reads the municipality's own, never Puebla's.
    s = load_settings({"ASMBOT_AVISO_PRIVACIDAD": str(propio)}, env_file=tmp_path / "x")
    assert {s.aviso_privacidad(rol) for rol in Rol} == {"Aviso de Cholula para todos."}
    s = load_settings(
        {
            "ASMBOT_AVISO_PRIVACIDAD": str(propio),
            "ASMBOT_AVISO_PRIVACIDAD_COORDINACION": str(coord),
        },
        env_file=tmp_path / "x",
    )
    assert s.aviso_privacidad(Rol.COORDINADOR) == "Aviso de Cholula para la coordinación."
    assert s.aviso_privacidad(Rol.CONTRALORIA) == "Aviso de Cholula para todos."
    with pytest.raises(ConfigError, match=r"^ASMBOT_AVISO_PRIVACIDAD_CONTRALORIA: no se puede"):
        load_settings(
            {"ASMBOT_AVISO_PRIVACIDAD_CONTRALORIA": str(tmp_path / "no.txt")},
            env_file=tmp_path / "x",
        )
    (tmp_path / "vacio.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^ASMBOT_AVISO_PRIVACIDAD_COORDINACION: el aviso"):
        load_settings(
            {"ASMBOT_AVISO_PRIVACIDAD_COORDINACION": str(tmp_path / "vacio.txt")},
            env_file=tmp_path / "x",
        )
