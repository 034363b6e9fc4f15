"""Telegram's HTML parse mode, ported from tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp).

Telegram rejects a message whose HTML it cannot parse, so the double must reject exactly the
same texts with the same descriptions; a lenient parser would let bugs through to production.
The port works on UTF-8 bytes because Telegram reports positions as byte offsets, and it
computes entity offsets in UTF-16 code units, as the Bot API does.

Like tdlib, a ``&`` that does not start a known entity is kept as a literal character (Telegram
accepts ``"A & B"``); an unescaped ``<`` is read as the start of a tag and usually fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "tg-time",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACE = b" \t\n\r\v\f"


class HtmlError(ValueError):
    """The text is not valid Telegram HTML; ``str(exc)`` is tdlib's message."""


@dataclass
class ParsedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    argument: str
    date: int
    offset: int  # UTF-16 offset in the result where the entity starts
    begin: int  # byte position in the result, for <a> without href


def _decode_entity(src: bytes, pos: int) -> tuple[int, int]:
    """Decode the HTML entity at ``src[pos] == '&'``: (code point or 0, position after it)."""

    def at(i: int) -> int:
        return src[i] if i < len(src) else 0

    end = pos + 1
    code = 0
    if at(pos + 1) == ord("#"):
        end += 1
        if at(pos + 2) == ord("x"):
            end += 1
            while chr(at(end)) in "0123456789abcdefABCDEF" and at(end):
                code = code * 16 + int(chr(at(end)), 16)
                end += 1
        else:
            while chr(at(end)).isdigit() and at(end) < 128:
                code = code * 10 + at(end) - ord("0")
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while at(end) < 128 and chr(at(end)).isalpha():
            end += 1
        name = src[pos + 1 : end]
        if name not in _NAMED_ENTITIES:
            return 0, pos
        code = ord(_NAMED_ENTITIES[name])
    if at(end) == ord(";"):
        end += 1
    return code, end


def parse_html(html: str) -> ParsedText:
    """Plain text and Bot API entities of ``html``; raises HtmlError as Telegram would."""
    src = html.encode("utf-8")
    n = len(src)

    def at(i: int) -> int:
        return src[i] if i < n else 0  # tdlib reads a NUL-terminated C string

    out = bytearray()
    utf16 = 0
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    i = 0
    while i < n:
        c = src[i]
        if c == ord("&"):
            code, after = _decode_entity(src, i)
            if code:
                out += chr(code).encode("utf-8", "surrogatepass")
                utf16 += 2 if code > 0xFFFF else 1
                i = after
                continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:  # first byte of a UTF-8 character
                utf16 += 2 if c >= 0xF0 else 1
            out.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != ord("/"):
            while at(i) and at(i) not in _SPACE and at(i) != ord(">"):
                i += 1
            if not at(i):
                raise HtmlError(f"Unclosed start tag at byte offset {begin}")
            tag = src[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in SUPPORTED_TAGS:
                raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument, date, i = _attributes(src, i, tag, begin)
            if tag == "span" and argument != "spoiler":
                raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            stack.append(_Open(tag, argument, date, utf16, len(out)))
        else:
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {begin}")
            while at(i) and at(i) not in _SPACE and at(i) != ord(">"):
                i += 1
            end_tag = src[begin + 2 : i].decode("utf-8", "replace").lower()
            while at(i) and at(i) in _SPACE:
                i += 1
            if at(i) != ord(">"):
                raise HtmlError(f"Unclosed end tag at byte offset {begin}")
            top = stack.pop()
            if end_tag and end_tag != top.tag:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", '
                    f'found "</{end_tag}>"'
                )
            if utf16 > top.offset:
                _close(entities, top, utf16, bytes(out[top.begin :]))
        i += 1  # past the '>'
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError:
        raise HtmlError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        ) from None
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(text, entities)


