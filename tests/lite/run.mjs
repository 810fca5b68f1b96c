// Run xlwings Lite's main.py inside Pyodide under Node, offline.
// usage: node run.mjs CACHE MAIN_PY JOBS_JSON SERVER_URL  -> prints the driver's JSON result on stdout
// CACHE is what tests/lite/setup.sh prepared (node_modules/pyodide, lock/, index/, wheels/, own/), and
// SERVER_URL a web server serving CACHE (the test starts one on 127.0.0.1).
//
// scorecard is installed as Lite installs a requirements.txt line: micropip.install(URL) with its
// dependencies resolved (deps=True), scorecard's wheel fetched from a URL ending in .whl, its
// dependencies looked up in a package index (here the cache's, for PyPI) and in Pyodide's lock file
// (here one whose PyYAML entry names a pure wheel in the cache, for Pyodide's CDN).
import { createRequire } from "node:module";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [cache, mainPy, jobsJson] = process.argv.slice(2, 5).map((p) => path.resolve(p));
const server = process.argv[5];
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(cache, "package.json"));
const { loadPyodide } = require("pyodide");

const started = Date.now();
const lap = (what) => process.stderr.write(`lite: ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
const py = await loadPyodide({
  lockFileURL: path.join(cache, "lock", "pyodide-lock.json"),
  env: { XLWINGS_LICENSE_KEY: "noncommercial", XLWINGS_ON_SERVER: "true", HOME: "/home/pyodide" },
  stdout: (line) => process.stderr.write(line + "\n"), // stdout is kept for the JSON answer
  stderr: (line) => process.stderr.write(line + "\n"),
});
lap("pyodide loaded");
for (const dir of [here, path.dirname(mainPy), path.dirname(jobsJson)]) {
  py.FS.mkdirTree(dir);
  py.mountNodeFS(dir, dir);
}
const wheels = path.join(cache, "wheels");
const micropip = readdirSync(wheels).find((name) => name.startsWith("micropip-"));
await py.loadPackage(path.join(wheels, micropip));
const ours = readdirSync(path.join(cache, "own")).find((n) => n.endsWith(".whl"));
py.globals.set("WHEEL_URL", `${server}/own/${ours}`);
py.globals.set("INDEX_URL", `${server}/index/`);
py.globals.set("DRIVER", here);
py.globals.set("MAIN", mainPy);
py.globals.set("JOBS", jobsJson);
const installed = await py.runPythonAsync(`
import json, micropip
refused = []  # a link whose path does not end in the wheel's file name (as SharePoint's download links)
try:
    await micropip.install(WHEEL_URL.rsplit("/", 1)[0] + "/download.aspx?file=" + WHEEL_URL.rsplit("/", 1)[1])
except Exception as error:
    refused.append(type(error).__name__)
await micropip.install(WHEEL_URL, index_urls=[INDEX_URL])  # deps=True: resolved as Lite resolves them
json.dumps({"packages": {name: [p.version, p.source] for name, p in micropip.list().items()}, "refused": refused})
`);
lap("scorecard installed with its dependencies");
py.globals.set("INSTALLED", installed);
const answer = await py.runPythonAsync(`
import json, sys
sys.path.insert(0, DRIVER)
import driver
with open(JOBS, encoding="utf-8") as handle:
    jobs = json.load(handle)
answer = await driver.run_jobs(MAIN, jobs)
answer["install"] = json.loads(INSTALLED)
json.dumps(answer, ensure_ascii=False, sort_keys=True)
`);
lap("jobs run");
process.stdout.write(answer + "\n");
