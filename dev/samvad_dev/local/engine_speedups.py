"""Costs of moto 5.2's Step Functions engine that AWS does not have, removed with the same
results.

``install()`` patches moto in this process (``LocalCloud.start`` calls it; importing this
module changes nothing). Found by profiling the demo's escalation stage
(docs/local-runtime.md, "Where the time goes"); each patch is compared with unpatched moto in
``tests/adapters/test_engine_speedups.py``.

- **Definitions** (``_definitions_parsed_once``): moto parses the state machine's definition
  for every execution it starts (ANTLR's Python runtime: ~0.1 s of CPU for the escalation
  machine, a third of the engine's CPU in the demo). The parsed program is now kept, pickled,
  per definition text, and each execution gets a fresh copy of it (unpickled, ~4 ms): no
  component is shared between executions, so nothing one execution leaves in its program
  (a ``heap_key`` made lazily, a ``Result`` object a later state changes) reaches another.
  A definition whose program cannot be pickled is parsed for each execution, as before.
- **JSONPaths** (``_json_paths_parsed_once``): every ``$.…`` a state reads or writes
  (``InputPath``, ``Parameters``' ``.$`` fields, intrinsics' arguments, a Choice's
  ``Variable``, ``ResultPath``) was parsed by ``jsonpath_ng`` each time it was evaluated,
  and each parse builds a PLY parser (~0.4 ms; ~80 per execution of the escalation machine).
  A parsed path is kept by its text: ``jsonpath_ng``'s expressions hold no state (``find``
  and ``update_or_create`` only read them), so one serves every execution.
"""

from __future__ import annotations

import functools
import pickle
import threading
from typing import Any

_INSTALLED = False


def install() -> None:
    """Apply every patch, once per process."""
    global _INSTALLED
    if _INSTALLED:
        return
    _definitions_parsed_once()
    _json_paths_parsed_once()
    _INSTALLED = True


def _definitions_parsed_once() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend import execution_worker

    parse = AmazonStateLanguageParser.parse
    lock = threading.Lock()

    @functools.lru_cache(maxsize=32)
    def pickled(definition: str) -> bytes | None:
        """The parsed program of ``definition``, pickled (None: it cannot be)."""
        program, _tree = parse(definition)
        try:
            return pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None

    class ParsedOnce(AmazonStateLanguageParser):
        """moto's parser, as the execution worker uses it: ``parse(definition)[0]`` is the
        program. The syntax tree, which the worker never reads, is not kept."""

        @staticmethod
        def parse(definition: str) -> tuple[Any, Any]:
            with lock:  # one parse per definition, even when executions start together
                kept = pickled(definition)
            if kept is None:
                return parse(definition)
            return pickle.loads(kept), None

    execution_worker.AmazonStateLanguageParser = ParsedOnce  # type: ignore[misc]


def _json_paths_parsed_once() -> None:
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    json_path.parse = functools.lru_cache(maxsize=4096)(json_path.parse)  # type: ignore[assignment]
    result_path.parse = functools.lru_cache(maxsize=4096)(result_path.parse)  # type: ignore[assignment]
