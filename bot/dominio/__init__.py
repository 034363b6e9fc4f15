"""The Lineamientos as plain functions and dataclasses: no database, no Telegram, no openpyxl."""
