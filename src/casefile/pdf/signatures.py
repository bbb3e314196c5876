"""Signatures a recipient can check without casefile: PAdES-B-B (pyHanko, offline), added as an
incremental revision, so the dossier as built stays the file's first revision, byte for byte.

`sign` appends the signature; `signatures` reports every signature of a file (who, when,
whether the bytes it covers are intact, whether anything was added after it). pyHanko is an
optional dependency (`pip install casefile[sign]`): without it, signing is refused with one line
and a signed file's signatures are reported as not checked.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from casefile.errors import fail

FIELD_NAME = "casefile-signature"


@dataclass(frozen=True)
class SignatureReport:
    field: str
    signer: str
    signed_at: str  # as the signer's computer reported it (no timestamp authority: PAdES-B-B)
    intact: bool  # the signed bytes are those the signature was made over
    covers_whole_file: bool  # nothing was appended after this signature
    revision_end: int  # bytes of the file this signature covers


def _pyhanko(shown: str):
    try:
        from pyhanko.sign import signers  # noqa: F401
    except ImportError:
        raise fail(shown, "sign", "signing needs pyHanko: pip install 'casefile[sign]' (or pip install pyhanko)")


def sign(pdf: bytes, key_file: Path, passphrase: bytes | None, shown: str, reason: str | None = None) -> bytes:
    """`pdf` with a PAdES-B-B signature appended as an incremental revision, signed with the
    certificate and key of a PKCS#12 file."""
    _pyhanko(shown)
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key_file = Path(key_file)
    if not key_file.is_file():
        raise fail(key_file, "key", "no such key file (a PKCS#12 .p12/.pfx file with the certificate and key)")
    why = "no certificate and key found in it"
    log = logging.getLogger("pyhanko")
    quiet, log.disabled = log.disabled, True  # pyHanko logs the failure; it is reported once, below
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(key_file), passphrase=passphrase)
    except Exception as e:  # noqa: BLE001 - wrong passphrase, not PKCS#12, no key in it
        signer = None
        why = f"{type(e).__name__}: {e}"
    finally:
        log.disabled = quiet
    if signer is None:
        raise fail(key_file, "key", f"cannot read the certificate and key: wrong passphrase or not a PKCS#12 "
                                    f"file ({why})")
    existing = sum(1 for _ in _embedded(pdf))
    meta = signers.PdfSignatureMetadata(field_name=f"{FIELD_NAME}-{existing + 1}", reason=reason,
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = signers.sign_pdf(writer, meta, signer=signer)
    except Exception as e:  # noqa: BLE001 - pyHanko's own errors for a PDF it cannot sign
        raise fail(shown, "sign", f"cannot sign this PDF: {type(e).__name__}: {e}")
    return out.getvalue()


def _embedded(pdf: bytes):
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
    except ImportError:
        return []
    try:
        return list(PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures)
    except Exception:  # noqa: BLE001 - a file pyHanko cannot read has no signature it can report
        return []


def has_signature_bytes(pdf: bytes) -> bool:
    """Does the file look signed (a signature dictionary), whether or not pyHanko is here?"""
    return b"/ByteRange" in pdf and b"/Sig" in pdf


def signatures(pdf: bytes, shown: str) -> list[SignatureReport]:
    """Every signature of the file, checked for integrity (not for trust: no trust list is
    consulted and nothing is fetched; the signer's certificate is named, for the reader to judge)."""
    _pyhanko(shown)
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    out = []
    for sig in _embedded(pdf):
        context = ValidationContext(trust_roots=[], allow_fetching=False)
        try:
            status = validate_pdf_signature(sig, context)
            intact = bool(status.intact)
            whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
            signer = status.signing_cert.subject.human_friendly
            when = status.signer_reported_dt.isoformat() if status.signer_reported_dt else "not stated"
        except Exception as e:  # noqa: BLE001 - a damaged signature is reported as not intact
            intact, whole, signer, when = False, False, f"unreadable ({type(e).__name__})", "not stated"
        byte_range = sig.sig_object.get("/ByteRange")
        end = int(byte_range[2]) + int(byte_range[3]) if byte_range else 0
        out.append(SignatureReport(sig.field_name, signer, when, intact, whole, end))
    return out
