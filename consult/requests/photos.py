"""Request photos: the checks and the store moved to ``consult.core.photos`` when the hazard ledger
(safety) began to take photos too; this name stays for the requests domain and its tests."""

from consult.core.photos import (
    FORMATS,
    MAX_BYTES,
    MAX_PIXELS,
    MAX_SIDE,
    MIME_OF_EXTENSION,
    CleanPhoto,
    FolderStore,
    PhotoMissing,
    PhotoStore,
    S3Store,
    clean,
    clean_all,
    store,
)

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "MIME_OF_EXTENSION",
    "CleanPhoto",
    "FolderStore",
    "PhotoMissing",
    "PhotoStore",
    "S3Store",
    "clean",
    "clean_all",
    "store",
]
