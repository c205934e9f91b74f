"""Sign and verify Docker schema1 manifests the way libtrust does, for tests.

``sign_schema1`` reproduces libtrust's ``NewJSONSignature`` + ``Sign`` + ``PrettySignature``
(what skopeo, docker and distribution 2.x run) with ECDSA P-256 keys from ``cryptography``:
the protected header records ``formatLength``/``formatTail``, the signature covers
``protected + "." + base64url(payload)``, and the signatures are spliced in before the final
brace, indented like the payload. ``verify_schema1`` checks such signatures against a payload
that the code under test rebuilt, which proves the rebuilt payload is the signed one.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = ["b64url", "new_key", "sign_schema1", "verify_schema1"]

_SPACE = b" \t\r\n"


def b64url(data: bytes) -> str:
    """libtrust's ``joseBase64UrlEncode``: base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 key, as distribution generates one per start without a key file."""
    return ec.generate_private_key(ec.SECP256R1())


def _key_id(public: ec.EllipticCurvePublicKey) -> str:
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    text = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode().rstrip("=")
    return ":".join(text[i : i + 4] for i in range(0, len(text), 4))


def _jwk(public: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = public.public_numbers()
    return {
        "crv": "P-256",
        "kid": _key_id(public),
        "kty": "EC",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


def _indent_of(payload: bytes) -> str:
    # libtrust's detectJSONIndent
    if len(payload) > 2 and payload[:2] == b"{\n":
        quote = payload[1:].find(b'"')
        if quote > 0:
            return payload[2 : quote + 1].decode()
    return ""


def _format(payload: bytes) -> tuple[int, bytes]:
    # libtrust's NewJSONSignature: the tail is the closing brace and the space around it.
    close = len(payload.rstrip(_SPACE)) - 1
    if payload[close : close + 1] != b"}":
        raise ValueError("payload must end with '}'")
    last = len(payload[:close].rstrip(_SPACE)) - 1
    if payload[last : last + 1] == b",":
        raise ValueError("payload must not end with ','")
    return last + 1, payload[last + 1 :]


def sign_schema1(
    payload: bytes,
    keys: Sequence[ec.EllipticCurvePrivateKey],
    *,
    time: str = "2024-01-01T00:00:00Z",
) -> bytes:
    """The ``v1+prettyjws`` body libtrust makes from *payload* signed by every key in *keys*."""
    json.loads(payload)
    length, tail = _format(payload)
    protected = b64url(
        json.dumps(
            {"formatLength": length, "formatTail": b64url(tail), "time": time},
            separators=(",", ":"),
        ).encode()
    )
    signing_input = f"{protected}.{b64url(payload)}".encode()
    signatures: list[dict[str, Any]] = []
    for key in keys:
        der = key.sign(signing_input, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        signatures.append(
            {
                "header": {"jwk": _jwk(key.public_key()), "alg": "ES256"},
                "signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big")),
                "protected": protected,
            }
        )
    signatures.sort(key=lambda sig: (sig["header"]["jwk"]["kid"], sig["signature"]))
    indent = _indent_of(payload)
    if indent:
        block = json.dumps(signatures, indent=indent).replace("\n", "\n" + indent)
        return payload[:length] + f',\n{indent}"signatures": {block}\n}}'.encode()
    block = json.dumps(signatures, separators=(",", ":"))
    return payload[:length] + f',"signatures":{block}}}'.encode()


def verify_schema1(body: bytes, canonical_payload: bytes) -> int:
    """Verify every ES256 signature in *body* over *canonical_payload*; return how many.

    Raises ``cryptography.exceptions.InvalidSignature`` when one does not verify.
    """
    count = 0
    for sig in json.loads(body)["signatures"]:
        jwk = sig["header"]["jwk"]
        public = ec.EllipticCurvePublicNumbers(
            int.from_bytes(_unb64url(jwk["x"]), "big"),
            int.from_bytes(_unb64url(jwk["y"]), "big"),
            ec.SECP256R1(),
        ).public_key()
        raw = _unb64url(sig["signature"])
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        signing_input = f"{sig['protected']}.{b64url(canonical_payload)}".encode()
        public.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
        count += 1
    return count
