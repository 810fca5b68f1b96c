// Run xlwings Lite's main.py inside Pyodide under Node, offline.
// usage: node run.mjs CACHE MAIN_PY JOBS_JSON  -> prints the driver's JSON result on stdout
// CACHE is what tests/lite/setup.sh prepared: node_modules/pyodide, wheels/, own/, stubs/.
import { createRequire } from "node:module";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [cache, mainPy, jobsJson] = process.argv.slice(2).map((p) => path.resolve(p));
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(cache, "package.json"));
const { loadPyodide } = require("pyodide");

const started = Date.now();
const lap = (what) => process.stderr.write(`lite: ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
const py = await loadPyodide({
  env: { XLWINGS_LICENSE_KEY: "noncommercial", XLWINGS_ON_SERVER: "true", HOME: "/home/pyodide" },
  stdout: (line) => process.stderr.write(line + "\n"), // stdout is kept for the JSON answer
  stderr: (line) => process.stderr.write(line + "\n"),
});
lap("pyodide loaded");
for (const dir of [cache, here, path.dirname(mainPy), path.dirname(jobsJson)]) {
  py.FS.mkdirTree(dir);
  py.mountNodeFS(dir, dir);
}
const wheels = path.join(cache, "wheels");
const micropip = readdirSync(wheels).find((name) => name.startsWith("micropip-"));
await py.loadPackage(path.join(wheels, micropip));
const ours = readdirSync(path.join(cache, "own")).filter((n) => n.endsWith(".whl")).map((n) => path.join(cache, "own", n));
const others = readdirSync(wheels).filter((n) => n.endsWith(".whl") && !n.startsWith("micropip-")).map((n) => path.join(wheels, n));
py.globals.set("WHEELS", py.toPy([...others, ...ours].map((p) => "emfs:" + p)));
py.globals.set("STUBS", path.join(cache, "stubs"));
py.globals.set("DRIVER", here);
py.globals.set("MAIN", mainPy);
py.globals.set("JOBS", jobsJson);
await py.runPythonAsync(`
import micropip
await micropip.install(list(WHEELS), deps=False)
`);
lap("wheels installed");
const answer = await py.runPythonAsync(`
import json, sys
sys.path.append(STUBS)   # rpds: a test stand-in for the compiled rpds-py Pyodide ships
sys.path.insert(0, DRIVER)
import driver
with open(JOBS, encoding="utf-8") as handle:
    jobs = json.load(handle)
json.dumps(await driver.run_jobs(MAIN, jobs), ensure_ascii=False, sort_keys=True)
`);
lap("jobs run");
process.stdout.write(answer + "\n");
