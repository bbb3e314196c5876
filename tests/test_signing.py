"""`casefile sign` and `casefile verify` on a signed dossier: a PAdES-B-B signature that pyHanko
(any reader) validates, the dossier as built intact in the file's first revision, and a page
edited after signing reported as a change. The certificate is made here and thrown away."""

from __future__ import annotations

import datetime
import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pypdf import PdfReader, PdfWriter

from conftest import run

pyhanko = pytest.importorskip("pyhanko", reason="make test installs pyHanko (the test extra)")


@pytest.fixture
def key_file(tmp_path):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Advocacy Group (throw-away)"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Advocacy Group")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp_path / "signer.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, None, serialization.BestAvailableEncryption(b"secret")))
    return path, cert


@pytest.fixture
def dossier(workspace):
    workspace.item("s1", body="A statement to be signed.")
    code, out, err = run("build", "--edition", "confidential", root=workspace.path)
    assert code == 0, out + err
    return workspace.path / "out/demo/confidential/alpha.pdf"


def sign(dossier, key_file, monkeypatch, *extra):
    monkeypatch.setenv("CASEFILE_KEY_PASSPHRASE", "secret")
    return run("sign", str(dossier), "--key", str(key_file[0]), *extra)


def test_a_signed_dossier_validates_and_verifies(dossier, key_file, monkeypatch):
    built = dossier.read_bytes()
    code, out, err = sign(dossier, key_file, monkeypatch)
    assert code == 0, out + err
    signed = dossier.read_bytes()
    assert signed.startswith(built) and len(signed) > len(built)  # an incremental revision

    # pyHanko, independently of casefile, with the signer's certificate as the only trust root
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    [sig] = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    from asn1crypto import x509 as asn1_x509

    root = asn1_x509.Certificate.load(key_file[1].public_bytes(serialization.Encoding.DER))
    status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root], allow_fetching=False))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "/ETSI.CAdES.detached" in signed.decode("latin-1")  # PAdES, not the older PKCS#7 subfilter

    code, out, err = run("verify", str(dossier))
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0].startswith(f"ok       {dossier.as_posix()}: demo · alpha · confidential edition")
    assert f"(the first {len(built)} bytes of {len(signed)}: the dossier as built)" in lines[0]
    assert any(l.startswith("signed") and "Test Advocacy Group (throw-away)" in l and ": intact" in l for l in lines)
    assert any("nothing was changed after the last signature" in l for l in lines)


def test_a_page_edited_after_signing_is_a_change(dossier, key_file, monkeypatch):
    assert sign(dossier, key_file, monkeypatch)[0] == 0
    signed = dossier.read_bytes()
    # an incremental update that draws over page 1 (what an editing tool appends)
    w = PdfWriter(io.BytesIO(signed), incremental=True)
    page = w.pages[0]
    page.merge_page(PdfReader(io.BytesIO(_overlay())).pages[0])
    buf = io.BytesIO()
    w.write(buf)
    edited = buf.getvalue()
    assert edited.startswith(signed) and len(edited) > len(signed)
    dossier.write_bytes(edited)
    code, out, err = run("verify", str(dossier))
    assert code == 1, out + err
    assert "bytes were added after the last signature" in out
    assert "the dossier as built is intact" in out


def test_bytes_appended_to_an_unsigned_dossier_are_a_change(dossier):
    data = dossier.read_bytes()
    w = PdfWriter(io.BytesIO(data), incremental=True)
    w.add_metadata({"/Title": "re-titled"})
    buf = io.BytesIO()
    w.write(buf)
    dossier.write_bytes(buf.getvalue())
    code, out, err = run("verify", str(dossier))
    assert code == 1
    assert "bytes were added after casefile wrote it" in out


def test_sign_refuses_a_changed_dossier_and_a_wrong_passphrase(dossier, key_file, monkeypatch):
    original = dossier.read_bytes()
    monkeypatch.setenv("CASEFILE_KEY_PASSPHRASE", "wrong")
    code, out, err = run("sign", str(dossier), "--key", str(key_file[0]))
    assert code == 1
    assert f"{key_file[0]}:0: key: cannot read the certificate and key: wrong passphrase" in err
    assert dossier.read_bytes() == original
    dossier.write_bytes(original + b"% one line added by hand\n")
    code, out, err = sign(dossier, key_file, monkeypatch)
    assert code == 1
    assert "the dossier does not match its manifest" in err


def _overlay() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(100, 100, "ADDED LATER")
    c.save()
    return buf.getvalue()
