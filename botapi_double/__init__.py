"""A Telegram Bot API test double: a loopback HTTP server plus simulated users.

Point python-telegram-bot at it with ``base_url=double.api_url`` and
``base_file_url=double.file_url``; drive the conversation with ``double.user(...)``.
"""

from botapi_double.chats import load_chats, save_chats
from botapi_double.driver import SimUser
from botapi_double.models import BotMessage, Button, SentFile, Stats
from botapi_double.server import ApiError, BotApiDouble

__all__ = [
    "ApiError",
    "BotApiDouble",
    "BotMessage",
    "Button",
    "SentFile",
    "SimUser",
    "Stats",
    "load_chats",
    "save_chats",
]
