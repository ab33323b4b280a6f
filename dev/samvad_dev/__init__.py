"""Samvad's development package: never shipped in the Lambda layer.

- ``samvad_dev.local``: the local runtime (the real handlers against moto, in-process or on
  loopback), ``samvad serve``'s server and the simulated citizens;
- ``samvad_dev.demo``: ``samvad demo``, a synthetic day (or week) end to end;
- ``samvad_dev.bench``: ``samvad bench …``, the benchmarks.

The ``samvad`` CLI imports these lazily, only for the commands that need them.
"""
