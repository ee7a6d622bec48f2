"""Photos (request photos, hazard photos): images only, re-encoded so nothing but the pixels is kept, stored by key.

A photo is checked and rewritten before anything is stored: JPEG, PNG or WebP only, at most
5 MB as sent, at most 40 megapixels decoded (a "decompression bomb" is refused), turned upright
by its EXIF orientation and then saved again by Pillow without EXIF, GPS, XMP, ICC or text
chunks, no side over 2,560 px. The stored name is a random key, never the sender's file name.

Where photos live is a setting (``PHOTO_STORE``): a folder (by default ``photos/`` in the
instance folder) or, with ``s3://bucket/prefix``, any S3-compatible store through boto3
(endpoint, region and keys from ``S3_ENDPOINT_URL`` and boto3's usual environment variables).
Photos are served by their domain's views after its own permission check, never as static files.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import Response, abort, current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from consult.config import instance_dir
from consult.core.errors import RuleViolation

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
#: Pillow format -> (mime type, file extension)
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MIME_OF_EXTENSION = {extension: mime for mime, extension in FORMATS.values()}
_KEY = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


@dataclass(frozen=True)
class CleanPhoto:
    """A photo as it will be stored: re-encoded bytes, their type and size in pixels."""

    data: bytes
    mime: str
    extension: str
    width: int
    height: int

    def new_key(self) -> str:
        return f"{secrets.token_hex(16)}.{self.extension}"


def _not_a_photo() -> RuleViolation:
    return RuleViolation(_("That file is not a JPEG, PNG or WebP photo."), field="photos")


def clean(data: bytes) -> CleanPhoto:
    """Check ``data`` and re-encode it; refuses (400) anything that is not a photo we take."""
    if len(data) > MAX_BYTES:
        raise RuleViolation(_("A photo may be at most 5 MB."), field="photos")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in FORMATS:
                raise _not_a_photo()
            if image.width * image.height > MAX_PIXELS:
                raise RuleViolation(_("That photo is too large; please send a smaller one."), field="photos")
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise _not_a_photo() from error
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    if kind == "JPEG" and upright.mode != "RGB":
        upright = upright.convert("RGB")
    elif upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGBA")
    out = io.BytesIO()
    options = {"quality": 85} if kind in ("JPEG", "WEBP") else {"optimize": True}
    upright.save(out, format=kind, **options)  # no exif=, icc_profile= or pnginfo=: none is written
    mime, extension = FORMATS[kind]
    return CleanPhoto(out.getvalue(), mime, extension, upright.width, upright.height)


def clean_all(photos: Sequence[bytes], limit: int) -> list[CleanPhoto]:
    """Check and re-encode a report's (or a resolution's) photos, all of them before anything is written."""
    if len(photos) > limit:
        raise RuleViolation(_("Send at most %(count)d photos.", count=limit), field="photos")
    return [clean(data) for data in photos]


class PhotoMissing(LookupError):
    """The store has no photo under that key (lost, or removed by hand): the page shows 404."""


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes, mime: str) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


def _checked(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a photo key: {key!r}")
    return key


class FolderStore:
    """Photos as files in one folder (readable by the site's user only)."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, key: str, data: bytes, mime: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, self.root / _checked(key))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return (self.root / _checked(key)).read_bytes()
        except FileNotFoundError as missing:
            raise PhotoMissing(key) from missing

    def delete(self, key: str) -> None:
        (self.root / _checked(key)).unlink(missing_ok=True)


class S3Store:
    """Photos in an S3-compatible bucket (AWS, MinIO, Ceph, a cloud's object storage)."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client=None):
        import boto3  # noqa: PLC0415  (only loaded when photos go to a bucket)

        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{_checked(key)}" if self.prefix else _checked(key)

    def put(self, key: str, data: bytes, mime: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=data, ContentType=mime)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"].read()
        except self.client.exceptions.NoSuchKey as missing:
            raise PhotoMissing(key) from missing

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))


def store() -> PhotoStore:
    """The configured store: ``PHOTO_STORE`` = a folder path (default: instance/photos) or s3://bucket/prefix."""
    setting = current_app.config.get("PHOTO_STORE") or ""
    if setting.startswith("s3://"):
        bucket, _slash, prefix = setting.removeprefix("s3://").partition("/")
        return S3Store(bucket, prefix, current_app.config.get("S3_ENDPOINT_URL"))
    return FolderStore(Path(setting) if setting else instance_dir() / "photos")


def response(key: str, mime: str) -> Response:
    """A stored photo as a private response, for a view that has already checked who may see it
    (404 when the file is gone)."""
    try:
        data = store().get(key)
    except PhotoMissing:
        abort(404)
    served = Response(data, mimetype=mime)
    served.headers["Cache-Control"] = "private, max-age=3600"
    served.headers["Content-Disposition"] = "inline"
    return served
