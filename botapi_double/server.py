"""A loopback Telegram Bot API server that answers the way Telegram does.

It runs in the event loop of the bot under test (aiohttp), keeps every chat in memory and
refuses what Telegram refuses, with Telegram's status codes and descriptions (checked against
tdlib/telegram-bot-api), so a test that passes here fails for the same reasons in production.
Only private chats exist: a simulated user's chat id is the user id.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import mimetypes
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web

from botapi_double.driver import SimUser
from botapi_double.html import HtmlError, ParsedText, parse_html, trim
from botapi_double.models import BotMessage, SentFile, Stats

JSONDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_ALERT = 200  # answerCallbackQuery text
MAX_DOWNLOAD = 20 << 20  # getFile refuses bigger files (20 MiB, Client.h)
MAX_UPLOAD = 50 << 20  # multipart uploads of bots
MAX_LONG_POLL = 50.0

# Parameters Telegram reads as strings; everything else a form field carries is JSON-decoded
# when it parses, because PTB JSON-encodes every non-string value (ints, bools, keyboards...).
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "file_id",
        "action",
        "url",
        "language_code",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "document",
        "photo",
        "thumbnail",
        "secret_token",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

Handler = Callable[[JSONDict, dict[str, "Upload"]], Awaitable[Any]]


class ApiError(Exception):
    """A refusal, answered as Telegram's ``{"ok": false, ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def response(self) -> web.Response:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return web.json_response(body, status=self.code)


@dataclass
class Upload:
    """A file part of a multipart request."""

    file_name: str | None
    content_type: str | None
    content: bytes


