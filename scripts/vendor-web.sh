#!/usr/bin/env bash
# Rebuild the vendored front-end assets from the pinned npm packages in
# api/web/frontend/ (package.json + package-lock.json).
#
#   scripts/vendor-web.sh
#
# Writes (and fully replaces):
#   api/web/static/vendor/   htmx, CodeMirror bundle, KaTeX, Swagger UI,
#                            LICENSES.txt, VERSIONS.txt
#   tests/web/vendor/        axe.min.js + LICENSE.txt (test-only asset)
#
# Needs node >= 18 and npm, and access to the npm registry. `npm ci` runs in a
# temporary copy with --ignore-scripts (no install scripts run: esbuild works
# without its optional postinstall, and swagger-ui-dist's @scarf/scarf
# analytics hook never runs). Output is deterministic: running it twice gives
# byte-identical files.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/api/web/frontend"
VENDOR="$ROOT/api/web/static/vendor"
TESTVENDOR="$ROOT/tests/web/vendor"

die() { echo "vendor-web: error: $*" >&2; exit 1; }

command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"
node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)' \
  || die "node >= 18 required (have $(node --version))"
for f in package.json package-lock.json editor-entry.mjs; do
  [[ -f "$FRONTEND/$f" ]] || die "missing $FRONTEND/$f"
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vendor-web.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
BUILD="$WORK/build"   # npm project copy
STAGE="$WORK/stage"   # mirrors the repo root for the outputs
OUT="$STAGE/api/web/static/vendor"
TOUT="$STAGE/tests/web/vendor"
mkdir -p "$BUILD" "$OUT/katex/fonts" "$OUT/swagger-ui" "$TOUT"
cp "$FRONTEND/package.json" "$FRONTEND/package-lock.json" "$FRONTEND/editor-entry.mjs" "$BUILD/"

# Every dependency must be pinned to an exact version.
node - "$BUILD/package.json" <<'JS'
const pkg = require(process.argv[2]);
const bad = [];
for (const sec of ["dependencies", "devDependencies"])
  for (const [n, v] of Object.entries(pkg[sec] || {}))
    if (!/^\d+\.\d+\.\d+$/.test(v)) bad.push(`${sec}.${n} = ${v}`);
if (bad.length) { console.error("vendor-web: error: not pinned exactly:\n  " + bad.join("\n  ")); process.exit(1); }
JS

echo "vendor-web: npm ci (in $BUILD)"
(
  cd "$BUILD"
  SCARF_ANALYTICS=false npm ci --ignore-scripts --no-audit --no-fund \
    --loglevel=error --update-notifier=false >/dev/null
)
NM="$BUILD/node_modules"

# Exactly one @codemirror/state, otherwise instanceof checks break at runtime.
n_state="$(cd "$BUILD" && npm ls @codemirror/state --all --parseable --loglevel=error | sort -u | grep -c node_modules || true)"
[[ "$n_state" == 1 ]] || { (cd "$BUILD" && npm ls @codemirror/state --all) >&2 || true; die "expected one @codemirror/state, found $n_state"; }

pkgver() { node -p 'require(process.argv[1]).version' "$NM/$1/package.json"; }

# --- htmx -----------------------------------------------------------------
cp "$NM/htmx.org/dist/htmx.min.js" "$OUT/htmx.min.js"

# --- CodeMirror 6 bundle --------------------------------------------------
(
  cd "$BUILD"
  ./node_modules/.bin/esbuild editor-entry.mjs --bundle --format=iife --minify \
    --target=es2020 --charset=utf8 --legal-comments=none --log-level=warning \
    --metafile="$WORK/codemirror.meta.json" --outfile="$OUT/codemirror.js"
)

