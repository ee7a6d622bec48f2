"""Sealing of ballots while a vote is open (docs/ballot-secrecy.md).

A ballot is cast in the same transaction as the row saying who took part, so whatever that
transaction writes shares its transaction id, and its place on disk follows the order of casting.
What it writes about the choice is therefore sealed: AES-GCM under a key derived from
``SECRET_KEY``, padded to one length, so a reader of the database without the key sees a blob of
the same size for every choice. The plain ballots are written only when the vote closes, in one
transaction, shuffled, with random ids.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

#: Every sealed ballot and tally is padded to this many bytes before sealing (its length says nothing).
PADDED = 512
NONCE = 12


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"consult:seal:{purpose}".encode(), hashlib.sha256).digest()


def seal(purpose: str, data: dict, context: str) -> bytes:
    """Encrypt ``data`` (JSON) bound to ``context`` (e.g. the vote), padded to a fixed length."""
    plain = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    if len(plain) > PADDED - 2:
        raise ValueError("sealed data too long")
    padded = len(plain).to_bytes(2, "big") + plain + b"\0" * (PADDED - 2 - len(plain))
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(_key(purpose)).encrypt(nonce, padded, context.encode())


def unseal(purpose: str, blob: bytes, context: str) -> dict:
    """Decrypt what ``seal`` made; raises ``cryptography.exceptions.InvalidTag`` if the key or context differ."""
    blob = bytes(blob)
    padded = AESGCM(_key(purpose)).decrypt(blob[:NONCE], blob[NONCE:], context.encode())
    size = int.from_bytes(padded[:2], "big")
    return json.loads(padded[2 : 2 + size])


def mac(label: str) -> str:
    """An HMAC of ``label`` under ``SECRET_KEY``: stable, and meaningless without the key."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, label.encode(), hashlib.sha256).hexdigest()
