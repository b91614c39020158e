"""Where stored files live: one small interface, local disk by default, S3 for several machines.

Only :mod:`krsd.storage` talks to a backend; no other module builds a path under
UPLOAD_FOLDER. Keys are the random stored names the database records.
"""

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, Response, current_app, send_file

from krsd.config import ConfigurationError

#: stored names, and the temp files of uploads in progress (".upload-…") for the repair
KEY = re.compile(r"\.?[A-Za-z0-9_-]{1,128}")
KINDS = ("local", "s3")
#: temp files of uploads in progress; a killed upload leaves one behind
TEMP_PREFIX = ".upload-"


@dataclass(frozen=True)
class StoredObject:
    name: str
    #: seconds since the epoch
    modified: float


class Storage(Protocol):
    """A flat set of files under keys; every method takes a key, never a path."""

    def staging_folder(self) -> Path:
        """A folder on this machine's disk where uploads are staged before :meth:`place`."""

    def place(self, key: str, staged: Path) -> None:
        """Store a staged file under ``key``; the staged file is gone afterwards."""

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key``, whole or not at all."""

    def open(self, key: str) -> BinaryIO:
        """The stored file for reading; FileNotFoundError when there is none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is no error."""

    def listing(self) -> Iterator[StoredObject]:
        """Every stored file (and staged upload, where those share the place)."""

    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool) -> Response:
        """A response with the file's content, not cached by the browser."""


def checked_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise ValueError("not a stored file name")
    return key


class LocalDiskStorage:
    """Files in one folder on this machine (UPLOAD_FOLDER/evidence): for one machine only."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / checked_key(key)

    def staging_folder(self) -> Path:
        # The same folder, so that placing is an atomic rename on one file system.
        self.folder.mkdir(parents=True, exist_ok=True)
        return self.folder

    def place(self, key: str, staged: Path) -> None:
        os.replace(staged, self._path(key))

    def put(self, key: str, data: bytes) -> None:
        target = self._path(key)
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".upload-put-{key}")
        with temp.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self) -> Iterator[StoredObject]:
        if not self.folder.is_dir():
            return
        for entry in os.scandir(self.folder):
            try:
                if entry.is_file():
                    yield StoredObject(entry.name, entry.stat().st_mtime)
            except FileNotFoundError:
                continue  # placed or removed meanwhile

    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool) -> Response:
        return send_file(
            self._path(key),
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=0,
        )


def _settings(config) -> tuple:
    kind = (config.get("STORAGE") or "local").lower()
    if kind == "local":
        return (kind, str(config["UPLOAD_FOLDER"]))
    return (
        kind,
        str(config["UPLOAD_FOLDER"]),
        config.get("S3_BUCKET"),
        config.get("S3_PREFIX"),
        config.get("S3_ENDPOINT_URL"),
        config.get("S3_REGION"),
        config.get("S3_ACCESS_KEY_ID"),
        config.get("S3_SECRET_ACCESS_KEY"),
    )


def build(config) -> Storage:
    """The storage the settings name (KRSD_STORAGE); ConfigurationError when they are wrong."""
    kind = (config.get("STORAGE") or "local").lower()
    if kind not in KINDS:
        raise ConfigurationError(f"KRSD_STORAGE moet 'local' of 's3' zijn, niet {kind!r}.")
    uploads = Path(config["UPLOAD_FOLDER"])
    if kind == "local":
        return LocalDiskStorage(uploads / "evidence")
    if not config.get("S3_BUCKET"):
        raise ConfigurationError("KRSD_STORAGE=s3 vraagt om KRSD_S3_BUCKET.")
    # Imported here so that a node on local disk never loads boto3 (a slow import).
    from krsd.storage_s3 import S3Storage

    return S3Storage(
        bucket=config["S3_BUCKET"],
        prefix=config.get("S3_PREFIX") or "",
        staging=uploads / "staging",
        endpoint_url=config.get("S3_ENDPOINT_URL"),
        region=config.get("S3_REGION"),
        access_key_id=config.get("S3_ACCESS_KEY_ID"),
        secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
    )


def configure_storage(app: Flask) -> None:
    """Refuse to start with storage settings that cannot work."""
    app.extensions["krsd_storage"] = (_settings(app.config), build(app.config))


def backend() -> Storage:
    """The app's storage, built again when its settings changed (tests point it elsewhere)."""
    settings = _settings(current_app.config)
    cached = current_app.extensions.get("krsd_storage")
    if cached is None or cached[0] != settings:
        cached = (settings, build(current_app.config))
        current_app.extensions["krsd_storage"] = cached
    return cached[1]
