"""Build one or more cases of the council corpus into a folder, to open them or run scorecard on them by hand.

    .venv/bin/python tests/council/show.py revenues_ct_profile_pairs [more cases] [--into DIR]

prints, for each case, the workbook's path and the commands the corpus test runs on it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from council.registry import load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+")
    parser.add_argument("--into", type=Path, default=None)
    args = parser.parse_args()
    cases = {case.name: case for case in load()}
    folder = args.into or Path(tempfile.mkdtemp(prefix="council-"))
    folder.mkdir(parents=True, exist_ok=True)
    for name in args.cases:
        case = cases[name]
        book = folder / f"{name}.{case.ext}"
        case.build(book)
        extra = " ".join(f'"{a}"' for a in case.truth.get("args", []))
        print(f"{name} ({case.klass}): {book}")
        print(f"  scorecard narrative {book} --rules {case.rules} --format json {extra}".rstrip())
        print(f"  scorecard check {book} --rules {case.rules} --strict {extra}".rstrip())


if __name__ == "__main__":
    main()
