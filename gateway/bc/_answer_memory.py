"""The answers this process keeps decoded, bounded by their rows, least recently used first out.

An answer's rows count once as plain rows and once more for each model they were decoded into
(``StoredAnswer.decoded``): both are held.

Each answer keeps the generations it was read under; whoever takes it out compares them with the
current ones (read from the shared store), so an answer a write invalidated is never served,
whichever replica made the write.
"""

from __future__ import annotations

from collections import OrderedDict

from ._answer_codec import StoredAnswer

__all__ = ["MemoryAnswers"]


class MemoryAnswers:
    def __init__(self, max_rows: int) -> None:
        self._max_rows = max_rows
        # key → (answer, the rows it was counted as when put)
        self._answers: OrderedDict[str, tuple[StoredAnswer, int]] = OrderedDict()
        self._rows = 0

    def get(self, key: str) -> StoredAnswer | None:
        found = self._answers.get(key)
        if found is None:
            return None
        self._answers.move_to_end(key)
        return found[0]

    def put(self, key: str, answer: StoredAnswer) -> None:
        """Keep ``answer`` (again, when it grew: one more model decoded it)."""
        self.discard(key)
        size = _size(answer)
        if size > self._max_rows:
            return  # larger than the whole budget: not kept in memory
        while self._answers and self._rows + size > self._max_rows:
            _, (_, oldest) = self._answers.popitem(last=False)
            self._rows -= oldest
        self._answers[key] = (answer, size)
        self._rows += size

    def holds(self, key: str, answer: StoredAnswer) -> bool:
        found = self._answers.get(key)
        return found is not None and found[0] is answer

    def discard(self, key: str) -> None:
        old = self._answers.pop(key, None)
        if old is not None:
            self._rows -= old[1]

    @property
    def rows(self) -> int:
        return self._rows

    def __len__(self) -> int:
        return len(self._answers)


def _size(answer: StoredAnswer) -> int:
    # An empty answer still takes a place: count it as one row (decoded, it holds no more).
    return max(1, len(answer.rows) * (1 + len(answer.decoded)))
