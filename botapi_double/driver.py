"""Simulated Telegram users: they write to the bot, press buttons and read what it answers."""

from __future__ import annotations

import asyncio
import itertools
import mimetypes
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botapi_double.html import utf16_len
from botapi_double.models import BotMessage, Button

if TYPE_CHECKING:
    from botapi_double.server import BotApiDouble

ACTION_SECONDS = 5.0  # how long Telegram shows a chat action (Bot API, sendChatAction)
# Telegram marks "/command" and "/command@bot" anywhere in a text as bot_command entities.
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")


class SimUser:
    """A Telegram user in a private chat with the bot (the chat id is the user id)."""

    def __init__(
        self,
        double: BotApiDouble,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
    ) -> None:
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.messages: list[BotMessage] = []  # what the bot sent here, edits applied
        self.callback_answers: list[dict[str, Any]] = []
        self.chat_actions: list[str] = []
        # The action the chat shows now («typing…»), since when (time.monotonic()).
        self._action: tuple[str, float] | None = None
        self.blocked = False
        self.talked = False  # the bot only knows the chat once the user wrote to it
        self.own_message_ids: set[int] = set()
        # What the user sent, by message id (the same counter as the bot's), for chat views.
        self.sent: dict[int, dict[str, Any]] = {}
        self._double = double
        self._message_ids = itertools.count(1)  # shared by both sides, as in a private chat
        self._returned = 0  # messages already handed out by next_message
        self._changed = asyncio.Condition()
        self._log: list[str | BotMessage] = []  # for the transcript

    # -- what the user does ----------------------------------------------------------------

    async def send(self, text: str) -> int:
        """Send a text message; returns its update_id once the bot has handled it."""
        message = self._message(text=text)
        entities = [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m[0]),
            }
            for m in _COMMAND.finditer(text)
        ]
        if entities:
            message["entities"] = entities
        self._log.append(f"{self.first_name}: {text}")
        return await self._double.push_update(self, {"message": message})

    async def send_document(
        self,
        content: bytes,
        file_name: str,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> int:
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        sent = self._double.new_file(content, "documents", file_name, mime)
        message = self._message(document=self._double.file_json(sent))
        if caption:
            message["caption"] = caption
        self._log.append(f"{self.first_name}: [document {file_name}, {len(content)} bytes]")
        return await self._double.push_update(self, {"message": message})

    async def send_photo(self, content: bytes, caption: str | None = None) -> int:
        _, sizes = self._double.photo_sizes(content)
        message = self._message(photo=sizes)
        if caption:
            message["caption"] = caption
        self._log.append(f"{self.first_name}: [photo, {len(content)} bytes]")
        return await self._double.push_update(self, {"message": message})

    async def press(self, label: str, message: BotMessage | None = None) -> int:
        """Press the inline button labelled ``label`` (or the only one starting with it)."""
        candidates = [message] if message is not None else list(reversed(self.messages))
        for candidate in candidates:
            button = _find_button(candidate, label)
            if button is None:
                continue
            if button.callback_data is None:
                raise AssertionError(f"button {button.text!r} has no callback_data ({button})")
            self._log.append(f"{self.first_name} pressed [{button.text}]")
            return await self._query(button.callback_data, candidate)
        available = [
            f"#{m.message_id}: {m.labels()}" for m in candidates if m is not None and m.labels()
        ]
        raise AssertionError(
            f"no button {label!r}; available: {'; '.join(available) or 'none'}\n"
            + self.transcript()
        )

    async def press_data(self, data: str, message_id: int | None = None) -> int:
        """A callback query with arbitrary (possibly forged) data, on a bot message."""
        if message_id is None:
            if not self.messages:
                raise AssertionError("the bot has sent no message to press on")
            target = self.messages[-1]
        else:
            found = [m for m in self.messages if m.message_id == message_id]
            if not found:
                raise AssertionError(f"no bot message #{message_id} in this chat")
            target = found[0]
        self._log.append(f"{self.first_name} sent callback data {data!r}")
        return await self._query(data, target)

    def block(self) -> None:
        self.blocked = True

    def unblock(self) -> None:
        self.blocked = False

    # -- what the user sees -------------------------------------------------------------------

    @property
    def last(self) -> BotMessage:
        if not self.messages:
            raise AssertionError(f"the bot has sent nothing to {self.first_name}")
        return self.messages[-1]

    async def next_message(self, timeout: float = 5.0) -> BotMessage:
        """The next message not yet returned by next_message, waiting for it if needed."""
        try:
            async with self._changed:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: len(self.messages) > self._returned), timeout
                )
        except TimeoutError:
            raise AssertionError(
                f"no new message from the bot within {timeout} s\n{self.transcript()}"
            ) from None
        self._returned += 1
        return self.messages[self._returned - 1]

    async def wait_until(
        self, predicate: Callable[[BotMessage], bool], timeout: float = 5.0
    ) -> BotMessage:
        """A message satisfying ``predicate``, new or edited; the newest one if several do."""
        found: list[BotMessage] = []

        def check() -> bool:
            found[:] = [m for m in reversed(self.messages) if predicate(m)][:1]
            return bool(found)

        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(check), timeout)
        except TimeoutError:
            raise AssertionError(
                f"no message satisfied the condition within {timeout} s\n{self.transcript()}"
            ) from None
        return found[0]

    def current_chat_action(self, now: float | None = None) -> str | None:
        """The action the chat shows now, as Telegram does: for 5 s, or until the bot's next
        message."""
        if self._action is None:
            return None
        action, since = self._action
        return (
            action if (time.monotonic() if now is None else now) - since < ACTION_SECONDS else None
        )

    def transcript(self) -> str:
        lines = [f"--- chat with {self.first_name} ({self.id}) ---"]
        for entry in self._log:
            if isinstance(entry, str):
                lines.append(entry)
                continue
            body = entry.text
            if entry.document is not None:
                body = f"[document {entry.document.file_name}, {entry.document.file_size} bytes] {body}"
            if entry.photo is not None:
                body = f"[photo, {entry.photo.file_size} bytes] {body}"
            lines.append(f"bot #{entry.message_id}: {body.rstrip()}")
            for row in entry.buttons:
                lines.append("    " + " | ".join(f"[{b.text}]" for b in row))
            if entry.edits:
                lines.append(f"    (edited {entry.edits}x)")
        return "\n".join(lines)

    # -- used by the server --------------------------------------------------------------------

    def user_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            result["last_name"] = self.last_name
        if self.username:
            result["username"] = self.username
        result["language_code"] = "es"
        return result

    def chat_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            result["last_name"] = self.last_name
        if self.username:
            result["username"] = self.username
        return result

    def next_message_id(self) -> int:
        return next(self._message_ids)

    def continue_message_ids(self, first: int) -> None:
        """Messages of this chat are numbered from `first` on (after a restored history)."""
        self._message_ids = itertools.count(first)

    def start_chat_action(self, action: str) -> None:
        self.chat_actions.append(action)
        self._action = (action, time.monotonic())

    async def add_message(self, message: BotMessage) -> None:
        self._action = None  # a message ends the action, as in Telegram apps
        self.messages.append(message)
        self._log.append(message)
        await self.notify()

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _message(self, **content: Any) -> dict[str, Any]:
        message_id = self.next_message_id()
        self.own_message_ids.add(message_id)
        message = {
            "message_id": message_id,
            "from": self.user_json(),
            "chat": self.chat_json(),
            "date": int(time.time()),
            **content,
        }
        self.sent[message_id] = message  # captions are added to this same dict afterwards
        return message

    async def _query(self, data: str, message: BotMessage) -> int:
        query = {
            "id": self._double.new_callback_query(self),
            "from": self.user_json(),
            "message": self._double.message_json(message),
            "chat_instance": str(self.id * 7919),
            "data": data,
        }
        return await self._double.push_update(self, {"callback_query": query})


def _find_button(message: BotMessage, label: str) -> Button | None:
    buttons = [b for row in message.buttons for b in row]
    exact = [b for b in buttons if b.text == label]
    if exact:
        return exact[0]
    prefixed = [b for b in buttons if b.text.startswith(label)]
    if len(prefixed) > 1:
        raise AssertionError(
            f"{label!r} starts several buttons of #{message.message_id}: "
            f"{[b.text for b in prefixed]}"
        )
    return prefixed[0] if prefixed else None
