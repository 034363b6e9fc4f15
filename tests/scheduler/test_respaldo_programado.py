"""The daily backup: into its folder, old ones removed, a failure told to the coordinación."""

from __future__ import annotations

import dataclasses
import os
import tarfile
from datetime import timedelta

from alembic import command

from bot.dominio.vocabulario import Rol
from scheduler.trabajos import respaldar
from storage import migrate
from tests.arnes import Arnes


async def test_daily_backup_keeps_the_retention_and_a_failure_is_announced(arnes: Arnes) -> None:
    assert arnes.app is not None
    # The harness builds the schema with create_all; a backup records the migration too.
    command.stamp(migrate.alembic_config(arnes.entorno.settings.database_url), "head")
    coordinadora = arnes.double.user(first_name="Carmen")
    await arnes.registrar(coordinadora, Rol.COORDINADOR)
    enlace = arnes.double.user(first_name="Ana")
    await arnes.registrar(enlace, Rol.ENLACE, "SMDIF")
    settings = arnes.entorno.settings
    carpeta = settings.respaldos_dir
    assert settings.respaldo_dias == 14
    carpeta.mkdir(parents=True)
    viejo = carpeta / "respaldo_20261001_020000.tar.gz"
    reciente = carpeta / "respaldo_20261110_020000.tar.gz"
    for archivo, dias in ((viejo, 30), (reciente, 8)):
        archivo.write_bytes(b"respaldo anterior")
        t = (arnes.reloj() - timedelta(days=dias)).timestamp()
        os.utime(archivo, (t, t))
    otro = carpeta / "notas.txt"  # not a backup: never removed
    otro.write_text("no borrar")
    os.utime(otro, (0, 0))

    destino = await respaldar(arnes.app)
    assert destino is not None and destino.parent == carpeta
    with tarfile.open(destino) as tar:
        assert "manifiesto.json" in tar.getnames()
    assert not viejo.exists() and reciente.exists() and otro.exists()
    mensajes_antes = len(coordinadora.messages)

    # The folder cannot be written (here: a file stands where it should be).
    bloqueo = arnes.entorno.settings.data_dir / "no-es-carpeta"
    bloqueo.write_text("x")
    arnes.entorno.settings = dataclasses.replace(settings, respaldo_dir=bloqueo)
    assert await respaldar(arnes.app) is None
    aviso = await coordinadora.wait_until(lambda m: "respaldo automático" in m.text)
    assert len(coordinadora.messages) == mensajes_antes + 1
    assert aviso.text.startswith("⚠️ No se pudo hacer el respaldo automático de hoy (18/11/2026)")
    assert "No hay respaldos anteriores en la carpeta." in aviso.text
    assert len(enlace.messages) == 2  # only the coordinación is told (after the registration)
