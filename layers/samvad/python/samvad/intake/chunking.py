"""When an upload is too big for one Lambda, and how its chunks are laid out in S3.

Pure values, no I/O: the intake handler asks ``Chunking.wanted`` with the object's size (from
its S3 event), the splitter asks ``chunks_for`` how many visit-key partitions to make.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from dataclasses import dataclass

from samvad import resources

BYTES_PER_ROW = 64
"""A deliberately low estimate of a row's size (the synthetic CSV averages ~75 bytes, an
XLSX row compresses to ~30): a low estimate makes more, smaller chunks, never fewer."""
MAX_CHUNKS = 1_000
DEFAULT_ROWS_PER_CHUNK = 100_000
"""About 50 s of writes at 2,000 rows/s: well inside an Express child's 5-minute limit."""
DEFAULT_THRESHOLD_BYTES = 64 * 1024 * 1024
"""~1 million rows: above this an upload goes the chunked way (split → map → reduce)."""


@dataclass(frozen=True)
class Chunking:
    """``threshold_bytes``: uploads at least this big are chunked; ``rows_per_chunk``: the
    target size of a chunk; ``chunks``: a fixed number of chunks instead (tests)."""

    threshold_bytes: int = DEFAULT_THRESHOLD_BYTES
    rows_per_chunk: int = DEFAULT_ROWS_PER_CHUNK
    chunks: int | None = None

    @classmethod
    def for_rows(cls, chunk_rows: int, chunks: int | None = None) -> Chunking:
        """``--chunk-rows N``: files of more than about N rows go in chunks of about N rows."""
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        return cls(
            threshold_bytes=chunk_rows * BYTES_PER_ROW, rows_per_chunk=chunk_rows, chunks=chunks
        )

    def wanted(self, size: int | None) -> bool:
        return size is not None and size > 0 and size >= self.threshold_bytes

    def chunks_for(self, size: int | None) -> int:
        if self.chunks is not None:
            return self.chunks
        estimated_rows = (size or 0) / BYTES_PER_ROW
        return max(1, min(MAX_CHUNKS, math.ceil(estimated_rows / self.rows_per_chunk)))

    def as_dict(self) -> dict:
        return {
            "threshold_bytes": self.threshold_bytes,
            "rows_per_chunk": self.rows_per_chunk,
            "chunks": self.chunks,
        }


def chunk_of(visit_key: str, chunks: int) -> int:
    """The chunk a visit key belongs to: stable across processes (unlike ``hash``)."""
    return zlib.crc32(visit_key.encode()) % chunks


@dataclass(frozen=True)
class ChunkLayout:
    """Where one upload's chunked intake keeps its working objects (under ``intake-chunks/``).

    The upload id (``bucket/key#version``) is hashed into the prefix: it holds ``/`` and ``#``.
    """

    upload_id: str

    @property
    def prefix(self) -> str:
        digest = hashlib.sha256(self.upload_id.encode()).hexdigest()[:32]
        return f"{resources.INTAKE_CHUNKS_PREFIX}{digest}/"

    @property
    def manifest(self) -> str:
        return f"{self.prefix}manifest.json"

    @property
    def items(self) -> str:
        """The JSON array of chunks that the Distributed Map's ItemReader reads."""
        return f"{self.prefix}chunks.json"

    @property
    def rejects(self) -> str:
        return f"{self.prefix}rejects.csv"

    def chunk(self, n: int) -> str:
        return f"{self.prefix}{n:05d}.jsonl"

    def result(self, n: int) -> str:
        return f"{self.prefix}{n:05d}.result.json"
