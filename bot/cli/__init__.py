"""The `asmbot` command line (composition root): `bot.cli.main:main`."""