def _attributes(src: bytes, i: int, tag: str, begin: int) -> tuple[str, int, int]:
    """Parse the attributes of a start tag from ``i``; return (argument, date, index of '>')."""

    def at(j: int) -> int:
        return src[j] if j < len(src) else 0

    argument = ""
    date = 0
    while at(i) != ord(">"):
        while at(i) and at(i) in _SPACE:
            i += 1
        if at(i) == ord(">"):
            break
        name_begin = i
        while at(i) and at(i) not in _SPACE and at(i) not in b"=>/\"'":
            i += 1
        name = src[name_begin:i].decode("utf-8", "replace")
        if not name:
            raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
        while at(i) and at(i) in _SPACE:
            i += 1
        if at(i) != ord("="):
            if not at(i):
                raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            if tag == "blockquote" and name == "expandable":
                argument = "1"
            continue
        i += 1
        while at(i) and at(i) in _SPACE:
            i += 1
        if not at(i):
            raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if at(i) not in b"'\"":
            # An unquoted name token: letters, digits, periods or hyphens, case-insensitive.
            token_begin = i
            while at(i) and ((chr(at(i)).isalnum() and at(i) < 128) or at(i) in b".-"):
                i += 1
            value = src[token_begin:i].decode().lower()
            if at(i) not in _SPACE and at(i) != ord(">"):
                raise HtmlError(f"Unexpected end of name token at byte offset {token_begin}")
        else:
            quote = at(i)
            i += 1
            raw = bytearray()
            while at(i) and at(i) != quote:
                if at(i) == ord("&"):
                    code, after = _decode_entity(src, i)
                    if code:
                        raw += chr(code).encode("utf-8", "surrogatepass")
                        i = after
                        continue
                raw.append(at(i))
                i += 1
            if at(i) == quote:
                i += 1
            value = raw.decode("utf-8", "replace")
        if not at(i):
            raise HtmlError(f"Unclosed start tag at byte offset {begin}")
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[len("language-") :]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[len("tg-") :]
        elif (tag == "tg-emoji" and name == "emoji-id") or (tag == "tg-time" and name == "format"):
            argument = value
        elif tag == "blockquote" and name == "expandable":
            argument = "1"
        elif tag == "tg-time" and name == "unix":
            date = int(value) if value.isdigit() else 0
    return argument, date, i


def _close(entities: list[dict[str, Any]], top: _Open, utf16: int, inner: bytes) -> None:
    """Append the entity for the closed tag ``top``, merging <pre><code> as tdlib does."""
    offset, length = top.offset, utf16 - top.offset
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if top.tag in _SIMPLE or top.tag == "span":
        entities.append(
            {"type": _SIMPLE.get(top.tag, "spoiler"), "offset": offset, "length": length}
        )
    elif top.tag == "tg-emoji":
        if not top.argument.isdigit() or int(top.argument) == 0:
            raise HtmlError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": top.argument,
            }
        )
    elif top.tag == "tg-time":
        if top.date > 0:
            entity = {
                "type": "date_time",
                "offset": offset,
                "length": length,
                "unix_time": top.date,
            }
            if top.argument:
                entity["date_time_format"] = top.argument
            entities.append(entity)
    elif top.tag == "a":
        url = top.argument or inner.decode("utf-8", "replace")
        if url:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif top.tag == "pre":
        if last is not None and same_span and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif top.tag == "code":
        if last is not None and same_span and last["type"] == "pre" and top.argument:
            last["language"] = top.argument
        else:
            entity = {"type": "code", "offset": offset, "length": length}
            if top.argument:
                entity["language"] = top.argument  # kept only if a <pre> wraps it
            entities.append(entity)
    elif top.tag == "blockquote":
        kind = "expandable_blockquote" if top.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def trim(parsed: ParsedText) -> ParsedText:
    """Drop leading and trailing whitespace as Telegram does, shifting the entities."""
    stripped = parsed.text.strip()
    if not stripped:
        return ParsedText("", [])
    shift = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    end = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            entities.append({**entity, "offset": start, "length": stop - start})
    return ParsedText(stripped, entities)
