"""Photos: only images are taken, and they are re-encoded without EXIF or GPS."""

from __future__ import annotations

import io

import boto3
import pytest
from moto import mock_aws
from PIL import Image

from consult.core import photos
from consult.core.errors import RuleViolation


def picture(kind: str = "JPEG", size=(64, 48), exif: Image.Exif | None = None, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    image = Image.new(mode, size, "teal")
    options = {"exif": exif} if exif is not None else {}
    image.save(out, format=kind, **options)
    return out.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show upright
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 54.0, 20.0)
    gps[3], gps[4] = "E", (116.0, 23.0, 29.0)
    return exif


@pytest.mark.parametrize(("kind", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_photos_are_re_encoded_in_their_own_format(kind, mime):
    photo = photos.clean(picture(kind))
    assert photo.mime == mime
    with Image.open(io.BytesIO(photo.data)) as image:
        assert image.format == kind
        assert (image.width, image.height) == (64, 48)


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_gps_and_exif_are_gone_and_the_photo_is_upright(kind):
    sent = picture(kind, exif=gps_exif())
    with Image.open(io.BytesIO(sent)) as image:
        assert image.getexif().get_ifd(0x8825), "the test photo carries GPS"
    photo = photos.clean(sent)
    with Image.open(io.BytesIO(photo.data)) as image:
        assert not image.getexif()
        assert "exif" not in image.info and "xmp" not in image.info
        assert (image.width, image.height) == (48, 64)  # turned by its orientation, then forgotten
    assert b"PhoneMaker" not in photo.data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a photo", "not a JPEG, PNG or WebP"),
        (b"", "not a JPEG, PNG or WebP"),
        (picture("GIF", mode="P"), "not a JPEG, PNG or WebP"),
        (picture("BMP"), "not a JPEG, PNG or WebP"),
        (picture("JPEG")[:200], "not a JPEG, PNG or WebP"),  # cut off
        (b"\xff\xd8" + b"0" * (photos.MAX_BYTES + 1), "at most 5 MB"),
    ],
    ids=["pdf", "empty", "gif", "bmp", "truncated", "too-big"],
)
def test_what_is_not_a_photo_we_take_is_refused(data, message):
    with pytest.raises(RuleViolation, match=message) as refused:
        photos.clean(data)
    assert refused.value.status == 400 and refused.value.field == "photos"


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = picture("PNG", size=(8000, 6000), mode="1")  # 48 megapixels in a few kilobytes
    assert len(bomb) < photos.MAX_BYTES
    with pytest.raises(RuleViolation, match="too large"):
        photos.clean(bomb)


def test_large_photos_are_scaled_down():
    photo = photos.clean(picture("JPEG", size=(4000, 1000)))
    assert (photo.width, photo.height) == (photos.MAX_SIDE, 640)


def test_folder_store_keeps_photos_by_random_key(tmp_path):
    store = photos.FolderStore(tmp_path / "photos")
    photo = photos.clean(picture())
    key = photo.new_key()
    store.put(key, photo.data, photo.mime)
    assert store.get(key) == photo.data
    assert [p.name for p in (tmp_path / "photos").iterdir()] == [key]
    store.delete(key)
    assert not list((tmp_path / "photos").iterdir())
    with pytest.raises(photos.PhotoMissing):
        store.get(key)
    for bad in ("../secret_key", "x.jpg", f"{'a' * 32}.exe", f"{'a' * 32}.jpg/../../x"):
        with pytest.raises(ValueError):
            store.get(bad)


def test_s3_store_keeps_photos_in_a_bucket():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="consult")
        store = photos.S3Store("consult", "requests/", client=client)
        photo = photos.clean(picture("PNG"))
        key = photo.new_key()
        store.put(key, photo.data, photo.mime)
        assert store.get(key) == photo.data
        head = client.head_object(Bucket="consult", Key=f"requests/{key}")
        assert head["ContentType"] == "image/png"
        store.delete(key)
        assert client.list_objects_v2(Bucket="consult").get("KeyCount") == 0
        with pytest.raises(photos.PhotoMissing):
            store.get(key)


def test_the_setting_chooses_the_store(app, tmp_path):
    with app.app_context():
        app.config["PHOTO_STORE"] = str(tmp_path)
        try:
            assert isinstance(photos.store(), photos.FolderStore)
            app.config["PHOTO_STORE"] = "s3://bucket/prefix"
            with mock_aws():
                s3 = photos.store()
            assert isinstance(s3, photos.S3Store) and (s3.bucket, s3.prefix) == ("bucket", "prefix")
        finally:
            app.config["PHOTO_STORE"] = ""
