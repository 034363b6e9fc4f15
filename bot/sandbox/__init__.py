"""`asmbot sandbox`: the real bot, the Bot API double and a Telegram-like page, on loopback."""
