"""A progress line for long management commands, shown only on a terminal."""

import time

from django.core.management.base import OutputWrapper


class Progress:
    """Rewrites one line ("import 1200/10000") at most ten times a second."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.last = 0.0
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\r{stage} {done}/{total}\x1b[K", ending="")
        self.stream.flush()

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K", ending="")
            self.stream.flush()
            self.shown = False


def progress_for(stream: OutputWrapper, verbosity: int) -> Progress | None:
    return Progress(stream) if verbosity >= 1 and stream.isatty() else None
