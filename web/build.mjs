// Builds the widget into ../build/web, which the Rasa server serves under
// /widget/static/. The output is never committed: `make web` rebuilds it.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const outdir = here("../build/web");

await build({
  // widget.js loads widget.css from beside itself, so both share a name.
  entryPoints: [
    { in: here("src/widget.js"), out: "widget" },
    { in: here("src/widget.css"), out: "widget" },
    { in: here("src/demo.css"), out: "demo" },
  ],
  outdir,
  bundle: true,
  // A classic script, not a module: it reads its own <script> tag through
  // document.currentScript, which module scripts do not have.
  format: "iife",
  // The language level of browsers from 2020 on, older phones included.
  target: "es2020",
  minify: true,
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
});
console.log(`Widget built in ${outdir}`);
