"""Python's full garbage collections, moved out of the way of the keyboard.

A full collection walks every tracked object. With torch, the catalog and Textual's
render caches alive, that takes 0.1-0.3 s: long enough to feel a key stick while moving
through the results. So the objects that live for the whole session are frozen out of
its reach once the warm-up is done, and the full collections Python would start on its
own wait until nobody has touched a key or the mouse for half a second, or until
twenty of them are due (some forty rows of holding a key down), which bounds the
memory the garbage takes and the pause that collects it. The young generations are still
collected as usual (about a millisecond each).
"""

from __future__ import annotations

import gc
import time

HELD_BACK = 1 << 30  # a generation-2 threshold Python never reaches
OVERDUE = 20  # full collections due before one runs even while keys are pressed


class IdleCollector:
    def __init__(self, idle: float = 0.5):
        self.idle = idle
        self.last_input = time.monotonic()
        self.saved: tuple[int, ...] | None = None

    def start(self) -> None:
        self.saved = gc.get_threshold()
        gc.set_threshold(self.saved[0], self.saved[1], HELD_BACK)

    def freeze(self) -> None:
        """What exists now (modules, model, catalog) stays for the session: out of every collection."""
        gc.freeze()

    def touched(self) -> None:
        self.last_input = time.monotonic()

    def tick(self) -> bool:
        """Run the full collection Python would have run by now, if the user is idle
        (or if it is long overdue)."""
        if self.saved is None:
            return False
        pending = gc.get_count()[2] / max(1, self.saved[2])
        idle = time.monotonic() - self.last_input >= self.idle
        if (pending >= 1 and idle) or pending >= OVERDUE:
            gc.collect()
            return True
        return False

    def stop(self) -> None:
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None
        gc.unfreeze()  # so that what was frozen is released at exit like everything else
