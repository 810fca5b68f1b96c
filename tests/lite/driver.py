"""Run xlwings Lite's main.py the way Lite runs it, in whatever Python this is (Pyodide or CPython).

Jobs come as JSON; each is run through xlwings' own Lite entry points (``custom_scripts_call`` for a
script on an ``xw.Book`` built from the payload, ``custom_functions_call`` for a function), and the
results go back as JSON: the actions a script produced and what it printed, or a function's value.
The same file runs inside Pyodide (tests/lite/run.mjs) and in CPython (tests/test_lite.py), so the two
answers can be compared exactly.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import sys


def _load_main(path: str):
    spec = importlib.util.spec_from_file_location("main", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["main"] = module
    spec.loader.exec_module(module)
    return module


async def run_jobs(main_path: str, jobs: list[dict]) -> dict:
    import threading

    import xlwings as xw
    from xlwings.server import custom_functions_call, custom_functions_meta, custom_scripts_call, custom_scripts_meta

    main = _load_main(main_path)
    results = []
    for job in jobs:
        if job["kind"] == "script":
            book = xw.Book(json=job["payload"])
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                await custom_scripts_call(main, job["name"], typehint_to_value={xw.Book: book})
            results.append({"actions": book.json()["actions"], "printed": printed.getvalue()})
        else:
            data = {
                "func_name": job["name"],
                "args": job["args"],
                "version": xw.__version__,
                "client": "Office.js",
                "runtime": "1.4",
                "culture_info_name": "en-GB",
                "date_format": "dd/mm/yyyy",
            }
            results.append({"value": await custom_functions_call(data, main)})
    return {
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "results": results,
        "functions": custom_functions_meta(main),
        "scripts": custom_scripts_meta(main),
        "modules": sorted(
            m for m in sys.modules if m.split(".")[0] in {"lxml", "multiprocessing", "openpyxl", "jsonschema", "docx"}
        ),
        "threads": threading.active_count(),
    }


if __name__ == "__main__":  # CPython: python driver.py main.py jobs.json
    import asyncio

    with open(sys.argv[2], encoding="utf-8") as handle:
        jobs = json.load(handle)
    print(json.dumps(asyncio.run(run_jobs(sys.argv[1], jobs)), ensure_ascii=False, sort_keys=True))
