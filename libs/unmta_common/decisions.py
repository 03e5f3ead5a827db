"""Refusals a domain method can decide: they become 404 / 409 / 422 answers."""

from __future__ import annotations

Errors = dict[str, list[str]]


class Rejected(Exception):
    def __init__(self, status: int, message: str, errors: Errors | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors

    def body(self) -> dict:
        return {"message": self.message} if self.errors is None else {"message": self.message, "errors": self.errors}


def invalid(errors: Errors) -> Rejected:
    """422 with the contract's shape: the first message, and every message by field."""
    first = next(iter(errors.values()))[0]
    return Rejected(422, first, errors)


def not_found() -> Rejected:
    return Rejected(404, "Not Found")


def check(errors: Errors) -> None:
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise invalid(errors)
