"""E-mail exhibits read into plain data: .eml with Python's `email` package, Outlook .msg with
extract-msg (the optional extra `casefile[msg]`; without it a .msg is refused in one line).

A `Message` is its header table (from, to, cc, date, subject, message id, as written), its body
(the plain-text part when there is one, else the HTML part as text: nothing is fetched, and
images and remote content are not shown) and its attachments, each as the bytes it holds
(with its SHA-256). The dossier shows the message (typeset/renditions.py) and then each
attachment as a further file of the same exhibit, converted by the same rules (an attached
e-mail too, to intake.exhibits.MAX_DEPTH levels).

Limits: a message file over MAX_MESSAGE_BYTES is refused before it is read; an attachment
whose encoded size means more than MAX_ATTACHMENT_BYTES is refused before it is decoded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from casefile.errors import fail
from casefile.intake.web import clean, html_text

MAIL_FORMAT = "e-mail/2"  # 2: every font embedded
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 50_000_000
HEADERS = (("From", "from"), ("To", "to"), ("Cc", "cc"), ("Date", "date"), ("Subject", "subject"),
           ("Message ID", "message-id"))


@dataclass(frozen=True)
class Attachment:
    name: str  # a plain file name (no folder), made safe
    content_type: str
    data: bytes
    sha256: str


@dataclass
class Message:
    source: str  # the file, as shown
    headers: list  # (label, value) in HEADERS order; missing ones are left out
    body: str
    body_from: str  # what the body is taken from, said on the page
    attachments: list = field(default_factory=list)
    notices: list = field(default_factory=list)


def safe_name(name: str | None, n: int, content_type: str) -> str:
    """An attachment's file name without folders or control characters, at most 100 characters;
    `attachment-N.<ext>` when it has none."""
    name = clean(name or "").replace("\ufffd", "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    name = " ".join(name.split())
    if not name:
        ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/tiff": "tif",
               "message/rfc822": "eml", "text/plain": "txt", "text/html": "html", "text/csv": "csv",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
               "application/msword": "doc", "application/rtf": "rtf"}.get(content_type, "bin")
        name = f"attachment-{n}.{ext}"
    if len(name) > 100:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:90] + dot + ext[:9]) if dot and len(ext) < 10 else name[:100]
    return name


def _attachment(name, content_type, data: bytes, n: int, taken: set) -> Attachment:
    name = safe_name(name, n, content_type)
    base, k = name, 2
    while name in taken:  # two attachments of the same name stay two files
        stem, dot, ext = base.rpartition(".")
        name = f"{stem} ({k}){dot}{ext}" if dot else f"{base} ({k})"
        k += 1
    taken.add(name)
    if content_type == "message/rfc822" and not name.lower().endswith(".eml"):
        name += ".eml"  # an attached message is read as an e-mail, whatever it was called
    return Attachment(name, content_type, data, hashlib.sha256(data).hexdigest())


def read_message(path: Path, shown: str, ext: str) -> Message:
    if Path(path).stat().st_size > MAX_MESSAGE_BYTES:
        raise fail(shown, "email", f"refused: larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MiB "
                                   f"(not read)")
    if ext == "msg":
        return _read_msg(path, shown)
    return _read_eml(Path(path).read_bytes(), shown)


def _leaves(m, parent: str = ""):
    """(part, type of the multipart holding it) for every part that is not a multipart; an
    attached message (message/rfc822) is one part, not opened here."""
    if m.get_content_maintype() == "multipart" and m.is_multipart():
        for p in m.get_payload():
            yield from _leaves(p, m.get_content_type())
    else:
        yield m, parent


def _read_eml(data: bytes, shown: str) -> Message:
    import email
    from email import policy

    try:
        msg = email.message_from_bytes(data, policy=policy.default)
    except Exception as e:  # noqa: BLE001 - the parser is lenient; anything it raises is one line
        raise fail(shown, "email", f"not a readable e-mail: {type(e).__name__}: {e}")
    if not any(msg.get(h) for h in ("From", "To", "Subject", "Date", "Message-ID")):
        raise fail(shown, "email", "not an e-mail: no From, To, Subject, Date or Message-ID header")
    headers = []
    for label, name in HEADERS:
        try:
            value = msg.get(name)
        except Exception:  # noqa: BLE001 - a header that cannot be decoded is shown raw
            value = msg.get_all(name, [""])[0] if hasattr(msg, "get_all") else ""
        if value is not None and str(value).strip():
            headers.append((label, " ".join(clean(str(value)).split())))
    leaves = list(_leaves(msg))
    body_part = next((p for p, _ in leaves if p.get_content_type() == "text/plain" and not _is_attachment(p)),
                     None)
    body_from = "the message's plain-text part"
    if body_part is None:
        body_part = next((p for p, _ in leaves if p.get_content_type() == "text/html" and not _is_attachment(p)),
                         None)
        body_from = "the message's HTML part, as text (nothing fetched; images and remote content not shown)"
    body = ""
    if body_part is not None:
        text = _text_of(body_part, shown)
        body = html_text(text).text if body_part.get_content_type() == "text/html" else clean(text)
    else:
        body_from = "no text part"
    attachments, taken = [], set()
    for part, parent in leaves:
        if part is body_part:
            continue
        ctype = part.get_content_type()
        if parent == "multipart/alternative" and ctype in ("text/plain", "text/html") and not _is_attachment(part):
            continue  # the other form of the body
        if ctype == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            content = inner.as_bytes(policy=policy.default) if hasattr(inner, "as_bytes") else b""
            _check_size(shown, part.get_filename() or "attached message", len(content))
        else:
            encoded = part.get_payload()
            if isinstance(encoded, str) and len(encoded) * 3 // 4 > MAX_ATTACHMENT_BYTES:
                _check_size(shown, part.get_filename() or ctype, len(encoded) * 3 // 4)
            try:
                content = part.get_payload(decode=True) or b""
            except Exception as e:  # noqa: BLE001
                raise fail(shown, "email", f"attachment {part.get_filename() or ctype!r} cannot be decoded: {e}")
            _check_size(shown, part.get_filename() or ctype, len(content))
        if not content:
            continue
        attachments.append(_attachment(part.get_filename(), ctype, content, len(attachments) + 1, taken))
    return Message(shown, headers, body, body_from, attachments)


def _is_attachment(part) -> bool:
    return (part.get_content_disposition() == "attachment") or bool(part.get_filename())


def _text_of(part, shown: str) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError, ValueError):
        data = part.get_payload(decode=True) or b""
        return data.decode("utf-8", "replace")


def reader_version(ext: str) -> str:
    """What an e-mail file of this kind is read with (part of its cache key): for a .msg, the
    installed extract-msg too, so that another version reads it again."""
    if ext != "msg":
        return MAIL_FORMAT
    from importlib import metadata

    try:
        return f"{MAIL_FORMAT} extract-msg {metadata.version('extract-msg')}"
    except metadata.PackageNotFoundError:
        return f"{MAIL_FORMAT} extract-msg missing"


def _check_size(shown: str, name: str, size: int):
    if size > MAX_ATTACHMENT_BYTES:
        raise fail(shown, "email", f"refused: attachment {clean(name)!r} is larger than "
                                   f"{MAX_ATTACHMENT_BYTES // 1_000_000} MB (not decoded)")


def _read_msg(path: Path, shown: str) -> Message:
    try:
        import extract_msg
    except ImportError:
        raise fail(shown, "email", "Outlook .msg files need extract-msg: pip install 'casefile[msg]' "
                                   "(or save the message as .eml)")
    try:
        msg = extract_msg.openMsg(str(path), delayAttachments=False)
    except Exception as e:  # noqa: BLE001 - whatever a damaged .msg makes it raise
        raise fail(shown, "email", f"not a readable Outlook message: {type(e).__name__}: {' '.join(str(e).split())[:200]}")
    try:
        values = {"from": msg.sender, "to": msg.to, "cc": msg.cc, "date": msg.date, "subject": msg.subject,
                  "message-id": getattr(msg, "messageId", None)}
        headers = [(label, " ".join(clean(str(values[name])).split())) for label, name in HEADERS
                   if values.get(name) and str(values[name]).strip()]
        body, body_from = clean(msg.body or ""), "the message's plain-text body"
        if not body.strip() and getattr(msg, "htmlBody", None):
            body = html_text(msg.htmlBody.decode("utf-8", "replace")).text
            body_from = "the message's HTML body, as text (nothing fetched; images and remote content not shown)"
        attachments, taken, notices = [], set(), []
        for a in msg.attachments:
            data = getattr(a, "data", None)
            if not isinstance(data, (bytes, bytearray)):
                notices.append(f"an attached Outlook item ({getattr(a, 'longFilename', None) or 'unnamed'}) "
                               f"is not shown: save it as .eml and give it as its own exhibit")
                continue
            _check_size(shown, a.longFilename or a.shortFilename or "attachment", len(data))
            attachments.append(_attachment(a.longFilename or a.shortFilename, getattr(a, "mimetype", None)
                                           or "application/octet-stream", bytes(data), len(attachments) + 1, taken))
    finally:
        msg.close()
    return Message(shown, headers, body, body_from, attachments, notices)


def attachment_hashes(path: Path, name: str, depth: int = 0, max_depth: int = 5) -> dict[str, str]:
    """The SHA-256 of every attachment of an e-mail file, at every level, by the path the dossier
    gives it ("mail.eml › report.pdf", "mail.eml › fwd.eml › photo.png"): what `verify --root`
    checks an attachment's recorded hash against."""
    ext = name.rsplit(".", 1)[-1].lower()
    message = read_message(path, name, ext) if depth == 0 else _read_eml(Path(path).read_bytes(), name)
    out = {}
    for a in message.attachments:
        shown = f"{name} › {a.name}"
        out[shown] = a.sha256
        if a.name.lower().endswith(".eml") and depth + 1 < max_depth:
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=".eml") as f:
                f.write(a.data)
                f.flush()
                try:
                    out.update(attachment_hashes(Path(f.name), shown, depth + 1, max_depth))
                except Exception:  # noqa: BLE001 - what cannot be read is reported as not found
                    pass
    return out