class _Bucket:
    """Token bucket: ``rate`` tokens a second, at most ``burst`` saved up."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.updated = rate, burst, burst, now

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 if one is)."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class BotApiDouble:
    """The Bot API test double; use as ``async with BotApiDouble() as api: ...``."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "SeguimientoASMBot",
        bot_name: str = "Seguimiento ASM",
        rate_limits: bool = False,
        per_chat_per_second: float = 1.0,
        global_per_second: float = 30.0,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.rate_limits = rate_limits
        self.per_chat_per_second = per_chat_per_second
        self.global_per_second = global_per_second
        self.bot_user: JSONDict = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.commands: dict[str, list[JSONDict]] = {}
        self.requests: list[tuple[str, JSONDict]] = []
        self.stats = Stats()
        self.files: dict[str, SentFile] = {}
        self.wait_processed: Callable[[int], Awaitable[None]] | None = None
        # Faults a test can switch on: every method answers this status (an outage: 502), and
        # every method but getUpdates takes this long before doing its work (a slow API: the
        # work is still done after a client gave up waiting, as Telegram does). Methods named
        # in `outage_spares` (lower case) keep answering during the outage.
        self.outage_status: int | None = None
        self.outage_spares: frozenset[str] = frozenset()
        self.delay: float = 0.0

        self._users: dict[int, SimUser] = {}
        self._user_ids = itertools.count(10001)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._queries: dict[str, tuple[SimUser, bool]] = {}  # id -> (user, answered)
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._allowed_updates: set[str] | None = None
        self._new_update = asyncio.Condition()
        self._polls = 0  # getUpdates calls so far, to spot overlapping ones
        self._fetched_upto = 0  # highest update_id handed out by getUpdates
        self._in_flight = 0  # requests other than getUpdates being answered
        self._last_activity = 0.0
        self._closing = False
        self._buckets: dict[int, _Bucket] = {}
        self._global_bucket: _Bucket | None = None
        self._started_at = 0.0
        # Webhook mode: the URL and secret set by setWebhook; `balance` (base URLs such as
        # http://127.0.0.1:8443) makes the double act as a load balancer in front of several
        # replicas, sending each update to the next one in turn (the URL's path is kept).
        self.webhook_url = ""
        self.webhook_secret = ""
        self.balance: list[str] = []
        self._turn = itertools.count()
        self._in_delivery: set[int] = set()  # chats with an update on its way
        self._delivered: dict[int, asyncio.Future[None]] = {}  # update_id -> answered 200
        self._deliverer: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getUpdates": self._get_updates,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "answerCallbackQuery": self._answer_callback_query,
                "sendDocument": self._send_document,
                "sendPhoto": self._send_photo,
                "sendChatAction": self._send_chat_action,
                "getFile": self._get_file,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
            }.items()
        }

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        # Uploads up to Telegram's limit must reach the handler, which answers 413 beyond it.
        app = web.Application(client_max_size=MAX_UPLOAD + (1 << 20))
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # A short shutdown timeout: a pending long poll must not hold stop() for a minute.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        self.port = self._site.port
        self._closing = False
        self._started_at = asyncio.get_running_loop().time()

    async def stop(self) -> None:
        self._closing = True
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
            self._deliverer = None
        async with self._new_update:
            self._new_update.notify_all()  # release pending long polls
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiDouble:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """For ``base_url`` of PTB, which appends the token and the method."""
        return f"{self.base_url}/bot"

    @property
    def file_url(self) -> str:
        """For ``base_file_url`` of PTB."""
        return f"{self.base_url}/file/bot"

    # -- simulated users -------------------------------------------------------------------------

    def user(
        self,
        user_id: int | None = None,
        first_name: str = "Ana",
        last_name: str | None = None,
        username: str | None = None,
    ) -> SimUser:
        """The simulated user (and private chat) with this id, created on first use."""
        if user_id is None:
            user_id = next(i for i in self._user_ids if i not in self._users)
        if user_id not in self._users:
            self._users[user_id] = SimUser(self, user_id, first_name, last_name, username)
        return self._users[user_id]

    def users(self) -> list[SimUser]:
        """Every simulated user so far, in the order they appeared."""
        return list(self._users.values())

    def continue_file_ids(self, first: int) -> None:
        """New files are numbered from `first` on (after files restored from disk)."""
        self._file_ids = itertools.count(first)

    async def push_update(self, user: SimUser, payload: JSONDict) -> int:
        """Queue an update from ``user`` and wait until the bot has handled it."""
        if user.blocked:  # Telegram apps offer only "Restart" (which unblocks) to such a user
            raise AssertionError(f"{user.first_name} blocked the bot; call unblock() first")
        user.talked = True
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **payload})
        delivered = None
        if self.webhook_url and self.wait_processed is None:
            delivered = asyncio.get_running_loop().create_future()
            self._delivered[update_id] = delivered
        async with self._new_update:
            self._new_update.notify_all()
        if self.wait_processed is not None:
            await self.wait_processed(update_id)
        elif delivered is not None:
            # The bot answers a webhook once it has handled the update (see bot/procesador.py).
            try:
                await asyncio.wait_for(delivered, 120)
            finally:
                self._delivered.pop(update_id, None)
        else:
            await self._settle(update_id)
        return update_id

    async def _settle(self, update_id: int, quiet: float = 0.2, limit: float = 10.0) -> None:
        # Without a harness hook: the bot fetched the update and then went quiet for `quiet` s.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while self._fetched_upto < update_id:
            if loop.time() > deadline:
                raise AssertionError(f"update {update_id} was not fetched within {limit} s")
            await asyncio.sleep(0.01)
        while (self._in_flight or loop.time() - self._last_activity < quiet) and (
            loop.time() < deadline
        ):
            await asyncio.sleep(0.02)

    def new_file(
        self, content: bytes, kind: str, file_name: str | None, mime_type: str | None
    ) -> SentFile:
        n = next(self._file_ids)
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif kind == "photos":
            ext = ".jpg"
        sent = SentFile(
            file_id=f"{'AgAC' if kind == 'photos' else 'BQAC'}double{n:06d}",
            file_unique_id=f"AQAD{n:06d}",
            file_path=f"{kind}/file_{n}{ext}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[sent.file_id] = sent
        return sent

    def photo_sizes(self, content: bytes) -> tuple[SentFile, list[JSONDict]]:
        """Telegram answers a photo with a few sizes; here all carry the same bytes."""
        sizes: list[JSONDict] = []
        sent = None
        for side in (90, 320, 800):
            sent = self.new_file(content, "photos", None, "image/jpeg")
            sizes.append({**self.file_json(sent), "width": side, "height": side})
            sizes[-1].pop("file_name", None)
            sizes[-1].pop("mime_type", None)
        assert sent is not None
        return sent, sizes

    def new_callback_query(self, user: SimUser) -> str:
        query_id = f"{user.id}{next(self._query_ids):06d}"
        self._queries[query_id] = (user, False)
        return query_id

    # -- JSON of Bot API objects -------------------------------------------------------------

    @staticmethod
    def file_json(sent: SentFile) -> JSONDict:
        result: JSONDict = {
            "file_id": sent.file_id,
            "file_unique_id": sent.file_unique_id,
            "file_size": sent.file_size,
        }
        if sent.file_name is not None:
            result["file_name"] = sent.file_name
        if sent.mime_type is not None:
            result["mime_type"] = sent.mime_type
        return result

    def message_json(self, message: BotMessage) -> JSONDict:
        user = self._users[message.chat_id]
        result: JSONDict = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": user.chat_json(),
            "date": message.date,
        }
        has_media = message.document is not None or message.photo is not None
        if has_media:
            if message.text:
                result["caption"] = message.text
            if message.entities:
                result["caption_entities"] = message.entities
        else:
            result["text"] = message.text
            if message.entities:
                result["entities"] = message.entities
        if message.document is not None:
            result["document"] = self.file_json(message.document)
        if message.photo is not None:
            result["photo"] = message.photo_sizes
        if _inline(message.reply_markup):  # only inline keyboards belong to the message
            result["reply_markup"] = message.reply_markup
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        return result

    # -- HTTP ------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        entry = self._methods.get(request.match_info["method"].lower())
        if entry is None:
            return ApiError(404, "Not Found").response()
        name, handler = entry
        if self.outage_status is not None and name.lower() not in self.outage_spares:
            self.stats.outage_answers += 1
            return ApiError(self.outage_status, "Bad Gateway").response()
        try:
            params, uploads = await _read_params(request)
        except web.HTTPRequestEntityTooLarge:
            return ApiError(413, "Request Entity Too Large").response()
        except ApiError as exc:
            return exc.response()
        logged = dict(params)
        for key, upload in uploads.items():
            logged[key] = f"<upload {upload.file_name} ({len(upload.content)} bytes)>"
        self.requests.append((name, logged))
        self.stats.requests += 1
        busy = name != "getUpdates"  # the long poll is not a sign of the bot being busy
        if busy:
            self._in_flight += 1
            self._touch()
        try:
            if self.delay and name != "getUpdates":
                await asyncio.sleep(self.delay)
            result = await handler(params, uploads)
        except ApiError as exc:
            return exc.response()
        finally:
            if busy:
                self._in_flight -= 1
                self._touch()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return ApiError(401, "Unauthorized").response()
        path = request.match_info["path"]
        for sent in self.files.values():
            if sent.file_path == path:
                return web.Response(body=sent.content, content_type="application/octet-stream")
        return ApiError(404, "Not Found").response()

    def _touch(self) -> None:
        self._last_activity = asyncio.get_running_loop().time()

    # -- checks shared by the methods -------------------------------------------------------

    def _chat(self, params: JSONDict) -> SimUser:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None or not user.talked:  # the bot cannot know a user who never wrote
            raise ApiError(400, "Bad Request: chat not found")
        return user

    @staticmethod
    def _check_blocked(user: SimUser) -> None:
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_flood(self, chat_id: int) -> None:
        if not self.rate_limits:
            return
        now = asyncio.get_running_loop().time()
        chat = self._buckets.setdefault(chat_id, _Bucket(self.per_chat_per_second, 1, now))
        if self._global_bucket is None:
            self._global_bucket = _Bucket(self.global_per_second, self.global_per_second, now)
        wait = max(chat.wait(now), self._global_bucket.wait(now))
        if wait > 0:
            self.stats.too_many_requests += 1
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        chat.tokens -= 1
        self._global_bucket.tokens -= 1

    @staticmethod
    def _formatted(text: str, params: JSONDict, *, caption: bool) -> ParsedText:
        mode = str(params.get("parse_mode") or "").lower()
        entities_key = "caption_entities" if caption else "entities"
        if mode in ("", "none"):
            entities = params.get(entities_key)
            parsed = ParsedText(text, entities if isinstance(entities, list) else [])
        elif mode == "html":
            try:
                parsed = parse_html(text)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif mode in ("markdown", "markdownv2"):
            raise ApiError(400, "Bad Request: unsupported parse_mode (the double implements HTML)")
        else:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        parsed = trim(parsed)
        if not parsed.text and not caption:
            raise ApiError(400, "Bad Request: text must be non-empty")
        # Telegram counts Unicode code points here (tdlib's utf8_length), not UTF-16 units.
        if len(parsed.text) > (MAX_CAPTION if caption else MAX_TEXT):
            what = "message caption" if caption else "message"
            raise ApiError(400, f"Bad Request: {what} is too long")
        return parsed

    @staticmethod
    def _markup(value: Any) -> JSONDict | None:
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in value:
            return value  # reply keyboards, remove_keyboard, force_reply: stored as sent
        rows = value["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays')
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise ApiError(400, "Bad Request: inlineKeyboardButton must be an Object")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode()) <= 64:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                elif not any(key in button for key in BUTTON_ACTIONS):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return value if rows else None  # an empty inline keyboard is no keyboard

    def _message_to_edit(self, params: JSONDict) -> tuple[SimUser, BotMessage]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: message to edit not found")  # no inline mode here
        user = self._chat(params)
        message_id = params.get("message_id")
        if message_id in user.own_message_ids:
            raise ApiError(400, "Bad Request: message can't be edited")
        for message in user.messages:
            if message.message_id == message_id:
                return user, message
        raise ApiError(400, "Bad Request: message to edit not found")

    def _input_file(
        self, params: JSONDict, uploads: dict[str, Upload], key: str, default_name: str
    ) -> SentFile | None:
        """The uploaded file, or the known file named by file_id (None for a new photo)."""
        upload = uploads.get(key)
        if upload is not None:
            if not upload.content:
                raise ApiError(400, "Bad Request: file must be non-empty")
            if len(upload.content) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            if key == "photo":
                return None
            name = upload.file_name or default_name
            mime = mimetypes.guess_type(name)[0] or upload.content_type
            return self.new_file(upload.content, "documents", name, mime)
        ref = params.get(key)
        if isinstance(ref, str) and ref in self.files:
            return self.files[ref]
        if not ref:
            raise ApiError(400, f"Bad Request: there is no {key} in the request")
        # URLs are not fetched: this machine reaches nothing but the loopback.
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    async def _deliver(self, user: SimUser, message: BotMessage) -> JSONDict:
        self.stats.sent_messages += 1
        second = int(asyncio.get_running_loop().time() - self._started_at)
        self.stats.sent_per_second[second] += 1
        await user.add_message(message)
        return self.message_json(message)

    # -- methods ---------------------------------------------------------------------------------

    async def _get_me(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _delete_webhook(self, params: JSONDict, uploads: dict[str, Upload]) -> bool:
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        self.webhook_url = self.webhook_secret = ""
        return True

    async def _set_webhook(self, params: JSONDict, uploads: dict[str, Upload]) -> bool:
        url = _str(params.get("url"))
        if not url.startswith(("http://", "https://")):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = set(allowed) or None
        self.webhook_url = url
        self.webhook_secret = _str(params.get("secret_token"))
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.create_task(self._deliver_webhooks())
        async with self._new_update:
            self._new_update.notify_all()
        return True

    async def _get_webhook_info(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending()),
        }

    def _webhook_target(self) -> str:
        if not self.balance:
            return self.webhook_url
        base = self.balance[next(self._turn) % len(self.balance)].rstrip("/")
        path = self.webhook_url.split("://", 1)[-1].partition("/")[2]
        return f"{base}/{path}"

    async def _deliver_webhooks(self) -> None:
        """Telegram's side of a webhook: each update POSTed until answered 200, one at a time
        per chat and in order, many chats at once; a failed delivery is tried again."""
        import aiohttp

        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
            tasks: set[asyncio.Task[None]] = set()
            while self.webhook_url and not self._closing:
                waiting: set[int] = set()
                for update in self._pending():
                    chat = _update_chat(update)
                    if chat in self._in_delivery or chat in waiting:
                        waiting.add(chat)  # an earlier update of this chat goes first
                        continue
                    waiting.add(chat)
                    self._in_delivery.add(chat)
                    t = asyncio.create_task(self._deliver_one(http, update, chat))
                    tasks.add(t)
                    t.add_done_callback(tasks.discard)
                async with self._new_update:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._new_update.wait(), 0.5)
            for t in tasks:
                t.cancel()

    async def _deliver_one(self, http: Any, update: JSONDict, chat: int) -> None:
        import aiohttp

        headers = {"Content-Type": "application/json"}
        if self.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
        try:
            while self.webhook_url and not self._closing:
                try:
                    async with http.post(
                        self._webhook_target(), data=json.dumps(update), headers=headers
                    ) as r:
                        await r.read()
                        if r.status == 200:
                            break
                except (aiohttp.ClientError, OSError):
                    pass
                self.stats.webhook_failures += 1
                await asyncio.sleep(0.2)  # Telegram waits longer; the next replica may answer
            else:
                return
            self.stats.webhook_deliveries += 1
            self._updates = [u for u in self._updates if u is not update]
            waiter = self._delivered.get(update["update_id"])
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            self._fetched_upto = max(self._fetched_upto, update["update_id"])
            self._touch()
        finally:
            self._in_delivery.discard(chat)
            async with self._new_update:
                self._new_update.notify_all()

    async def _get_updates(self, params: JSONDict, uploads: dict[str, Upload]) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = _int(params.get("offset"), 0)
        limit = min(max(_int(params.get("limit"), 100), 1), 100)
        timeout = min(max(_float(params.get("timeout"), 0.0), 0.0), MAX_LONG_POLL)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):  # remembered for later calls, as Telegram does
            self._allowed_updates = set(allowed) or None
        if offset > 0:  # confirms every earlier update
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with self._new_update:
            # A newer getUpdates ends this one with 409, which exposes two running bots.
            self._polls += 1
            mine = self._polls
            self._new_update.notify_all()
            while True:
                if mine != self._polls:
                    raise ApiError(409, CONFLICT)
                batch = self._pending()[:limit]
                if batch or self._closing:
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._new_update.wait(), remaining)
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
            self._touch()
        return batch

    def _pending(self) -> list[JSONDict]:
        if self._allowed_updates is not None:  # Telegram never delivers the others
            allowed = self._allowed_updates
            self._updates = [u for u in self._updates if allowed & u.keys()]
        return self._updates

    async def _send_message(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        user = self._chat(params)
        text = _str(params.get("text"))
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        parsed = self._formatted(text, params, caption=False)
        markup = self._markup(params.get("reply_markup"))
        self._check_blocked(user)
        self._check_flood(user.id)
        message = BotMessage(
            message_id=user.next_message_id(),
            chat_id=user.id,
            date=int(time.time()),
            text=parsed.text,
            html=text,
            parse_mode=params.get("parse_mode") or None,
            entities=parsed.entities,
            reply_markup=markup,
        )
        return await self._deliver(user, message)

    async def _send_document(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        user = self._chat(params)
        document = self._input_file(params, uploads, "document", "document")
        assert document is not None
        return await self._send_media(user, params, document=document)

    async def _send_photo(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        user = self._chat(params)
        known = self._input_file(params, uploads, "photo", "photo.jpg")
        content = known.content if known is not None else uploads["photo"].content
        photo, sizes = self.photo_sizes(content)
        return await self._send_media(user, params, photo=photo, photo_sizes=sizes)

    async def _send_media(
        self,
        user: SimUser,
        params: JSONDict,
        document: SentFile | None = None,
        photo: SentFile | None = None,
        photo_sizes: list[JSONDict] | None = None,
    ) -> JSONDict:
        caption = _str(params.get("caption"))
        parsed = self._formatted(caption, params, caption=True)
        markup = self._markup(params.get("reply_markup"))
        self._check_blocked(user)
        self._check_flood(user.id)
        message = BotMessage(
            message_id=user.next_message_id(),
            chat_id=user.id,
            date=int(time.time()),
            text=parsed.text,
            html=caption,
            parse_mode=params.get("parse_mode") or None,
            entities=parsed.entities,
            reply_markup=markup,
            document=document,
            photo=photo,
            photo_sizes=photo_sizes or [],
        )
        return await self._deliver(user, message)

    async def _edit(
        self,
        user: SimUser,
        message: BotMessage,
        params: JSONDict,
        parsed: ParsedText | None,
        raw: str | None,
    ) -> JSONDict:
        """Apply an edit (``parsed`` None keeps the text) unless it changes nothing."""
        markup = self._markup(params.get("reply_markup"))
        if markup is not None and not _inline(markup):
            raise ApiError(400, "Bad Request: inline keyboard expected")
        # An edit without reply_markup removes the inline keyboard, as in Telegram.
        new_markup = markup if _inline(message.reply_markup) or markup else message.reply_markup
        same_text = parsed is None or (
            parsed.text == message.text and parsed.entities == message.entities
        )
        if same_text and new_markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        self._check_blocked(user)
        self._check_flood(user.id)
        if parsed is not None and raw is not None:
            if not same_text:
                message.text_edits += 1
            message.text, message.entities, message.html = parsed.text, parsed.entities, raw
            message.parse_mode = params.get("parse_mode") or None
        message.reply_markup = new_markup
        message.edits += 1
        message.edit_date = int(time.time())
        self.stats.edited_messages += 1
        await user.notify()
        return self.message_json(message)

    async def _edit_message_text(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        user, message = self._message_to_edit(params)
        if message.document is not None or message.photo is not None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = _str(params.get("text"))
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        parsed = self._formatted(text, params, caption=False)
        return await self._edit(user, message, params, parsed, text)

    async def _edit_message_caption(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        user, message = self._message_to_edit(params)
        if message.document is None and message.photo is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption = _str(params.get("caption"))
        parsed = self._formatted(caption, params, caption=True)
        return await self._edit(user, message, params, parsed, caption)

    async def _edit_message_reply_markup(
        self, params: JSONDict, uploads: dict[str, Upload]
    ) -> JSONDict:
        user, message = self._message_to_edit(params)
        return await self._edit(user, message, params, None, None)

    async def _answer_callback_query(self, params: JSONDict, uploads: dict[str, Upload]) -> bool:
        query_id = _str(params.get("callback_query_id"))
        entry = self._queries.get(query_id)
        if entry is None or entry[1]:  # unknown, or answered already
            raise ApiError(400, QUERY_INVALID)
        if len(_str(params.get("text"))) > MAX_ALERT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        user = entry[0]
        self._queries[query_id] = (user, True)
        user.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": params.get("text"),
                "show_alert": params.get("show_alert") is True,
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
            }
        )
        return True

    async def _send_chat_action(self, params: JSONDict, uploads: dict[str, Upload]) -> bool:
        user = self._chat(params)
        action = _str(params.get("action"))
        if action not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._check_blocked(user)
        user.start_chat_action(action)
        return True

    async def _get_file(self, params: JSONDict, uploads: dict[str, Upload]) -> JSONDict:
        sent = self.files.get(_str(params.get("file_id")))
        if sent is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if sent.file_size > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": sent.file_id,
            "file_unique_id": sent.file_unique_id,
            "file_size": sent.file_size,
            "file_path": sent.file_path,
        }

    async def _set_my_commands(self, params: JSONDict, uploads: dict[str, Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = command.get("command") if isinstance(command, dict) else None
            description = command.get("description") if isinstance(command, dict) else None
            if not isinstance(name, str) or not _valid_command(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = _scope_key(params)
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(
        self, params: JSONDict, uploads: dict[str, Upload]
    ) -> list[JSONDict]:
        return self.commands.get(_scope_key(params), [])

    async def _delete_my_commands(self, params: JSONDict, uploads: dict[str, Upload]) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True


# -- helpers ------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, Upload]]:
    """Parameters from the query string and the body (form, multipart or JSON)."""
    params: JSONDict = {key: _decode(key, value) for key, value in request.query.items()}
    uploads: dict[str, Upload] = {}
    if not request.can_read_body:
        return params, uploads
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON encoded request body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON encoded request body must be an Object")
        params.update(body)
        return params, uploads
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            uploads[key] = Upload(value.filename, value.content_type, value.file.read())
        else:
            params[key] = _decode(key, value)
    return params, uploads


def _update_chat(update: JSONDict) -> int:
    for kind in ("message", "edited_message", "callback_query"):
        part = update.get(kind)
        if isinstance(part, dict):
            if "chat" in part:
                return int(part["chat"]["id"])
            return int(part["from"]["id"])
    return 0


def _decode(key: str, value: str | bytes | bytearray) -> Any:
    text = value if isinstance(value, str) else bytes(value).decode()
    if key in STRING_PARAMS:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _str(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _inline(markup: JSONDict | None) -> bool:
    return bool(markup and markup.get("inline_keyboard"))


def _valid_command(name: str) -> bool:
    # Telegram wants 1-32 lowercase English letters, digits and underscores.
    return 1 <= len(name) <= 32 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in name)


def _scope_key(params: JSONDict) -> str:
    """``default``, ``all_private_chats``, ``chat:<id>``...; ``/<lang>`` for a language."""
    scope = params.get("scope")
    if not isinstance(scope, dict):
        key = "default"
    else:
        kind = str(scope.get("type", "default"))
        key = ":".join([kind, *(str(scope[k]) for k in ("chat_id", "user_id") if k in scope)])
    language = params.get("language_code")
    return f"{key}/{language}" if language else key
