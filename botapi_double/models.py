"""What the double remembers: files, the bot's messages as a user sees them, counters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentFile:
    """A file known to the double: uploaded by the bot or by a simulated user."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes = field(repr=False)
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Button:
    """An inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class BotMessage:
    """A message the bot sent to a chat; edits are applied in place."""

    message_id: int
    chat_id: int
    date: int
    text: str = ""  # plain text (entities decoded); the caption for documents and photos
    html: str = ""  # the text or caption exactly as the bot sent it
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: SentFile | None = None
    photo: SentFile | None = None  # the largest size
    edits: int = 0
    text_edits: int = 0  # edits that changed the text (Telegram labels those «edited»)
    edit_date: int | None = None
    photo_sizes: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def buttons(self) -> list[list[Button]]:
        """The inline keyboard, row by row (empty for other keyboards)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in rows
        ]

    def labels(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]


@dataclass
class Stats:
    """Counters for assertions about traffic and flood control."""

    requests: int = 0
    sent_messages: int = 0
    edited_messages: int = 0
    too_many_requests: int = 0
    outage_answers: int = 0  # requests answered with BotApiDouble.outage_status
    # Webhook mode: updates delivered (answered 200) and delivery attempts that failed.
    webhook_deliveries: int = 0
    webhook_failures: int = 0
    # Messages sent (not edits) per whole second since the server started.
    sent_per_second: Counter[int] = field(default_factory=Counter)

    @property
    def max_sent_per_second(self) -> int:
        return max(self.sent_per_second.values(), default=0)
