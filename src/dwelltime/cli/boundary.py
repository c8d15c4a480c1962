"""The CLI's one error boundary: an expected failure is one line on stderr and a non-zero
exit, never a traceback.

Commands still report what they can say best themselves (a rejected file, bad report
parameters); this catches what escapes them: files that cannot be written, a database
that is locked or unreachable, input Python cannot even parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import typer

from dwelltime.errors import DwelltimeError

#: Exit code of a failure the user can fix (bad input, a file system or database problem).
FAILED = 1
#: Exit code of a bug (sysexits' EX_SOFTWARE): still one line, but worth reporting.
BUG = 70


@contextmanager
def errors_as_messages() -> Iterator[None]:
    try:
        yield
    except DwelltimeError as error:
        _exit(FAILED, " ".join([error.message, *(error.messages or [])]))
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        _exit(FAILED, f"{where}{error.strerror or error}")
    except sa.exc.OperationalError as error:
        _exit(FAILED, f"the database cannot be used right now ({error.orig}); try again")
    except RecursionError:
        _exit(FAILED, "the input is nested too deeply to be processed")
    except KeyboardInterrupt:
        _exit(130, "interrupted")
    except Exception as error:
        _exit(BUG, f"unexpected {type(error).__name__}: {error} (a bug: please report it)")


def _exit(code: int, message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise SystemExit(code)
