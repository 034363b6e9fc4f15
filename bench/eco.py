"""A bare python-telegram-bot echo bot with PTB's own AIORateLimiter: the baseline of bench.cpu.

It answers every message with its text, and a button press with an answer and a message, so
each update costs one sendMessage as most of ours do. Pointed at a Bot API server by the
environment (TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, TELEGRAM_FILE_URL); runs until SIGTERM.

    .venv/bin/python -m bench.eco
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def eco(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text:
        await update.message.reply_text(update.message.text)


async def boton(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    q = update.callback_query
    if q is not None and update.effective_chat is not None:
        await q.answer()
        await update.effective_chat.send_message(f"Pulsó {q.data}")


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_URL"])
        .base_file_url(os.environ["TELEGRAM_FILE_URL"])
        .rate_limiter(AIORateLimiter())
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, eco))
    app.add_handler(CallbackQueryHandler(boton))
    app.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
