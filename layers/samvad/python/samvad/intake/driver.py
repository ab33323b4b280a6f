"""The chunked intake driven in-process: the same split, chunk and reduce code as on Step
Functions, one chunk after another. Used locally (``samvad intake FILE --chunk-rows N``), in
tests and in the benchmark, whenever an upload crosses the chunking threshold."""

from __future__ import annotations

import json

from samvad.intake.chunk import ingest_chunk
from samvad.intake.chunking import Chunking
from samvad.intake.reduce import reduce
from samvad.intake.service import IntakePorts, Upload
from samvad.intake.split import split


class InProcessChunks:
    def __init__(self, ports: IntakePorts) -> None:
        self._ports = ports

    def start(self, upload: Upload, chunking: Chunking) -> dict:
        reference = split(upload, self._ports, chunking)
        listed = self._ports.objects.find(upload.bucket, reference["items_key"])
        if listed is None:
            raise RuntimeError(f"the split wrote no chunk list at {reference['items_key']}")
        items = json.loads(listed)
        for item in items:
            ingest_chunk(item, self._ports)
        return reduce(upload, self._ports)
