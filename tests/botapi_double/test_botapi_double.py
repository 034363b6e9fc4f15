"""The Bot API double on its own (raw HTTP) and with the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from botapi_double import BotApiDouble, SimUser
from botapi_double.html import HtmlError, parse_html

TOKEN = "123456:TEST-TOKEN"
AnyApp = Application[Any, Any, Any, Any, Any, Any]
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


async def _no_wait(update_id: int) -> None:
    """For tests without a bot: updates are queued and not waited for."""


@pytest.fixture
async def api() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble(TOKEN) as double:
        yield double


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, timeout=10) as client:
        yield client


@pytest.fixture
async def bot(api: BotApiDouble) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.api_url, base_file_url=api.file_url) as b:
        yield b


async def call(
    http: httpx.AsyncClient, api: BotApiDouble, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a form the way PTB does: non-string values JSON-encoded."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = await http.post(f"{api.api_url}{api.token}/{method}", data=data)
    return response.status_code, response.json()


async def known_user(api: BotApiDouble, user_id: int | None = None) -> SimUser:
    """A user whose chat the bot knows (it has written once); no bot needs to be running."""
    api.wait_processed = _no_wait
    user = api.user(user_id)
    await user.send("/start")
    return user


# -- a small PTB application --------------------------------------------------------------------


class Processed:
    """Test harness hook: an update is processed once the last handler group has seen it."""

    def __init__(self) -> None:
        self.done: set[int] = set()
        self.changed = asyncio.Condition()

    async def mark(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert isinstance(update, Update)
        async with self.changed:
            self.done.add(update.update_id)
            self.changed.notify_all()

    async def wait(self, update_id: int) -> None:
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: update_id in self.done), 5)


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text(f"eco: {update.message.text}")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    keyboard = [
        [InlineKeyboardButton("Sí, continuar", callback_data="si")],
        [InlineKeyboardButton("No", callback_data="no")],
    ]
    await update.message.reply_text(
        "<b>¿Continuar?</b>",
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(keyboard),
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"elegiste {query.data}")
    await query.edit_message_text(f"Elegiste: <i>{query.data}</i>", parse_mode=ParseMode.HTML)


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_chat_action("upload_document")
    await update.message.reply_document(
        document=b"col1,col2\n1,2\n",
        filename="reporte.csv",
        caption="Tu <b>reporte</b>",
        parse_mode=ParseMode.HTML,
    )


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.document is not None
    data = await (await update.message.document.get_file()).download_as_bytearray()
    await update.message.reply_text(f"recibí {update.message.document.file_name}: {bytes(data)!r}")


@asynccontextmanager
async def running_app(api: BotApiDouble, *, harness: bool = True) -> AsyncIterator[AnyApp]:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.api_url)
        .base_file_url(api.file_url)
        .job_queue(None)
        .build()
    )
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("reporte", report))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    if harness:
        processed = Processed()
        app.add_handler(TypeHandler(Update, processed.mark), group=99)
        api.wait_processed = processed.wait
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        api.wait_processed = None


# -- the conversation, end to end with PTB ---------------------------------------------------


async def test_application_conversation(api: BotApiDouble) -> None:
    async with running_app(api) as app:
        assert app.bot.username == "SeguimientoASMBot"
        ana = api.user(555, "Ana", username="ana")

        await ana.send("hola")
        assert (await ana.next_message()).text == "eco: hola"

        await ana.send("/menu")
        menu_msg = await ana.next_message()
        assert menu_msg.text == "¿Continuar?"
        assert menu_msg.html == "<b>¿Continuar?</b>"
        assert menu_msg.entities == [{"type": "bold", "offset": 0, "length": 11}]
        assert menu_msg.labels() == ["Sí, continuar", "No"]

        await ana.press("Sí")  # a unique prefix is enough
        assert ana.callback_answers[-1]["text"] == "elegiste si"
        assert ana.callback_answers[-1]["show_alert"] is False
        assert menu_msg.text == "Elegiste: si"
        assert menu_msg.edits == 1 and menu_msg.edit_date is not None
        assert menu_msg.buttons == []  # the edit did not repeat the keyboard
        assert ana.last is menu_msg

        await ana.send("/reporte")
        doc = await ana.next_message()
        assert doc.document is not None
        assert doc.document.file_name == "reporte.csv"
        assert doc.document.mime_type == "text/csv"
        assert doc.document.content == b"col1,col2\n1,2\n"
        assert doc.text == "Tu reporte"
        assert ana.chat_actions == ["upload_document"]

        await ana.send_document(b"%PDF-1.4 evidencia", "evidencia.pdf", caption="mi evidencia")
        answer = await ana.next_message()
        assert answer.text == "recibí evidencia.pdf: b'%PDF-1.4 evidencia'"
        assert "Ana pressed [Sí, continuar]" in ana.transcript()

    methods = [method for method, _ in api.requests]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert "getUpdates" in methods and "getFile" in methods


async def test_settles_without_a_harness_hook(api: BotApiDouble) -> None:
    async with running_app(api, harness=False):
        user = api.user()
        await user.send("rápido")
        assert user.last.text == "eco: rápido"  # already there when send() returns


async def test_press_names_the_available_buttons(api: BotApiDouble, bot: Bot) -> None:
    user = await known_user(api)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Aceptar", callback_data="ok")]])
    await bot.send_message(user.id, "¿Sí?", reply_markup=keyboard)
    with pytest.raises(
        AssertionError, match=r"no button 'Cancelar'; available: #\d+: \['Aceptar'\]"
    ):
        await user.press("Cancelar")


async def test_next_message_times_out_with_the_transcript(api: BotApiDouble) -> None:
    user = await known_user(api)
    with pytest.raises(AssertionError, match=r"(?s)within 0.05 s.*Ana: /start"):
        await user.next_message(timeout=0.05)


async def test_forged_callback_data_reaches_the_bot(api: BotApiDouble, bot: Bot) -> None:
    user = await known_user(api)
    sent = await bot.send_message(user.id, "texto")
    await user.press_data("borrar:999", sent.message_id)
    updates = await bot.get_updates(timeout=0)
    query = updates[-1].callback_query
    assert query is not None and query.data == "borrar:999"
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, "No permitido", show_alert=True)
    assert user.callback_answers == [
        {
            "callback_query_id": query.id,
            "text": "No permitido",
            "show_alert": True,
            "url": None,
            "cache_time": None,
        }
    ]
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)  # only one answer per query


# -- getMe, tokens, methods, parameters ----------------------------------------------------------


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "SeguimientoASMBot")
    assert me.can_join_groups is True and me.supports_inline_queries is False


async def test_wrong_token_and_unknown_method(api: BotApiDouble, http: httpx.AsyncClient) -> None:
    response = await http.post(f"{api.api_url}654321:OTHER/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    status, body = await call(http, api, "launchRocket")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    with pytest.raises(InvalidToken):
        async with Bot("654321:OTHER", base_url=api.api_url):
            pass


async def test_parameters_keep_their_types(api: BotApiDouble, http: httpx.AsyncClient) -> None:
    user = await known_user(api)
    status, body = await call(http, api, "SENDMESSAGE", chat_id=user.id, text="123")
    assert status == 200 and body["result"]["text"] == "123"  # the text stays a string
    response = await http.get(f"{api.api_url}{api.token}/sendMessage?chat_id={user.id}&text=true")
    assert response.json()["result"]["text"] == "true"
    response = await http.post(
        f"{api.api_url}{api.token}/sendMessage", json={"chat_id": user.id, "text": "json"}
    )
    assert response.json()["result"]["chat"] == {
        "id": user.id,
        "type": "private",
        "first_name": "Ana",
    }
    assert [m.text for m in user.messages] == ["123", "true", "json"]
    assert api.requests[-1] == ("sendMessage", {"chat_id": user.id, "text": "json"})


# -- long polling -----------------------------------------------------------------------------


async def test_long_poll_returns_as_soon_as_an_update_arrives(api: BotApiDouble, bot: Bot) -> None:
    api.wait_processed = _no_wait
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await api.user().send("hola")
    updates = await poll
    assert loop.time() - started < 1
    assert updates[0].message is not None and updates[0].message.text == "hola"


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < loop.time() - started < 2


async def test_offset_confirms_earlier_updates(api: BotApiDouble, bot: Bot) -> None:
    user = await known_user(api)
    await user.send("/avance 3")
    first, second = await bot.get_updates(timeout=0)
    assert second.message is not None and second.message.text == "/avance 3"
    assert second.message.entities[0].type == "bot_command"
    assert second.message.entities[0].length == len("/avance")
    assert [u.update_id for u in await bot.get_updates(offset=second.update_id)] == [
        second.update_id
    ]
    assert await bot.get_updates(offset=second.update_id + 1, timeout=0) == ()
    assert first.update_id < second.update_id


# -- sending and editing ----------------------------------------------------------------------


async def test_html_message_with_keyboard(api: BotApiDouble, bot: Bot) -> None:
    user = await known_user(api)
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ver", callback_data="ver:1"),
                InlineKeyboardButton("Web", url="https://example.org"),
            ]
        ]
    )
    sent = await bot.send_message(
        user.id,
        "<b>ASM</b> 3 &lt; 5 &amp; A & B 😀 <i>fin</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )
    assert sent.text == "ASM 3 < 5 & A & B 😀 fin"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 3),
        ("italic", 21, 3),
    ]
    assert sent.reply_markup == keyboard
    seen = user.last
    assert seen.text == sent.text and seen.parse_mode == "HTML"
    assert (
        seen.buttons[0][0].callback_data == "ver:1"
        and seen.buttons[0][1].url == "https://example.org"
    )
    assert api.stats.sent_messages == 1


async def test_edits_and_not_modified(api: BotApiDouble, bot: Bot, http: httpx.AsyncClient) -> None:
    user = await known_user(api)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await bot.send_message(user.id, "uno", reply_markup=keyboard)
    await bot.edit_message_text("dos", user.id, sent.message_id, reply_markup=keyboard)
    assert (user.last.text, user.last.edits, user.last.labels()) == ("dos", 1, ["A"])

    status, body = await call(
        http,
        api,
        "editMessageText",
        chat_id=user.id,
        message_id=sent.message_id,
        text="dos",
        reply_markup=keyboard.to_dict(),
    )
    assert (status, body["description"]) == (400, NOT_MODIFIED)
    # Dropping the keyboard is a change, and so is formatting the same text.
    await bot.edit_message_reply_markup(user.id, sent.message_id)
    assert user.last.buttons == [] and user.last.edits == 2
    await bot.edit_message_text("<b>dos</b>", user.id, sent.message_id, parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id)

    status, body = await call(
        http, api, "editMessageText", chat_id=user.id, message_id=999, text="x"
    )
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")


async def test_refusals_have_telegrams_descriptions(
    api: BotApiDouble, http: httpx.AsyncClient
) -> None:
    user = await known_user(api)

    async def refused(method: str, **params: Any) -> str:
        status, body = await call(http, api, method, **({"chat_id": user.id} | params))
        assert status == 400 and body["ok"] is False and body["error_code"] == 400, body
        assert "parameters" not in body
        return str(body["description"])

    def button(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}

    assert await refused("sendMessage", text="") == "Bad Request: message text is empty"
    assert await refused("sendMessage", text="<b> </b>", parse_mode="HTML") == (
        "Bad Request: text must be non-empty"
    )
    assert await refused("sendMessage", text="a" * 4097) == "Bad Request: message is too long"
    assert await refused("sendMessage", text="x", reply_markup=button("d" * 65)) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )
    assert await refused("sendMessage", text="x", reply_markup=button("ñ" * 33)) == (
        "Bad Request: BUTTON_DATA_INVALID"  # 66 bytes in UTF-8
    )
    assert await refused("sendMessage", text="x", reply_markup=button("")) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )
    assert await refused("sendMessage", text="x", chat_id=424242) == "Bad Request: chat not found"
    html_errors = {
        "Precio <x> 5": 'Unsupported start tag "x" at byte offset 7',
        "año <x>": 'Unsupported start tag "x" at byte offset 5',  # bytes, not characters
        "3 < 5": 'Unsupported start tag "" at byte offset 2',
        "<b>sin cierre": 'Can\'t find end tag corresponding to start tag "b"',
        "<b>a</i>": 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
        '<span class="x">a</span>': 'Tag "span" must have class "tg-spoiler" at byte offset 0',
    }
    for text, error in html_errors.items():
        description = await refused("sendMessage", text=text, parse_mode="HTML")
        assert description == f"Bad Request: can't parse entities: {error}"
    assert await refused("sendDocument", document="BQACunknown") == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )

    # Limits count the text after parsing, in characters.
    ok = await call(
        http,
        api,
        "sendMessage",
        chat_id=user.id,
        text="<b>" + "a" * 4096 + "</b>",
        parse_mode="HTML",
    )
    assert ok[0] == 200
    ok = await call(http, api, "sendMessage", chat_id=user.id, text="😀" * 4096)
    assert ok[0] == 200
    ok = await call(
        http, api, "sendMessage", chat_id=user.id, text="x", reply_markup=button("ñ" * 32)
    )
    assert ok[0] == 200


async def test_blocked_user_gets_403(api: BotApiDouble, bot: Bot, http: httpx.AsyncClient) -> None:
    user = await known_user(api)
    sent = await bot.send_message(user.id, "antes")
    user.block()
    for attempt in (
        bot.send_message(user.id, "hola"),
        bot.edit_message_text("otro", user.id, sent.message_id),
        bot.send_chat_action(user.id, "typing"),
        bot.send_document(user.id, b"x", filename="a.txt"),
    ):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await attempt
    status, body = await call(http, api, "sendMessage", chat_id=user.id, text="hola")
    assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
    user.unblock()
    await bot.send_message(user.id, "de nuevo")
    assert [m.text for m in user.messages] == ["antes", "de nuevo"]


# -- files --------------------------------------------------------------------------------------


async def test_files_both_ways(api: BotApiDouble, bot: Bot, http: httpx.AsyncClient) -> None:
    user = await known_user(api)
    sent = await bot.send_document(user.id, b"datos", filename="anexo.xlsx", caption="Anexo A")
    assert sent.document is not None and sent.caption == "Anexo A"
    assert user.last.document is not None and user.last.document.content == b"datos"
    again = await bot.send_document(user.id, sent.document.file_id)  # resend by file_id
    assert again.document is not None and again.document.file_id == sent.document.file_id
    assert await (await bot.get_file(sent.document.file_id)).download_as_bytearray() == b"datos"

    photo = await bot.send_photo(user.id, b"\xff\xd8 jpeg", caption="foto")
    assert len(photo.photo) == 3 and user.last.photo is not None
    assert user.last.photo.content == b"\xff\xd8 jpeg"

    await user.send_photo(b"user photo")
    await user.send_document(b"x" * (21 << 20), "grande.zip")  # over the 20 MB download limit
    updates = await bot.get_updates(timeout=0)
    user_photo, big = updates[-2].message, updates[-1].message
    assert user_photo is not None and big is not None and big.document is not None
    assert (
        await (await bot.get_file(user_photo.photo[-1].file_id)).download_as_bytearray()
        == b"user photo"
    )
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.get_file(big.document.file_id)
    with pytest.raises(BadRequest, match="Wrong file_id or the file is temporarily unavailable"):
        await bot.get_file("BQACnope")

    status, body = await call(
        http,
        api,
        "sendDocument",
        chat_id=user.id,
        caption="c" * 1025,
        document=sent.document.file_id,
    )
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    response = await http.post(
        f"{api.api_url}{api.token}/sendDocument",
        data={"chat_id": str(user.id)},
        files={"document": ("enorme.bin", b"\0" * ((50 << 20) + 1))},
    )
    assert response.status_code == 413


async def test_commands_are_stored_per_scope(api: BotApiDouble, bot: Bot) -> None:
    general = [BotCommand("start", "Comenzar"), BotCommand("avance", "Registrar avance")]
    await bot.set_my_commands(general)
    await bot.set_my_commands(general[:1], scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(general[1:], scope=BotCommandScopeChat(12345), language_code="es")
    assert api.commands == {
        "default": [
            {"command": "start", "description": "Comenzar"},
            {"command": "avance", "description": "Registrar avance"},
        ],
        "all_private_chats": [{"command": "start", "description": "Comenzar"}],
        "chat:12345/es": [{"command": "avance", "description": "Registrar avance"}],
    }
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == (general[0],)
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Mal-Comando", "x")])


async def test_chat_actions(api: BotApiDouble, bot: Bot) -> None:
    user = await known_user(api)
    await bot.send_chat_action(user.id, "typing")
    assert user.chat_actions == ["typing"]
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(user.id, "dancing")


async def test_a_chat_action_lasts_five_seconds_or_until_the_next_message(
    api: BotApiDouble, bot: Bot
) -> None:
    user = await known_user(api)
    assert user.current_chat_action() is None
    await bot.send_chat_action(user.id, "upload_document")
    ahora = time.monotonic()
    assert user.current_chat_action() == "upload_document"
    assert user.current_chat_action(ahora + 4.5) == "upload_document"
    assert user.current_chat_action(ahora + 5.5) is None  # Telegram shows it for 5 s
    await bot.send_message(user.id, "Anexo A listo")
    assert user.current_chat_action() is None  # the message ends it


# -- flood control ------------------------------------------------------------------------------


async def test_rate_limit_overall(api: BotApiDouble, http: httpx.AsyncClient) -> None:
    users = [await known_user(api, 20000 + i) for i in range(40)]
    api.rate_limits = True
    results = await asyncio.gather(
        *(call(http, api, "sendMessage", chat_id=u.id, text="aviso") for u in users)
    )
    refused = [body for status, body in results if status == 429]
    assert 5 <= len(refused) <= 10  # 30 at once pass; the bucket refills a little meanwhile
    retry_after = refused[0]["parameters"]["retry_after"]
    assert refused[0] == {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }
    assert all(body["parameters"]["retry_after"] >= 1 for body in refused)
    assert api.stats.too_many_requests == len(refused)
    assert api.stats.sent_messages == 40 - len(refused)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limit_per_chat(api: BotApiDouble, bot: Bot) -> None:
    user = await known_user(api)
    api.rate_limits = True
    await bot.send_message(user.id, "uno")
    with pytest.raises(RetryAfter, match="Retry in 1 seconds"):
        await bot.send_message(user.id, "dos")
    with pytest.raises(RetryAfter):
        await bot.edit_message_text("editado", user.id, user.last.message_id)
    assert api.stats.too_many_requests == 2

    api.rate_limits = False
    for i in range(40):
        await bot.send_message(user.id, f"sin límite {i}")
    assert len(user.messages) == 41 and api.stats.too_many_requests == 2


# -- the HTML parser alone ----------------------------------------------------------------------


def test_html_parser_entities() -> None:
    parsed = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><a href="https://a.org/?x=1&amp;y=2">liga</a>'
    )
    assert parsed.text == "x = 1liga"
    assert parsed.entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "text_link", "offset": 5, "length": 4, "url": "https://a.org/?x=1&y=2"},
    ]
    assert parse_html("&#128512;<u>&quot;x&quot;</u>").entities == [
        {"type": "underline", "offset": 2, "length": 3}  # the emoji counts two UTF-16 units
    ]
    assert parse_html("<blockquote expandable>cita</blockquote>").entities[0]["type"] == (
        "expandable_blockquote"
    )
    with pytest.raises(HtmlError, match="Unexpected end tag at byte offset 0"):
        parse_html("</b>")


async def test_a_second_poller_ends_the_first_with_409(api: BotApiDouble, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    async with Bot(TOKEN, base_url=api.api_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
