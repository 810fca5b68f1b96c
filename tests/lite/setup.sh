#!/usr/bin/env bash
# Everything the Pyodide test needs, in one cache folder (default build/lite), fetched once:
#   - the Pyodide runtime from npm (pyodide@0.29.5: Python 3.13 compiled to WebAssembly);
#   - a package index (index/, PEP 503 pages) holding the pure-Python wheels PyPI gives Lite for what
#     scorecard depends on (xlwings), with the versions installed here, so Pyodide and CPython run the
#     same library code; micropip resolves scorecard's dependencies against it as Lite does against PyPI;
#   - a lock file (lock/pyodide-lock.json): Pyodide's own, with its PyYAML entry pointing at a pure PyYAML
#     wheel built from the sdist (Pyodide's compiled one is on its CDN, not reachable offline), so PyYAML
#     is found the way Lite finds it: in Pyodide's repository. Every other entry (lxml, pandas ...) still
#     names a file that is not here, so a dependency Lite should not need fails the install;
#   - scorecard's own wheel, rebuilt whenever its sources change.
# A second run finds everything in place and only rebuilds scorecard's wheel if needed, offline.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${1:-$ROOT/build/lite}"
PYTHON="${PYTHON:-python3}"
PYODIDE_VERSION=0.29.5
PY_VERSION=3.13
STAMP="$CACHE/wheels/.done-resolved"  # the layout with an index and a lock file
mkdir -p "$CACHE/wheels" "$CACHE/own"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "lite setup: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 3
fi

if [ ! -f "$CACHE/node_modules/pyodide/package.json" ]; then
  npm install --silent --no-audit --no-fund --prefix "$CACHE" "pyodide@$PYODIDE_VERSION" >&2
fi

version() {  # the version installed in this Python, so both sides run the same code
  "$PYTHON" -c "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))" "$1" 2>/dev/null || true
}

PURE=(xlwings)  # what PyPI serves Lite for scorecard's dependencies on emscripten, PyYAML aside
if [ ! -f "$STAMP" ]; then
  rm -rf "$CACHE/wheels" "$CACHE/index" "$CACHE/lock" "$CACHE/stubs" && mkdir -p "$CACHE/wheels"
  specs=()
  for name in "${PURE[@]}"; do
    v="$(version "$name")"
    specs+=("$name${v:+==$v}")
  done
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --python-version "$PY_VERSION" \
    --implementation py --platform any --dest "$CACHE/wheels" "${specs[@]}" micropip >&2
  # PyYAML: a pure wheel from the sdist (no libyaml), the same version as here
  v="$(version PyYAML)"
  rm -rf "$CACHE/sdist" && mkdir -p "$CACHE/sdist"
  "$PYTHON" -m pip download --quiet --no-deps --no-binary=pyyaml --dest "$CACHE/sdist" "pyyaml${v:+==$v}" >&2
  PYYAML_FORCE_LIBYAML=0 "$PYTHON" -m pip wheel --quiet --no-deps --no-binary=pyyaml --wheel-dir "$CACHE/sdist" "$CACHE"/sdist/*.tar.gz >&2
  mkdir -p "$CACHE/lock"
  "$PYTHON" - "$CACHE" <<'PY'
# Re-tag PyYAML's wheel as pure (py3-none-any) when the build left a platform tag on it (with libyaml
# off it holds only Python files), put it in the lock folder, and make Pyodide's lock file name it.
import hashlib, json, pathlib, sys, zipfile
cache = pathlib.Path(sys.argv[1])
built = next(cache.glob("sdist/*.whl"))
with zipfile.ZipFile(built) as z:
    assert not [n for n in z.namelist() if n.endswith((".so", ".pyd"))], "PyYAML built with its C extension"
    name = built.name.split("-")
    target = cache / "lock" / f"{name[0]}-{name[1]}-py3-none-any.whl"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in z.infolist():
            data = z.read(info)
            if info.filename.endswith(".dist-info/WHEEL"):
                data = b"".join(b"Tag: py3-none-any\n" if l.startswith(b"Tag:") else l + b"\n"
                                for l in data.splitlines() if l) + b"\n"
                data = data.replace(b"Root-Is-Purelib: false", b"Root-Is-Purelib: true")
            if info.filename.endswith(".dist-info/RECORD"):
                data = b""
            out.writestr(info.filename, data)
lock = json.loads((cache / "node_modules/pyodide/pyodide-lock.json").read_text("utf-8"))
lock["packages"]["pyyaml"].update(
    file_name=target.name, version=name[1], imports=["yaml"], sha256=hashlib.sha256(target.read_bytes()).hexdigest()
)
(cache / "lock" / "pyodide-lock.json").write_text(json.dumps(lock), "utf-8")
# The index: one PEP 503 page per project, linking to its wheel with its hash
for wheel in sorted((cache / "wheels").glob("*.whl")):
    project = wheel.name.split("-")[0].lower().replace("_", "-")
    if project == "micropip":
        continue
    page = cache / "index" / project / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    page.write_text(f'<!DOCTYPE html><html><body><a href="../../wheels/{wheel.name}#sha256={digest}">'
                    f"{wheel.name}</a></body></html>\n", "utf-8")
PY
  # the build backend for scorecard's own wheel, kept here so later rebuilds need no network
  mkdir -p "$CACHE/build-deps"
  "$PYTHON" -m pip download --quiet --only-binary=:all: --dest "$CACHE/build-deps" "setuptools>=77" >&2
  touch "$STAMP"
fi

# scorecard's own wheel: rebuilt when any source file is newer than the last build
stamp="$CACHE/own/.built"
if [ ! -f "$stamp" ] || [ -n "$(find "$ROOT/addin" "$ROOT/pyproject.toml" -newer "$stamp" -type f -print -quit)" ]; then
  rm -f "$CACHE"/own/*.whl
  "$PYTHON" -m pip wheel --quiet --no-deps --no-index --find-links "$CACHE/build-deps" --wheel-dir "$CACHE/own" "$ROOT" >&2
  touch "$stamp"
fi
echo "$CACHE"
