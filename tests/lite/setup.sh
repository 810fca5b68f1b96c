#!/usr/bin/env bash
# Everything the Pyodide test needs, in one cache folder (default build/lite), fetched once:
#   - the Pyodide runtime from npm (pyodide@0.29.5: Python 3.13 compiled to WebAssembly);
#   - pure-Python wheels from PyPI for what scorecard's Excel path imports, with the versions
#     installed here, so Pyodide and CPython run the same library code;
#   - a pure PyYAML wheel built from its sdist (Pyodide's own repository has a compiled one,
#     but it is not reachable offline);
#   - a stand-in for rpds-py, jsonschema's compiled dependency (pyrsistent's pure version);
#   - scorecard's own wheel, rebuilt whenever its sources change.
# A second run finds everything in place and only rebuilds scorecard's wheel if needed, offline.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${1:-$ROOT/build/lite}"
PYTHON="${PYTHON:-python3}"
PYODIDE_VERSION=0.29.5
PY_VERSION=3.13
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

PURE=(xlwings openpyxl et_xmlfile defusedxml jsonschema referencing jsonschema-specifications attrs typing_extensions)
if [ ! -f "$CACHE/wheels/.done" ]; then
  specs=()
  for name in "${PURE[@]}"; do
    v="$(version "$name")"
    specs+=("$name${v:+==$v}")
  done
  specs+=(micropip pyrsistent pyrsistent-as-rpds-py)
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --python-version "$PY_VERSION" \
    --implementation py --platform any --dest "$CACHE/wheels" "${specs[@]}" >&2
  # PyYAML: a pure wheel from the sdist (no libyaml), the same version as here
  v="$(version PyYAML)"
  rm -rf "$CACHE/sdist" && mkdir -p "$CACHE/sdist"
  "$PYTHON" -m pip download --quiet --no-deps --no-binary=pyyaml --dest "$CACHE/sdist" "pyyaml${v:+==$v}" >&2
  PYYAML_FORCE_LIBYAML=0 "$PYTHON" -m pip wheel --quiet --no-deps --no-binary=pyyaml --wheel-dir "$CACHE/sdist" "$CACHE"/sdist/*.tar.gz >&2
  "$PYTHON" - "$CACHE" <<'PY'
# Re-tag PyYAML's wheel as pure (py3-none-any) when the build left a platform tag on it: with
# libyaml off it holds only Python files, which is all micropip checks.
import pathlib, shutil, sys, zipfile
cache = pathlib.Path(sys.argv[1])
built = next(cache.glob("sdist/*.whl"))
with zipfile.ZipFile(built) as z:
    assert not [n for n in z.namelist() if n.endswith((".so", ".pyd"))], "PyYAML built with its C extension"
    name = built.name.split("-")
    target = cache / "wheels" / f"{name[0]}-{name[1]}-py3-none-any.whl"
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
print(target)
PY
  # the rpds stand-in, importable as `rpds`
  mkdir -p "$CACHE/stubs/rpds"
  printf '"""Test stand-in for rpds-py (compiled; Pyodide ships it): pyrsistent-as-rpds, pure Python."""\nfrom pyrsistent_as_rpds.pure import *  # noqa: F401,F403\n' \
    > "$CACHE/stubs/rpds/__init__.py"
  # the build backend for scorecard's own wheel, kept here so later rebuilds need no network
  mkdir -p "$CACHE/build-deps"
  "$PYTHON" -m pip download --quiet --only-binary=:all: --dest "$CACHE/build-deps" "setuptools>=77" >&2
  touch "$CACHE/wheels/.done"
fi

# scorecard's own wheel: rebuilt when any source file is newer than the last build
stamp="$CACHE/own/.built"
if [ ! -f "$stamp" ] || [ -n "$(find "$ROOT/addin" "$ROOT/pyproject.toml" -newer "$stamp" -type f -print -quit)" ]; then
  rm -f "$CACHE"/own/*.whl
  "$PYTHON" -m pip wheel --quiet --no-deps --no-index --find-links "$CACHE/build-deps" --wheel-dir "$CACHE/own" "$ROOT" >&2
  touch "$stamp"
fi
echo "$CACHE"
