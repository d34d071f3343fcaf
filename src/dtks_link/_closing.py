"""A base for objects that hold a resource until :meth:`close`, and close it at the end of a
``with`` block (the registry, the service client)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

__all__ = ["Closing"]


class Closing(ABC):
    """``with obj:`` returns ``obj`` and calls ``obj.close()`` when the block ends, even on error."""

    @abstractmethod
    def close(self) -> None:
        """Release what the object holds (a connection, a file)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
