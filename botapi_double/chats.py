"""The double's chats on disk: what the bot and each user said, and the files they exchanged.

`save_chats` writes `chats.json` and one file per file id under `files/` (each written
once); `load_chats` puts them back into a fresh double, so a chat view survives a restart and
the file ids the bot keeps (evidence, say) still download. Callback queries and chat actions
are not kept: they lasted seconds.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botapi_double.models import BotMessage, SentFile

if TYPE_CHECKING:
    from botapi_double.server import BotApiDouble

VERSION = 1
_NUMBER = re.compile(r"(\d+)$")
_SAFE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")  # file ids are made by the double: no paths


def save_chats(double: BotApiDouble, folder: Path) -> None:
    files_dir = folder / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    for sent in double.files.values():
        target = files_dir / sent.file_id
        if _SAFE.match(sent.file_id) and not target.exists():
            _write(target, sent.content)
    data = {
        "version": VERSION,
        "files": [
            {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "file_path": f.file_path,
                "file_name": f.file_name,
                "mime_type": f.mime_type,
            }
            for f in double.files.values()
            if _SAFE.match(f.file_id)
        ],
        "users": [
            {
                "id": u.id,
                "first_name": u.first_name,
                "last_name": u.last_name,
                "username": u.username,
                "talked": u.talked,
                "blocked": u.blocked,
                "own_message_ids": sorted(u.own_message_ids),
                "sent": {str(k): v for k, v in u.sent.items()},
                "messages": [_message_json(m) for m in u.messages],
            }
            for u in double.users()
        ],
    }
    _write(folder / "chats.json", json.dumps(data, ensure_ascii=False).encode())


def load_chats(double: BotApiDouble, folder: Path) -> int:
    """Restores what `save_chats` wrote (nothing when there is none); returns the chats."""
    try:
        data = json.loads((folder / "chats.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return 0
    if data.get("version") != VERSION:
        return 0
    last = 0
    for f in data["files"]:
        path = folder / "files" / f["file_id"]
        if not _SAFE.match(f["file_id"]) or not path.exists():
            continue
        double.files[f["file_id"]] = SentFile(
            f["file_id"], f["file_unique_id"], f["file_path"], path.read_bytes(),
            f["file_name"], f["mime_type"],
        )  # fmt: skip
        if m := _NUMBER.search(f["file_unique_id"]):
            last = max(last, int(m[1]))
    double.continue_file_ids(last + 1)
    for d in data["users"]:
        user = double.user(int(d["id"]), d["first_name"], d["last_name"], d["username"])
        user.talked, user.blocked = bool(d["talked"]), bool(d["blocked"])
        user.own_message_ids = set(d["own_message_ids"])
        user.sent = {int(k): v for k, v in d["sent"].items()}
        user.messages = [_message_from(double, m) for m in d["messages"]]
        ids = [*user.sent, *(m.message_id for m in user.messages)]
        user.continue_message_ids(max(ids, default=0) + 1)
    return len(data["users"])


def _message_json(m: BotMessage) -> dict[str, Any]:
    return {
        "message_id": m.message_id,
        "chat_id": m.chat_id,
        "date": m.date,
        "text": m.text,
        "html": m.html,
        "parse_mode": m.parse_mode,
        "entities": m.entities,
        "reply_markup": m.reply_markup,
        "document": m.document.file_id if m.document else None,
        "photo": m.photo.file_id if m.photo else None,
        "edits": m.edits,
        "text_edits": m.text_edits,
        "edit_date": m.edit_date,
        "photo_sizes": m.photo_sizes,
    }


def _message_from(double: BotApiDouble, d: dict[str, Any]) -> BotMessage:
    return BotMessage(
        **{k: v for k, v in d.items() if k not in ("document", "photo")},
        document=double.files.get(d["document"]) if d["document"] else None,
        photo=double.files.get(d["photo"]) if d["photo"] else None,
    )


def _write(target: Path, content: bytes) -> None:
    # Aside, then into place: a stop halfway never leaves half a file under the name.
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp.write(content)
    os.replace(tmp.name, target)
