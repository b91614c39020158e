"""Evidence files on disk: random names, written whole or not at all, checked by hash."""

import hashlib
import os
import re
import secrets
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from krsd.file_types import sniff

CHUNK = 64 * 1024
#: temp files of uploads in progress; a killed upload leaves one behind
TEMP_PREFIX = ".upload-"


class EvidenceRejected(Exception):
    """An upload that is not accepted; the message is Dutch."""


@dataclass(frozen=True)
class StagedFile:
    """An upload checked and written to a temp file in the evidence folder, not yet placed."""

    temp_path: Path
    label: str
    kind: str
    size: int
    sha256: str


def evidence_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", stored_name):
        raise ValueError("not a stored evidence name")
    return evidence_folder() / stored_name


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
    fd, temp_name = tempfile.mkstemp(dir=evidence_folder(), prefix=TEMP_PREFIX)
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
    """Move a staged file to its random name; returns that name."""
    stored_name = secrets.token_urlsafe(24)
    os.replace(staged_file.temp_path, evidence_folder() / stored_name)
    return stored_name


def remove(stored_names) -> None:
    for name in stored_names:
        path_of(name).unlink(missing_ok=True)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StorageReport:
    missing: list[str]
    corrupt: list[str]
    orphaned: list[str]


def check(records: list[tuple[str, str]]) -> StorageReport:
    """Compare (stored_name, sha256) records with the files on disk."""
    folder = evidence_folder()
    known = dict(records)
    missing, corrupt = [], []
    for name, digest in sorted(known.items()):
        path = folder / name
        if not path.exists():
            missing.append(name)
        elif file_hash(path) != digest:
            corrupt.append(name)
    orphaned = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in known)
    return StorageReport(missing, corrupt, orphaned)


#: an orphan younger than this may belong to an upload still in progress
ORPHAN_GRACE_SECONDS = 3600


def remove_orphans(orphaned: list[str], grace_seconds: int = ORPHAN_GRACE_SECONDS) -> list[str]:
    """Remove the orphaned files older than ``grace_seconds``; returns the names removed."""
    folder = evidence_folder()
    cutoff = time.time() - grace_seconds
    removed = []
    for name in orphaned:
        path = folder / name
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(name)
        except FileNotFoundError:
            continue  # gone meanwhile: placed or removed by its own request
    return removed
