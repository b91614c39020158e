"""Evidence files: staged before the transaction, stored under random names, checked by hash.

Every file goes through the storage backend (:mod:`krsd.storage_backends`): local disk by
default, an S3-compatible bucket with KRSD_STORAGE=s3. Callers name files by their stored
name only; no caller builds a path.
"""

import hashlib
import os
import re
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Response, current_app

from krsd.file_types import sniff
from krsd.storage_backends import TEMP_PREFIX, backend

CHUNK = 64 * 1024
STORED_NAME = re.compile(r"[A-Za-z0-9_-]{20,64}")


class EvidenceRejected(Exception):
    """An upload that is not accepted; the message is Dutch."""


@dataclass(frozen=True)
class StagedFile:
    """An upload checked and written to a temp file on this machine, not yet placed."""

    temp_path: Path
    label: str
    kind: str
    size: int
    sha256: str


def _name(stored_name: str) -> str:
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError("not a stored evidence name")
    return stored_name


def sanitise_label(filename: str | None) -> str:
    """A display label from an uploaded name: no folders, no control characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:160] or "bewijsstuk"


@contextmanager
def staged(uploads) -> Iterator[list[StagedFile]]:
    """Check and write every chosen file to a temp file; the temp files are gone afterwards.

    Call it before the database work, so that no lock is held while files are read: the
    service then moves the staged files into place with :func:`place`. Whatever is not
    placed (a refused file, a failed transaction) is removed when the block ends.
    """
    max_bytes = current_app.config["MAX_UPLOAD_BYTES"]
    max_files = current_app.config["MAX_FILES_PER_REQUEST"]
    uploads = [u for u in uploads if u and u.filename]
    if len(uploads) > max_files:
        raise EvidenceRejected(
            f"Kies hoogstens {max_files} bestanden tegelijk; u koos er {len(uploads)}."
        )
    files: list[StagedFile] = []
    try:
        for upload in uploads:
            files.append(_stage(upload, max_bytes))
        yield files
    finally:
        for staged_file in files:
            staged_file.temp_path.unlink(missing_ok=True)


def _stage(upload, max_bytes: int) -> StagedFile:
    """Write an upload to a temp file, hash and sniff it; refused files leave nothing."""
    label = sanitise_label(upload.filename)
    digest = hashlib.sha256()
    size = 0
    fd, temp_name = tempfile.mkstemp(dir=backend().staging_folder(), prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "w+b") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceRejected(
                        f"{label} is groter dan {max_bytes // (1024 * 1024)} MB."
                    )
                digest.update(chunk)
                out.write(chunk)
            if size == 0:
                raise EvidenceRejected(f"{label} is leeg.")
            out.flush()
            os.fsync(out.fileno())
            out.seek(0)
            kind = sniff(out.read(16), out)
        if kind is None:
            raise EvidenceRejected(f"{label} is geen PDF, PNG, JPEG, DOCX of ODT-bestand.")
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return StagedFile(Path(temp_name), label, kind, size, digest.hexdigest())


def place(staged_file: StagedFile) -> str:
    """Store a staged file under a new random name; returns that name."""
    stored_name = secrets.token_urlsafe(24)
    backend().place(stored_name, staged_file.temp_path)
    return stored_name


def remove(stored_names: Iterable[str]) -> None:
    store = backend()
    for name in stored_names:
        store.delete(_name(name))


def exists(stored_name: str) -> bool:
    return backend().exists(_name(stored_name))


def open_stored(stored_name: str) -> BinaryIO:
    """A stored file for reading; FileNotFoundError when it is gone."""
    return backend().open(_name(stored_name))


def put(stored_name: str, data: bytes) -> None:
    """Store bytes under a name (tests and repairs; uploads go through staged/place)."""
    backend().put(_name(stored_name), data)


def send(stored_name: str, *, mimetype: str, download_name: str, as_attachment: bool) -> Response:
    """The file as a response; check :func:`exists` first for a 404."""
    return backend().send(
        _name(stored_name),
        mimetype=mimetype,
        download_name=download_name,
        as_attachment=as_attachment,
    )


def file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return stream_hash(handle)


def stream_hash(handle: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StorageReport:
    missing: list[str]
    corrupt: list[str]
    orphaned: list[str]


def check(records: list[tuple[str, str]]) -> StorageReport:
    """Compare (stored_name, sha256) records with the stored files."""
    store = backend()
    known = dict(records)
    present = {item.name for item in store.listing()}
    missing, corrupt = [], []
    for name, digest in sorted(known.items()):
        if name not in present:
            missing.append(name)
            continue
        try:
            with store.open(name) as handle:
                if stream_hash(handle) != digest:
                    corrupt.append(name)
        except FileNotFoundError:
            missing.append(name)  # removed since the listing
    orphaned = sorted(present - known.keys())
    return StorageReport(missing, corrupt, orphaned)


#: an orphan younger than this may belong to an upload still in progress
ORPHAN_GRACE_SECONDS = 3600


def remove_orphans(orphaned: list[str], grace_seconds: int = ORPHAN_GRACE_SECONDS) -> list[str]:
    """Remove the orphaned files older than ``grace_seconds``; returns the names removed."""
    store = backend()
    cutoff = time.time() - grace_seconds
    wanted = set(orphaned)
    removed = []
    # Ages from a fresh listing: a file placed or removed since the check is not touched.
    for item in sorted(store.listing(), key=lambda item: item.name):
        if item.name in wanted and item.modified < cutoff:
            store.delete(item.name)
            removed.append(item.name)
    return removed
