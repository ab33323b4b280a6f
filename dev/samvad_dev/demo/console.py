"""What ``samvad demo`` shows while it runs: one line per finished stage, a progress bar
for each long one (tqdm; only on a terminal), and nothing when there is nowhere to write."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TextIO

from tqdm import tqdm

Update = Callable[[int], None]


class Console:
    """``stream`` None: silent (the tests). ``bars``: draw progress bars on ``stream``."""

    def __init__(self, stream: TextIO | None = None, bars: bool = False) -> None:
        self.stream = stream
        self.bars = bars and stream is not None

    def say(self, message: str) -> None:
        if self.stream is not None:
            tqdm.write(message, file=self.stream)

    @contextlib.contextmanager
    def bar(self, description: str, total: int, unit: str) -> Iterator[Update]:
        """A bar for a stage; the context yields ``update(done)`` (an absolute count)."""
        if not self.bars:
            yield lambda done: None
            return
        with tqdm(
            total=total, desc=description, unit=unit, file=self.stream, leave=False, ncols=100
        ) as progress:

            def update(done: int) -> None:
                if done > progress.n:
                    progress.update(done - progress.n)

            yield update
