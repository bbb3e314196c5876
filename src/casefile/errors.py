"""The one error type: every problem of a run, each as ``path:line: field: message``."""

from __future__ import annotations

from dataclasses import dataclass

# exit codes of every command
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_IO, EXIT_INTERNAL = 0, 1, 2, 3, 70


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class CaseError(Exception):
    """Raised with every problem found; the CLI prints them and exits non-zero."""

    def __init__(self, problems: list[Problem], exit_code: int = 1):
        self.problems = sorted(set(problems))
        self.exit_code = exit_code
        super().__init__(self.report())

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        n = len(self.problems)
        lines.append(f"{n} problem{'s' if n != 1 else ''} found")
        return "\n".join(lines)


def fail(path: str, field: str, message: str, line: int = 0, exit_code: int = 1) -> CaseError:
    """A CaseError with a single problem (for errors found outside loading)."""
    return CaseError([Problem(str(path), line, field, message)], exit_code)
