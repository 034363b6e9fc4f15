"""The database: SQLAlchemy 2 typed models. Schema changes go through Alembic (storage/migrations).

History is never lost: an ASM's editable fields live in append-only `AsmVersion` rows and its
progress in append-only `Avance` rows, so the Anexo A of any past quarter can be rebuilt.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every engine (SQLite drops the offset of DateTime(timezone=True))."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Dependencia(Base):
    """A dependencia (centralized) or entidad (decentralized) of the municipality (Art. 1 IV, VI)."""

    __tablename__ = "dependencia"

    id: Mapped[int] = mapped_column(primary_key=True)
    nombre: Mapped[str] = mapped_column(String(300), unique=True)
    siglas: Mapped[str | None] = mapped_column(String(40), unique=True)
    tipo: Mapped[str] = mapped_column(String(20), default="dependencia")
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unidades: Mapped[list[UnidadAdministrativa]] = relationship(back_populates="dependencia")


class UnidadAdministrativa(Base):
    __tablename__ = "unidad_administrativa"
    __table_args__ = (UniqueConstraint("dependencia_id", "nombre"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dependencia_id: Mapped[int] = mapped_column(ForeignKey("dependencia.id"))
    nombre: Mapped[str] = mapped_column(String(300))

    dependencia: Mapped[Dependencia] = relationship(back_populates="unidades")


class Programa(Base):
    """A programa presupuestario (Pp) or a fondo: each has one action plan (Anexo A)."""

    __tablename__ = "programa"

    id: Mapped[int] = mapped_column(primary_key=True)
    clave: Mapped[str] = mapped_column(String(40), unique=True)
    nombre: Mapped[str] = mapped_column(String(300))
    tipo: Mapped[str] = mapped_column(String(10), default="pp")


class Evaluacion(Base):
    """An evaluation or monitoring report from which ASM come (Art. 6).

    Its notification starts the clocks of Arts. 8 and 13; each ASM's own `fecha_recepcion`
    starts Art. 10's. The report file, when uploaded, lives content-addressed beside the evidence.
    """

    __tablename__ = "evaluacion"

    id: Mapped[int] = mapped_column(primary_key=True)
    programa_id: Mapped[int] = mapped_column(ForeignKey("programa.id"))
    tipo: Mapped[str] = mapped_column(String(20))  # TipoEvaluacion
    ejercicio_evaluado: Mapped[int] = mapped_column(Integer)  # the fiscal year evaluated
    evaluador: Mapped[str] = mapped_column(String(300), default="")
    fecha_notificacion: Mapped[date | None] = mapped_column(Date)  # final report notified
    # Set by IMPLAN for internal evaluations and monitoring reports (Art. 2); externals use
    # Art. 13's April date, computed (bot.dominio.plazos.limite_atencion).
    fecha_limite_atencion: Mapped[date | None] = mapped_column(Date)
    informe_sha256: Mapped[str | None] = mapped_column(String(64))
    informe_ruta: Mapped[str | None] = mapped_column(String(500))
    informe_nombre: Mapped[str | None] = mapped_column(String(300))

    programa: Mapped[Programa] = relationship()


class Asm(Base):
    """An Aspecto Susceptible de Mejora: its identity. What may change lives in `AsmVersion`."""

    __tablename__ = "asm"
    __table_args__ = (UniqueConstraint("programa_id", "numero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programa_id: Mapped[int] = mapped_column(ForeignKey("programa.id"))
    numero: Mapped[int] = mapped_column(Integer)  # Núm. within its plan
    evaluacion_id: Mapped[int | None] = mapped_column(ForeignKey("evaluacion.id"))
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the ASM were sent to the dependencia: Art. 10's clock for the plan de acción.
    fecha_recepcion: Mapped[date | None] = mapped_column(Date)
    # The other government an intergubernamental ASM involves (Art. 9), named.
    gobierno_externo: Mapped[str | None] = mapped_column(String(300))

    programa: Mapped[Programa] = relationship()
    versiones: Mapped[list[AsmVersion]] = relationship(
        back_populates="asm", order_by="(AsmVersion.vigente_desde, AsmVersion.id)"
    )
    responsables: Mapped[list[AsmResponsable]] = relationship(back_populates="asm")


class AsmVersion(Base):
    """The ASM's fields as they stood from `vigente_desde` on. Append-only."""

    __tablename__ = "asm_version"
    __table_args__ = (Index("ix_asm_version_asm_vigencia", "asm_id", "vigente_desde", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    vigente_desde: Mapped[date] = mapped_column(Date)
    texto: Mapped[str] = mapped_column(Text)
    clasificacion: Mapped[str] = mapped_column(String(30))  # Clasificacion
    prioridad: Mapped[str | None] = mapped_column(String(10))  # Prioridad
    # Selection criteria checked (Art. 7).
    claridad: Mapped[bool] = mapped_column(Boolean, default=False)
    relevancia: Mapped[bool] = mapped_column(Boolean, default=False)
    justificacion: Mapped[bool] = mapped_column(Boolean, default=False)
    factibilidad: Mapped[bool] = mapped_column(Boolean, default=False)
    area_responsable: Mapped[str] = mapped_column(Text, default="")
    actividades: Mapped[str] = mapped_column(Text, default="")
    fecha_termino: Mapped[date | None] = mapped_column(Date)
    resultados_esperados: Mapped[str] = mapped_column(Text, default="")
    productos_evidencias: Mapped[str] = mapped_column(Text, default="")
    observaciones: Mapped[str] = mapped_column(Text, default="")
    valoracion: Mapped[str | None] = mapped_column(String(20))  # Valoracion
    estado_plan: Mapped[str] = mapped_column(String(20), default="borrador")  # EstadoPlan
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    origen: Mapped[str] = mapped_column(String(20), default="bot")  # bot, importacion, demo
    # The file it came from, when `origen` is importacion (who imported it is in that row).
    importacion_id: Mapped[int | None] = mapped_column(ForeignKey("importacion.id"))

    asm: Mapped[Asm] = relationship(back_populates="versiones")


class AsmResponsable(Base):
    """Who answers for an ASM: one dependencia (and unit) or several (Art. 9)."""

    __tablename__ = "asm_responsable"
    __table_args__ = (UniqueConstraint("asm_id", "dependencia_id", "unidad_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    dependencia_id: Mapped[int] = mapped_column(ForeignKey("dependencia.id"), index=True)
    unidad_id: Mapped[int | None] = mapped_column(ForeignKey("unidad_administrativa.id"))
    motivo_participacion: Mapped[str | None] = mapped_column(Text)  # Art. 9

    asm: Mapped[Asm] = relationship(back_populates="responsables")
    dependencia: Mapped[Dependencia] = relationship()


class Avance(Base):
    """A monthly % de avance (Anexo A i). Append-only: a correction is a newer row."""

    __tablename__ = "avance"
    __table_args__ = (Index("ix_avance_asm_periodo", "asm_id", "periodo", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    periodo: Mapped[date] = mapped_column(Date)  # first day of the month it reports
    porcentaje: Mapped[int] = mapped_column(Integer)
    observaciones: Mapped[str] = mapped_column(Text, default="")
    folio: Mapped[str | None] = mapped_column(String(40), unique=True)
    # The conversation (draft) that confirmed it: unique, so a second press, a retried update or
    # another replica confirming the same draft can never store a second report.
    clave_borrador: Mapped[str | None] = mapped_column(String(40), unique=True)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    origen: Mapped[str] = mapped_column(String(20), default="bot")
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    importacion_id: Mapped[int | None] = mapped_column(ForeignKey("importacion.id"))


class Evidencia(Base):
    """A file that proves progress; the bytes live content-addressed under the data directory."""

    __tablename__ = "evidencia"
    __table_args__ = (UniqueConstraint("asm_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    avance_id: Mapped[int | None] = mapped_column(ForeignKey("avance.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    tamano: Mapped[int] = mapped_column(BigInteger)
    tipo_detectado: Mapped[str] = mapped_column(String(100))
    nombre_original: Mapped[str] = mapped_column(String(300))
    ruta: Mapped[str] = mapped_column(String(500))
    telegram_file_id: Mapped[str | None] = mapped_column(String(300))
    telegram_file_unique_id: Mapped[str | None] = mapped_column(String(100))
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Usuario(Base):
    __tablename__ = "usuario"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    nombre: Mapped[str] = mapped_column(String(200))
    rol: Mapped[str] = mapped_column(String(20))  # Rol
    dependencia_id: Mapped[int | None] = mapped_column(ForeignKey("dependencia.id"))
    activo: Mapped[bool] = mapped_column(Boolean, default=True)
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    aviso_aceptado_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when Telegram answers 403 (the person blocked the bot); cleared when they write again.
    inalcanzable_desde: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dependencia: Mapped[Dependencia | None] = relationship()


class Invitacion(Base):
    """A single-use, expiring invitation. Only the code's hash is stored."""

    __tablename__ = "invitacion"

    id: Mapped[int] = mapped_column(primary_key=True)
    codigo_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rol: Mapped[str] = mapped_column(String(20))
    dependencia_id: Mapped[int | None] = mapped_column(ForeignKey("dependencia.id"))
    creada_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expira_en: Mapped[datetime] = mapped_column(UTCDateTime)
    usada_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    usada_por_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    creada_por: Mapped[str] = mapped_column(String(100), default="cli")


class Importacion(Base):
    """Each Anexo A file imported (by its content hash), for the audit trail."""

    __tablename__ = "importacion"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    nombre_archivo: Mapped[str] = mapped_column(String(300))
    trimestre: Mapped[str] = mapped_column(String(10))
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))


class Auditoria(Base):
    """Who changed what and when. Append-only."""

    __tablename__ = "auditoria"

    id: Mapped[int] = mapped_column(primary_key=True)
    cuando: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # "cli", "usuario:12", "importacion"
    accion: Mapped[str] = mapped_column(String(60))
    objeto: Mapped[str] = mapped_column(String(60))
    objeto_id: Mapped[int | None] = mapped_column(Integer)
    detalle: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Borrador(Base):
    """Where a person is in a conversation, saved at every step so a restart loses nothing.

    Keyed by Telegram id, so it also serves people who are still registering.
    """

    __tablename__ = "borrador"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    flujo: Mapped[str] = mapped_column(String(20))  # registro, avance, evidencia
    paso: Mapped[str] = mapped_column(String(30))
    datos: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actualizado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActualizacionAtendida(Base):
    """An update from Telegram already handled (webhook mode), so that one sent again after a
    replica died is not handled twice (storage/atendidas.py). Old rows are pruned daily."""

    __tablename__ = "actualizacion_atendida"
    __table_args__ = (Index("ix_actualizacion_atendida_en", "atendida_en"),)

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # False while only its first change is committed: its replies may not have been sent.
    terminada: Mapped[bool] = mapped_column(Boolean, default=False)
    # The person's draft before this update changed it ({flujo, paso, datos}; None: none).
    borrador_previo: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    atendida_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntentoRegistro(Base):
    """A wrong invitation code, so that guessing from one account is slowed down."""

    __tablename__ = "intento_registro"
    __table_args__ = (Index("ix_intento_registro_telegram_cuando", "telegram_id", "cuando"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger)
    cuando: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Salida(Base):
    """The outbox: every message the scheduler (and the copies of Art. 13) sends.

    `clave` says what the message is about (recipient, kind, subject, period) and is unique, so a
    restart, a crash mid-round or a second instance never sends it twice; a row is written before
    sending, so nothing is lost.
    """

    __tablename__ = "salida"
    __table_args__ = (Index("ix_salida_estado_desde", "estado", "enviar_desde", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    clave: Mapped[str] = mapped_column(String(200), unique=True)
    tipo: Mapped[str] = mapped_column(String(40))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    texto: Mapped[str] = mapped_column(Text)
    botones: Mapped[list[list[list[str]]] | None] = mapped_column(JSON)  # [[["texto", "dato"]]]
    documento: Mapped[str | None] = mapped_column(String(500))  # relative to the data directory
    solo_en_horario: Mapped[bool] = mapped_column(Boolean, default=True)
    estado: Mapped[str] = mapped_column(String(20), default="pendiente")
    intentos: Mapped[int] = mapped_column(Integer, default=0)
    # Sends that got no answer (a timeout after the request left): Telegram may have delivered
    # them, so a message is sent again once at most after one.
    inciertos: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    enviar_desde: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    creado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reclamado_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enviado_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(300))


class CopiaPendiente(Base):
    """A delivery's copy (Art. 13) waiting for its dependencia's digest to the coordination and
    the Contraloría. Written with the avance, marked when the digest goes into the outbox (same
    transaction), so a crash neither loses a copy nor sends it twice."""

    __tablename__ = "copia_pendiente"
    __table_args__ = (Index("ix_copia_pendiente_enviada", "enviada_en", "dependencia_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    folio: Mapped[str] = mapped_column(String(40), unique=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    dependencia_id: Mapped[int | None] = mapped_column(ForeignKey("dependencia.id"))
    texto: Mapped[str] = mapped_column(Text)  # the digest's lines for it, Telegram HTML
    creada_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enviada_en: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RevisionPlan(Base):
    """IMPLAN's decision on a plan sent for review (Art. 12): approved, or observations.

    Kept apart from the ASM's Observaciones column, which belongs to the Anexo A (and is public).
    Append-only.
    """

    __tablename__ = "revision_plan"
    __table_args__ = (Index("ix_revision_plan_asm", "asm_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("asm_version.id"))  # the version it made
    resultado: Mapped[str] = mapped_column(String(20))  # EstadoPlan: aprobado or observado
    observaciones: Mapped[str] = mapped_column(Text, default="")
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PosicionInstitucional(Base):
    """The dependencia's opinion on an evaluation's results (Art. 8); each upload is a row.

    The file lives content-addressed beside the evidence; `en_tiempo` is judged when it arrives
    (None when the notification date was not known).
    """

    __tablename__ = "posicion_institucional"
    __table_args__ = (
        Index("ix_posicion_institucional_eval_dep", "evaluacion_id", "dependencia_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluacion_id: Mapped[int] = mapped_column(ForeignKey("evaluacion.id"))
    dependencia_id: Mapped[int] = mapped_column(ForeignKey("dependencia.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    tamano: Mapped[int] = mapped_column(BigInteger)
    tipo_detectado: Mapped[str] = mapped_column(String(100))
    nombre_original: Mapped[str] = mapped_column(String(300))
    ruta: Mapped[str] = mapped_column(String(500))
    telegram_file_id: Mapped[str | None] = mapped_column(String(300))
    telegram_file_unique_id: Mapped[str | None] = mapped_column(String(100))
    fecha_limite: Mapped[date | None] = mapped_column(Date)
    en_tiempo: Mapped[bool | None] = mapped_column(Boolean)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Oficio(Base):
    """An oficio of Art. 13 the system issued: a dependencia's deliveries of one month.

    Its number is consecutive per dependencia and year; `sha256` is the issued file's, so anyone
    can check a copy; `huella` is the deliveries it lists, so asking again for the same month
    with nothing new returns the same oficio instead of a new number. Append-only.
    """

    __tablename__ = "oficio"
    __table_args__ = (
        UniqueConstraint("dependencia_id", "anio", "consecutivo"),
        Index("ix_oficio_dependencia_periodo", "dependencia_id", "periodo", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dependencia_id: Mapped[int] = mapped_column(ForeignKey("dependencia.id"))
    periodo: Mapped[date] = mapped_column(Date)  # first day of the month delivered
    anio: Mapped[int] = mapped_column(Integer)  # year of issue, for the consecutive number
    consecutivo: Mapped[int] = mapped_column(Integer)
    numero: Mapped[str] = mapped_column(String(120))
    codigo: Mapped[str] = mapped_column(String(20), unique=True)  # verification code
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the issued PDF
    tamano: Mapped[int] = mapped_column(BigInteger)
    huella: Mapped[str] = mapped_column(String(64))  # of the deliveries it lists
    asm: Mapped[int] = mapped_column(Integer)  # how many ASM it lists
    ruta: Mapped[str] = mapped_column(String(500))  # the file, relative to the data directory
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))  # who asked
    actor: Mapped[str] = mapped_column(String(100))
    emitido_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ValoracionAsm(Base):
    """Each valoración (Art. 14) and each reopening of an ASM, with what Art. 14 asks to keep.

    The ASM's `valoracion` field (a version) says whether it is closed; this keeps the causes, the
    institution whose collaboration failed and the reason to reopen. Append-only.
    """

    __tablename__ = "valoracion_asm"
    __table_args__ = (Index("ix_valoracion_asm_asm", "asm_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("asm_version.id"))  # the version it made
    accion: Mapped[str] = mapped_column(String(20))  # valoracion, reapertura
    valoracion: Mapped[str | None] = mapped_column(String(20))  # Valoracion; None to reopen
    fecha: Mapped[date] = mapped_column(Date)  # the day it was made, local
    causas: Mapped[str] = mapped_column(Text, default="")
    institucion: Mapped[str] = mapped_column(Text, default="")  # «no aplica»: who failed
    declarada: Mapped[bool] = mapped_column(Boolean, default=False)  # by the dependencia
    motivo: Mapped[str] = mapped_column(Text, default="")  # reopening
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Prorroga(Base):
    """An enlace's request for a later fecha de término and IMPLAN's decision on it.

    An approved one makes a new version with the new date; the original stays here and in the
    history.
    """

    __tablename__ = "prorroga"
    __table_args__ = (Index("ix_prorroga_asm", "asm_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asm_id: Mapped[int] = mapped_column(ForeignKey("asm.id"))
    fecha_original: Mapped[date | None] = mapped_column(Date)  # in force when asked
    fecha_nueva: Mapped[date] = mapped_column(Date)
    justificacion: Mapped[str] = mapped_column(Text)
    estado: Mapped[str] = mapped_column(String(20), default="pendiente")  # aprobada, rechazada
    solicitada_por_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    solicitada_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    nota: Mapped[str] = mapped_column(Text, default="")  # the coordinación's
    resuelta_por_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    resuelta_en: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("asm_version.id"))


class Recomendacion(Base):
    """A recommendation of an evaluation and whether it became an ASM (Arts. 7 and 9).

    Each criterion of Art. 7 is None until checked. Selected: `asm_id` is set. Not selected:
    `motivo_no_seleccion` says why (Art. 9, last paragraph: not every recommendation is an ASM).
    """

    __tablename__ = "recomendacion"
    __table_args__ = (UniqueConstraint("evaluacion_id", "numero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluacion_id: Mapped[int] = mapped_column(ForeignKey("evaluacion.id"))
    numero: Mapped[int] = mapped_column(Integer)
    texto: Mapped[str] = mapped_column(Text)
    claridad: Mapped[bool | None] = mapped_column(Boolean)
    relevancia: Mapped[bool | None] = mapped_column(Boolean)
    justificacion: Mapped[bool | None] = mapped_column(Boolean)
    factibilidad: Mapped[bool | None] = mapped_column(Boolean)
    motivo_no_seleccion: Mapped[str | None] = mapped_column(Text)
    asm_id: Mapped[int | None] = mapped_column(ForeignKey("asm.id"), unique=True)
    usuario_id: Mapped[int | None] = mapped_column(ForeignKey("usuario.id"))
    registrado_en: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