# --- KaTeX ----------------------------------------------------------------
cp "$NM/katex/dist/katex.min.js" "$OUT/katex/katex.min.js"
cp "$NM/katex/dist/contrib/auto-render.min.js" "$OUT/katex/auto-render.min.js"
cp "$NM/katex/dist/fonts/"*.woff2 "$OUT/katex/fonts/"
# Keep only the woff2 entry of every @font-face src list.
node - "$NM/katex/dist/katex.min.css" "$OUT/katex/katex.min.css" <<'JS'
const fs = require("fs");
const [src, dst] = process.argv.slice(2);
let css = fs.readFileSync(src, "utf8");
let n = 0;
css = css.replace(/src:([^;}]*)/g, (m, list) => {
  const woff2 = list.split(/,(?=\s*url\()/).filter((s) => /\.woff2\)\s*format\(["']woff2["']\)/.test(s));
  if (woff2.length !== 1) throw new Error("unexpected @font-face src: " + m);
  n++;
  return "src:" + woff2[0].trim();
});
if (n === 0) throw new Error("no @font-face src rewritten");
fs.writeFileSync(dst, css);
JS

# --- Swagger UI -----------------------------------------------------------
cp "$NM/swagger-ui-dist/swagger-ui-bundle.js" "$OUT/swagger-ui/swagger-ui-bundle.js"
cp "$NM/swagger-ui-dist/swagger-ui.css" "$OUT/swagger-ui/swagger-ui.css"

# --- axe-core (tests only) ------------------------------------------------
cp "$NM/axe-core/axe.min.js" "$TOUT/axe.min.js"

# --- strip source-map comments everywhere ----------------------------------
node - "$STAGE" <<'JS'
const fs = require("fs"), path = require("path");
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
for (const f of walk(process.argv[2]).filter((f) => /\.(js|css)$/.test(f))) {
  const s = fs.readFileSync(f, "utf8");
  const t = s
    .replace(/^[ \t]*\/\/[#@][ \t]*sourceMappingURL=[^\r\n]*(\r?\n)?/gm, "")
    .replace(/\/\*[#@][ \t]*sourceMappingURL=[^*]*\*\/[ \t]*(\r?\n)?/g, "");
  if (t !== s) fs.writeFileSync(f, t.replace(/\s+$/, "") + "\n");
}
JS

# --- checks on the staged output -----------------------------------------
node - "$STAGE" <<'JS'
const fs = require("fs"), path = require("path"), vm = require("vm");
const stage = process.argv[2];
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
const errs = [];
for (const f of walk(stage).filter((f) => /\.(js|css)$/.test(f))) {
  const s = fs.readFileSync(f, "utf8"), rel = path.relative(stage, f);
  if (/[#@]\s*sourceMappingURL=/.test(s)) errs.push(`${rel}: sourceMappingURL comment left`);
  const ext = s.match(/url\(\s*["']?(https?:)?\/\/[^)]{0,80}|@import\s+["']?(https?:)?\/\/[^;]{0,80}|import\(\s*["'`](https?:)?\/\/[^)]{0,80}|\bsrc\s*=\s*["'](https?:)?\/\/[^"']{0,80}/g);
  if (ext) errs.push(`${rel}: external load-time reference(s): ${ext.slice(0, 3).join(" | ")}`);
  if (f.endsWith(".css")) {
    for (const [, raw] of s.matchAll(/url\(\s*([^)]*?)\s*\)/g)) {
      const u = raw.replace(/^["']|["']$/g, "");
      if (u.startsWith("data:") || u.startsWith("#")) continue;
      if (!fs.existsSync(path.join(path.dirname(f), u))) errs.push(`${rel}: url(${u}) does not exist`);
    }
    if (/\.(woff|ttf)\)/.test(s)) errs.push(`${rel}: references .woff/.ttf`);
  }
}
// The CodeMirror bundle must define window.JudgeEditor and nothing else, and
// its pieces must work together (a second @codemirror/state would throw here).
const cmFile = path.join(stage, "api/web/static/vendor/codemirror.js");
const sandbox = {};
sandbox.window = sandbox;
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(cmFile, "utf8"), sandbox, { filename: "codemirror.js" });
const want = ["EditorView", "EditorState", "basicSetup", "python", "lightTheme", "darkTheme", "keymap", "Compartment", "indentWithTab"];
const J = sandbox.JudgeEditor;
const extra = Object.keys(sandbox).filter((k) => k !== "window" && k !== "JudgeEditor");
if (!J) errs.push("codemirror.js: window.JudgeEditor not defined");
else {
  const keys = Object.keys(J).sort().join(",");
  if (keys !== [...want].sort().join(",")) errs.push(`codemirror.js: JudgeEditor keys ${keys}`);
  const st = J.EditorState.create({
    doc: "def f(x):\n    return x\n",
    extensions: [J.basicSetup, J.python(), J.darkTheme, J.lightTheme, J.keymap.of([J.indentWithTab]), new J.Compartment().of([])],
  });
  if (st.doc.lines !== 3) errs.push("codemirror.js: EditorState smoke test failed");
}
if (extra.length) errs.push(`codemirror.js: extra globals ${extra.join(",")}`);
if (errs.length) { console.error("vendor-web: error:\n  " + errs.join("\n  ")); process.exit(1); }
JS

# --- LICENSES.txt / VERSIONS.txt -----------------------------------------
# Packages whose code ends up in each output file. The CodeMirror bundle's
# list comes from esbuild's metafile so it is exactly what was bundled.
node - "$NM" "$WORK/codemirror.meta.json" "$STAGE" <<'JS'
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const [nm, metaFile, stage] = process.argv.slice(2);
const ver = (p) => JSON.parse(fs.readFileSync(path.join(nm, p, "package.json"), "utf8")).version;
const id = (p) => `${p}@${ver(p)}`;

const cmPkgs = [...new Set(Object.keys(JSON.parse(fs.readFileSync(metaFile, "utf8")).inputs)
  .map((i) => (i.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//) || [])[1]).filter(Boolean))].sort();
if (!cmPkgs.includes("codemirror") || !cmPkgs.includes("@codemirror/state")) throw new Error("metafile: unexpected inputs");

const V = "api/web/static/vendor/";
const files = {
  [V + "htmx.min.js"]: ["htmx.org"],
  [V + "codemirror.js"]: cmPkgs,
  [V + "katex/katex.min.js"]: ["katex"],
  [V + "katex/auto-render.min.js"]: ["katex"],
  [V + "katex/katex.min.css"]: ["katex"],
  [V + "swagger-ui/swagger-ui-bundle.js"]: ["swagger-ui-dist"],
  [V + "swagger-ui/swagger-ui.css"]: ["swagger-ui-dist"],
  "tests/web/vendor/axe.min.js": ["axe-core"],
};
for (const f of fs.readdirSync(path.join(stage, V, "katex/fonts")).sort())
  files[V + "katex/fonts/" + f] = ["katex"];
for (const f of Object.keys(files)) if (!fs.existsSync(path.join(stage, f))) throw new Error("missing " + f);

// VERSIONS.txt: path (repo-relative), package@version (primary package), sha256.
const sha = (f) => crypto.createHash("sha256").update(fs.readFileSync(path.join(stage, f))).digest("hex");
const primary = (f) => (f.endsWith("/codemirror.js") ? "codemirror" : files[f][0]);
const versions = [
  "# Generated by scripts/vendor-web.sh -- do not edit. path  package@version  sha256",
  "# codemirror.js bundles: " + cmPkgs.map(id).join(" "),
  ...Object.keys(files).sort().map((f) => `${f}  ${id(primary(f))}  ${sha(f)}`),
];
fs.writeFileSync(path.join(stage, V, "VERSIONS.txt"), versions.join("\n") + "\n");

// LICENSES.txt: every package whose code is vendored, with its own license
// files (plus the third-party notices shipped by swagger-ui-dist / axe-core).
const extraNotices = {
  "swagger-ui-dist": ["NOTICE", "swagger-ui-bundle.js.LICENSE.txt"],
  "axe-core": ["LICENSE-3RD-PARTY.txt"],
};
const licenseFiles = (p) => {
  const dir = path.join(nm, p);
  const main = fs.readdirSync(dir).filter((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f)).sort();
  if (!main.length) throw new Error(`no license file in ${p}`);
  return [...main, ...(extraNotices[p] || [])].map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]);
};
const section = (p, usedIn) => {
  const pj = JSON.parse(fs.readFileSync(path.join(nm, p, "package.json"), "utf8"));
  const bar = "=".repeat(78);
  let s = `${bar}\n${id(p)}  (license: ${pj.license})\nused in: ${usedIn.join(", ")}\n${bar}\n`;
  for (const [f, t] of licenseFiles(p)) s += `\n--- ${p}/${f} ---\n\n${t.replace(/\s+$/, "")}\n`;
  return s + "\n";
};
const usedIn = {};
for (const [f, ps] of Object.entries(files))
  for (const p of ps) (usedIn[p] ||= new Set()).add(f.replace(/\/fonts\/.*/, "/fonts/*.woff2"));
const all = Object.keys(usedIn).sort();
let lic = "Licenses of the third-party code vendored by scripts/vendor-web.sh.\n" +
  "Generated -- do not edit.\n\n";
for (const p of all) lic += section(p, [...usedIn[p]].sort());
fs.writeFileSync(path.join(stage, V, "LICENSES.txt"), lic);
fs.writeFileSync(path.join(stage, "tests/web/vendor/LICENSE.txt"),
  "axe.min.js is from the npm package " + id("axe-core") + ".\n\n" + section("axe-core", ["tests/web/vendor/axe.min.js"]));
JS

# --- install --------------------------------------------------------------
# Both output directories are owned entirely by this script: replace them.
rm -rf "$VENDOR" "$TESTVENDOR"
mkdir -p "$(dirname "$VENDOR")" "$(dirname "$TESTVENDOR")"
cp -R "$OUT" "$VENDOR"
cp -R "$TOUT" "$TESTVENDOR"

echo "vendor-web: wrote"
(
  cd "$ROOT"
  total=0
  while IFS= read -r f; do
    sz=$(wc -c <"$f")
    total=$((total + sz))
    printf '  %9d  %s\n' "$sz" "$f"
  done < <(find api/web/static/vendor tests/web/vendor -type f | LC_ALL=C sort)
  printf '  %9d  total\n' "$total"
)
