"""The transcript's plain lines: a question, a note from the app, a progress line."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class Note(Static):
    """A line from the app: help, a confirmation, an error (class "error")."""


class Question(Static):
    def __init__(self, question: str):
        super().__init__(Text.assemble(("› ", "bold"), question))


class Progress(Static):
    """A background job's progress, updated in place."""
