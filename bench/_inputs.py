"""Benchmarks of a store or a server the caller names.

`make bench` runs every script bare; those that measure given inputs cannot invent them,
so bare they say what they need and exit with `NEEDS_INPUTS`, which the runner reports as
not run rather than as failed. Scripts that read their arguments by hand (`Arguments`)
refuse what they cannot use with a message and `BAD_ARGUMENTS`, as argparse does, rather
than a traceback, or worse, by taking an option for a HOME to measure.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

#: The exit status of a script run without the inputs it measures.
NEEDS_INPUTS = 3
#: The exit status of a script given arguments it cannot use (argparse's).
BAD_ARGUMENTS = 2


def answer_help(arguments: Sequence[str], usage: str, about: str | None) -> None:
    """Print `about` (the script's docstring) and the usage line for `-h`/`--help`, and exit:
    a script reading its arguments by position would take the option for a HOME."""
    if {"-h", "--help"} & set(arguments):
        print(f"{(about or '').strip()}\n\nusage: {usage}")
        raise SystemExit(0)


def require(arguments: Sequence[str], usage: str) -> None:
    """Exit with `NEEDS_INPUTS` and the usage line when no inputs were given."""
    if not arguments:
        print(f"not run: it needs its inputs; usage: {usage}")
        raise SystemExit(NEEDS_INPUTS)


def whole_number(text: str) -> int:
    """`text` as a whole number of 1 or more (a count of issues, rounds, ...); an argparse
    `type`, whose ValueError argparse turns into its usage and a message."""
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


class Arguments:
    """A script's command line read by hand: `-h`/`--help` answered at once, options taken
    out by name, then what is left is the positional arguments (`positional`)."""

    def __init__(self, arguments: Sequence[str], usage: str, about: str | None) -> None:
        answer_help(arguments, usage, about)
        self._left = list(arguments)
        self._usage = usage

    def refuse(self, problem: str) -> NoReturn:
        """End the script: `problem` and the usage line on stderr, `BAD_ARGUMENTS`."""
        print(f"{problem}\nusage: {self._usage}", file=sys.stderr)
        raise SystemExit(BAD_ARGUMENTS)

    def flag(self, name: str) -> bool:
        """Whether option `name` (one without a value) was given."""
        if name not in self._left:
            return False
        self._left.remove(name)
        return True

    def value(self, name: str) -> str | None:
        """The value given after option `name`, None if it was not given."""
        if name not in self._left:
            return None
        at = self._left.index(name)
        if at + 1 == len(self._left) or self._left[at + 1].startswith("-"):
            self.refuse(f"{name} needs a value")
        value = self._left[at + 1]
        del self._left[at : at + 2]
        return value

    def count(self, name: str, default: int) -> int:
        """The whole number (1 or more) given after option `name`, else `default`."""
        text = self.value(name)
        return default if text is None else self.whole_number(text, name)

    def choice(self, name: str, choices: Sequence[str], default: str) -> str:
        """The value given after option `name`, one of `choices`, else `default`: a value
        the product would refuse only later (once a server started) is refused here."""
        text = self.value(name)
        if text is None:
            return default
        if text not in choices:
            self.refuse(f"{name} must be one of {', '.join(choices)}, not {text!r}")
        return text

    def whole_number(self, text: str, what: str) -> int:
        """`text` as a whole number of 1 or more; `what` names it in the refusal."""
        try:
            return whole_number(text)
        except ValueError:
            self.refuse(f"{what} must be a whole number of 1 or more, not {text!r}")

    def positional(self, *, needed: bool = False, at_most: int | None = None) -> list[str]:
        """The arguments left once every option was taken: none may look like an option,
        at most `at_most` of them; `needed`: none is `NEEDS_INPUTS` (`require`)."""
        for argument in self._left:
            if argument.startswith("-"):
                self.refuse(f"unknown option {argument}")
        if at_most is not None and len(self._left) > at_most:
            self.refuse(f"unexpected argument {self._left[at_most]!r}")
        if needed:
            require(self._left, self._usage)
        return self._left
