"""Failures a client can fix, raised by resolvers and shown to the client as they are."""

from __future__ import annotations


class UserInputError(Exception):
    """An argument the caller sent is not acceptable; ``str()`` says which and why (the schema
    answers it as ``BAD_USER_INPUT``)."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument
