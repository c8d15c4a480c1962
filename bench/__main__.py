"""Run every benchmark script in bench/ one after another (`make bench`).

Each script measures its own baseline in the same run (the machine is shared and noisy,
so only ratios are comparable); bench/RESULTS.md keeps the recorded numbers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench._inputs import NEEDS_INPUTS, Arguments


def main() -> int:
    here = Path(__file__).parent
    scripts = sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))
    given = Arguments(sys.argv[1:], "python -m bench [SCRIPT …]", __doc__)
    names = given.positional() or scripts
    for name in names:
        if name not in scripts:
            given.refuse(f"no bench script {name!r}; there are {', '.join(scripts)}")
    failed, not_run = [], []
    for name in names:
        print(f"== bench.{name}", flush=True)
        status = subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode
        if status == NEEDS_INPUTS:
            not_run.append(name)
        elif status:
            failed.append(name)
    if not_run:
        print(f"not run (they measure inputs you name): {', '.join(not_run)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
