"""Failures a client can fix, raised by resolvers and shown to the client as they are."""

from __future__ import annotations


class UserInputError(Exception):
    """An argument the caller sent is not acceptable; ``str()`` says which and why (the schema
    answers it as ``BAD_USER_INPUT``)."""

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


def require_number(value: str, *, name: str = "number", argument: str | None = None) -> None:
    """Refuse a document or item number that cannot be one: BC keeps them as Code[20], 1 to 20
    characters.  ``name`` is the field as the caller sent it; ``argument``, the argument holding
    it (the field itself unless given)."""
    if not 1 <= len(value) <= 20:
        raise UserInputError(f"`{name}` must be 1 to 20 characters", argument=argument or name)
