"""`casefile sign`: add a PAdES-B-B signature to a built dossier, as an incremental revision
(the dossier as built stays the file's first revision, which `casefile verify` checks). Only a
dossier that still matches its manifest is signed."""

from __future__ import annotations

import os
from pathlib import Path

from casefile.commands.verify import verify
from casefile.errors import fail
from casefile.output.atomic import atomic_write
from casefile.pdf.signatures import sign as sign_pdf

PASSPHRASE_ENV = "CASEFILE_KEY_PASSPHRASE"


def sign(dossier: Path, key: Path, out: Path | None, passphrase_file: Path | None, reason: str | None,
         report=print) -> Path:
    dossier = Path(dossier)
    shown = dossier.as_posix()
    notes: list[str] = []
    if verify(dossier, None, report=notes.append):
        for line in notes:
            if not line.startswith(("ok", "note")):
                report(line)
        raise fail(shown, "sign", "the dossier does not match its manifest: only a dossier as built (or "
                                  "already signed, unchanged) is signed; build it again")
    if passphrase_file is not None:
        try:
            passphrase = Path(passphrase_file).read_bytes().rstrip(b"\r\n")
        except OSError as e:
            raise fail(passphrase_file, "passphrase", f"cannot read: {e.strerror or e}")
    else:
        value = os.environ.get(PASSPHRASE_ENV)
        passphrase = value.encode() if value is not None else None
    original = dossier.read_bytes()
    signed = sign_pdf(original, Path(key), passphrase, shown, reason)
    target = Path(out) if out else dossier
    atomic_write(target, signed)
    report(f"{target}: signed with {key} (PAdES-B-B, added as an incremental revision: the file's first "
           f"{len(original)} bytes are unchanged)")
    return target
