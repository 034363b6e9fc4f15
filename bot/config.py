"""Settings from environment variables, optionally from a `.env` file (every one in `.env.example`).

Bad configuration stops the program at start with one line that names the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.anexo_a.modelo import Encabezado
from bot.dominio.calendario import (
    RECURRENTES_PUEBLA,
    CalendarioHabil,
    cargar_archivo_municipal,
    ruta_dias_inhabiles_predeterminada,
    validar_recurrentes,
)
from bot.dominio.vocabulario import Rol
from bot.mensajes import privacidad

# The aviso de privacidad of each role: a text file each, or the default in bot.mensajes.
VARIABLES_AVISO = {
    Rol.ENLACE: "ASMBOT_AVISO_PRIVACIDAD",
    Rol.COORDINADOR: "ASMBOT_AVISO_PRIVACIDAD_COORDINACION",
    Rol.CONTRALORIA: "ASMBOT_AVISO_PRIVACIDAD_CONTRALORIA",
}


class ConfigError(Exception):
    """Raised with a one-line Spanish message that names the variable at fault."""


@dataclass(frozen=True)
class Settings:
    bot_token: str
    api_url: str
    file_url: str
    database_url: str
    data_dir: Path
    zona: ZoneInfo
    dias_inhabiles_ruta: Path
    dias_inhabiles: frozenset[date] = field(repr=False)
    encabezado: Encabezado
    bot_username: str
    avisos_privacidad: Mapping[Rol, str] = field(repr=False)
    evidencia_max_bytes: int
    # Reminders: office hours (local time), business days before month end for the second
    # monthly reminder, and business days before a deadline for its reminders.
    horario: tuple[time, time] = (time(9, 0), time(18, 0))
    dias_aviso_cierre: int = 3
    umbrales_plazo: tuple[int, ...] = (10, 5, 1)
    # The oficio of Art. 13: «<prefijo>/<SIGLAS>/<consecutivo>/<año>», and where it is signed.
    oficio_prefijo: str = "OF-ASM"
    oficio_lugar: str = "Heroica Puebla de Zaragoza, Pue."
    # PostgreSQL: a statement, or a wait for a lock, longer than this (seconds) is cancelled,
    # so a blocked table gives an honest error in seconds instead of silence.
    bd_limite_sentencia: int = 30
    bd_limite_candado: int = 5
    # Operation: logs, webhook mode (empty URL = polling), health/metrics, scheduled backups.
    log_nivel: str = "INFO"
    log_formato: str = "texto"
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    webhook_escucha: tuple[str, int] = ("0.0.0.0", 8443)
    salud_escucha: tuple[str, int] | None = None
    respaldo_dir: Path | None = None
    respaldo_dias: int = 14
    # The municipal calendar: the recurring days (ASMBOT_DIAS_INHABILES_RECURRENTES), the file's
    # days worked after all, and the years the file covers (to warn when one is missing).
    dias_inhabiles_recurrentes: tuple[str, ...] = RECURRENTES_PUEBLA
    dias_habiles_municipales: frozenset[date] = field(default=frozenset(), repr=False)
    anios_calendario: frozenset[int] = field(default=frozenset(), repr=False)

    def aviso_privacidad(self, rol: Rol) -> str:
        """The notice this role reads before registering."""
        return self.avisos_privacidad[rol]

    def calendario(self) -> CalendarioHabil:
        return CalendarioHabil(
            self.dias_inhabiles,
            self.zona,
            recurrentes=self.dias_inhabiles_recurrentes,
            habiles=self.dias_habiles_municipales,
        )

    @property
    def evidencias_dir(self) -> Path:
        return self.data_dir / "evidencias"

    @property
    def respaldos_dir(self) -> Path:
        return self.respaldo_dir or self.data_dir / "respaldos"

    @property
    def secretos(self) -> tuple[str, ...]:
        """What the logs must never show."""
        return (self.bot_token, self.webhook_secret)

    def __repr__(self) -> str:  # never show the token, not even in a traceback
        return (
            f"Settings(database_url={redact_url(self.database_url)!r}, data_dir={self.data_dir!r})"
        )


def redact_url(url: str) -> str:
    """A database URL without its password, for logs and messages."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@", 1)
    return url


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Read the settings; real environment variables win over the `.env` file."""
    env: dict[str, str] = {}
    dotenv_path = env_file if env_file is not None else Path(".env")
    if dotenv_path.is_file():
        env.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    env.update(os.environ if environ is None else environ)

    def get(name: str, default: str) -> str:
        value = env.get(name, "").strip()
        return value or default

    data_dir = Path(get("ASMBOT_DATA_DIR", "./data")).expanduser()
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"ASMBOT_DATA_DIR: «{data_dir}» existe y no es una carpeta.")

    database_url = get("DATABASE_URL", f"sqlite:///{data_dir / 'asmbot.db'}")
    if not database_url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
        raise ConfigError(
            "DATABASE_URL: use sqlite:///ruta/archivo.db o postgresql://usuario@servidor/base."
        )
    database_url = _with_driver(database_url)

    zona_nombre = get("ASMBOT_TIMEZONE", "America/Mexico_City")
    try:
        zona = ZoneInfo(zona_nombre)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"ASMBOT_TIMEZONE: «{zona_nombre}» no es una zona horaria; use por ejemplo America/Mexico_City."
        ) from None

    ruta_dias = Path(get("ASMBOT_DIAS_INHABILES", str(ruta_dias_inhabiles_predeterminada())))
    try:
        archivo = cargar_archivo_municipal(ruta_dias)
    except OSError:
        raise ConfigError(
            f"ASMBOT_DIAS_INHABILES: no se puede leer el archivo «{ruta_dias}»."
        ) from None
    except ValueError as e:
        raise ConfigError(f"ASMBOT_DIAS_INHABILES: {ruta_dias}, {e}") from None

    texto_recurrentes = get("ASMBOT_DIAS_INHABILES_RECURRENTES", ",".join(RECURRENTES_PUEBLA))
    try:
        recurrentes = (
            ()
            if texto_recurrentes.lower() == "ninguno"
            else validar_recurrentes(texto_recurrentes.split(","))
        )
    except ValueError as e:
        raise ConfigError(f"ASMBOT_DIAS_INHABILES_RECURRENTES: {e}.") from None

    for name in ("TELEGRAM_API_URL", "TELEGRAM_FILE_URL"):
        value = env.get(name, "").strip()
        if value and urlparse(value).scheme not in ("http", "https"):
            raise ConfigError(f"{name}: «{value}» no es una dirección http:// o https://.")

    # A municipality that wrote only its enlaces' notice keeps showing it to every role, as it
    # did before there was one per role: better than Puebla's default under another name.
    propio = get(VARIABLES_AVISO[Rol.ENLACE], "")
    avisos: dict[Rol, str] = {}
    for rol, variable in VARIABLES_AVISO.items():
        ruta = get(variable, propio)
        avisos[rol] = _aviso(ruta, variable) if ruta else privacidad.PREDETERMINADOS[rol]

    max_mb = get("ASMBOT_EVIDENCIA_MAX_MB", "20")
    try:
        evidencia_max_bytes = int(float(max_mb) * 1024 * 1024)
    except ValueError:
        evidencia_max_bytes = 0
    if not 0 < evidencia_max_bytes <= 2000 * 1024 * 1024:
        raise ConfigError(
            f"ASMBOT_EVIDENCIA_MAX_MB: «{max_mb}» no es válido; use un número de 1 a 2000 (MB)."
        )

    horario = _horario(get("ASMBOT_HORARIO", "09:00-18:00"))
    dias_cierre = _entero(get("ASMBOT_DIAS_AVISO_CIERRE", "3"), "ASMBOT_DIAS_AVISO_CIERRE", 0, 15)
    umbrales = tuple(
        sorted(
            {
                _entero(u, "ASMBOT_AVISOS_PLAZO", 0, 60)
                for u in get("ASMBOT_AVISOS_PLAZO", "10,5,1").split(",")
            },
            reverse=True,
        )
    )

    limite_sentencia = _entero(
        get("ASMBOT_BD_LIMITE_SENTENCIA", "30"), "ASMBOT_BD_LIMITE_SENTENCIA", 1, 3600
    )
    limite_candado = _entero(
        get("ASMBOT_BD_LIMITE_CANDADO", "5"), "ASMBOT_BD_LIMITE_CANDADO", 1, 600
    )
    log_nivel = get("ASMBOT_LOG_LEVEL", "INFO").upper()
    if log_nivel not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(
            f"ASMBOT_LOG_LEVEL: «{log_nivel}» no es válido; use DEBUG, INFO, WARNING o ERROR."
        )
    log_formato = get("ASMBOT_LOG_FORMAT", "texto").lower()
    if log_formato not in ("texto", "json"):
        raise ConfigError(f"ASMBOT_LOG_FORMAT: «{log_formato}» no es válido; use texto o json.")

    webhook_url = get("ASMBOT_WEBHOOK_URL", "")
    webhook_secret = env.get("ASMBOT_WEBHOOK_SECRET", "").strip()
    if webhook_url:
        if urlparse(webhook_url).scheme not in ("http", "https"):
            raise ConfigError(
                f"ASMBOT_WEBHOOK_URL: «{webhook_url}» no es una dirección https:// "
                "(la que publica su proxy inverso)."
            )
        # Telegram's rule for secret_token: 1-256 characters, letters, digits, _ and -.
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", webhook_secret):
            raise ConfigError(
                "ASMBOT_WEBHOOK_SECRET: con ASMBOT_WEBHOOK_URL hace falta un secreto de 16 a 256 "
                "caracteres (letras, dígitos, _ y -); genere uno con «openssl rand -hex 32»."
            )
    webhook_escucha = _direccion(
        get("ASMBOT_WEBHOOK_ESCUCHA", "0.0.0.0:8443"), "ASMBOT_WEBHOOK_ESCUCHA"
    )
    # Health and metrics: off by default in polling mode (nothing listens), on with a webhook.
    salud = get("ASMBOT_SALUD_ESCUCHA", "0.0.0.0:9090" if webhook_url else "no")
    salud_escucha = (
        None if salud.lower() in ("no", "0", "off") else _direccion(salud, "ASMBOT_SALUD_ESCUCHA")
    )
    respaldo_dir_txt = get("ASMBOT_RESPALDO_DIR", "")
    respaldo_dias = _entero(get("ASMBOT_RESPALDO_DIAS", "14"), "ASMBOT_RESPALDO_DIAS", 0, 3650)

    default = Encabezado()
    return Settings(
        bot_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
        api_url=get("TELEGRAM_API_URL", "https://api.telegram.org/bot"),
        file_url=get("TELEGRAM_FILE_URL", "https://api.telegram.org/file/bot"),
        database_url=database_url,
        data_dir=data_dir,
        zona=zona,
        dias_inhabiles_ruta=ruta_dias,
        dias_inhabiles=archivo.inhabiles,
        dias_inhabiles_recurrentes=recurrentes,
        dias_habiles_municipales=archivo.habiles,
        anios_calendario=archivo.anios,
        encabezado=Encabezado(
            municipio=get("ASMBOT_MUNICIPIO", default.municipio),
            instituto=get("ASMBOT_INSTITUTO", default.instituto),
        ),
        bot_username=get("TELEGRAM_BOT_USERNAME", "SeguimientoASMBot").lstrip("@"),
        avisos_privacidad=avisos,
        evidencia_max_bytes=evidencia_max_bytes,
        horario=horario,
        dias_aviso_cierre=dias_cierre,
        umbrales_plazo=umbrales,
        oficio_prefijo=_prefijo_oficio(get("ASMBOT_OFICIO_PREFIJO", "OF-ASM")),
        oficio_lugar=get("ASMBOT_OFICIO_LUGAR", "Heroica Puebla de Zaragoza, Pue.")[:120],
        bd_limite_sentencia=limite_sentencia,
        bd_limite_candado=limite_candado,
        log_nivel=log_nivel,
        log_formato=log_formato,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        webhook_escucha=webhook_escucha,
        salud_escucha=salud_escucha,
        respaldo_dir=Path(respaldo_dir_txt).expanduser() if respaldo_dir_txt else None,
        respaldo_dias=respaldo_dias,
    )


def _aviso(ruta: str, variable: str) -> str:
    try:
        aviso = Path(ruta).expanduser().read_text(encoding="utf-8").strip()
    except OSError:
        raise ConfigError(f"{variable}: no se puede leer el archivo «{ruta}».") from None
    if not aviso or len(aviso) > 3500:
        raise ConfigError(
            f"{variable}: el aviso debe tener texto y a lo más 3,500 caracteres "
            "(un mensaje de Telegram); ponga el aviso completo en su sitio web y enlácelo."
        )
    return aviso


def _prefijo_oficio(texto: str) -> str:
    """Letters, digits and - . / only: the number goes into file names and is typed by people."""
    if len(texto) > 30 or not all(c.isalnum() or c in "-./" for c in texto):
        raise ConfigError(
            f"ASMBOT_OFICIO_PREFIJO: «{texto}» no es válido; use hasta 30 letras, números, "
            "guiones, puntos o diagonales (p. ej. OF-ASM)."
        )
    return texto


def _direccion(texto: str, variable: str) -> tuple[str, int]:
    """`0.0.0.0:9090` → ("0.0.0.0", 9090)."""
    host, _, puerto = texto.strip().rpartition(":")
    if not host or not puerto.isdigit() or not 0 < int(puerto) < 65536:
        raise ConfigError(
            f"{variable}: «{texto}» no es una dirección; escríbala como 0.0.0.0:9090."
        )
    return host.strip("[]"), int(puerto)


def _horario(texto: str) -> tuple[time, time]:
    """`09:00-18:00` → (9:00, 18:00)."""
    try:
        inicio, fin = (time.fromisoformat(t.strip().zfill(5)) for t in texto.split("-"))
    except ValueError:
        raise ConfigError(
            f"ASMBOT_HORARIO: «{texto}» no es un horario; escríbalo como 09:00-18:00."
        ) from None
    if inicio >= fin:
        raise ConfigError(f"ASMBOT_HORARIO: «{texto}»: la hora de inicio debe ser antes del fin.")
    return inicio, fin


def _entero(texto: str, variable: str, minimo: int, maximo: int) -> int:
    try:
        valor = int(texto.strip())
    except ValueError:
        valor = minimo - 1
    if not minimo <= valor <= maximo:
        raise ConfigError(
            f"{variable}: «{texto}» no es válido; use un entero de {minimo} a {maximo}."
        )
    return valor


def _with_driver(url: str) -> str:
    """`postgresql://` means psycopg 3 here (the only PostgreSQL driver we install)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
