/**
 * Bundles the page script for the browser with esbuild. Node built-in modules must not reach
 * the bundle: a dynamic `import('node:…')` inside a Node-only function (saving to disk, reading
 * a CSV file) is left as it is, since the browser never calls it, but a static import of a
 * built-in anywhere in the graph fails the build and names the importing file.
 */
import { builtinModules } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
// Node-only libraries that packages load lazily for Node-only features (the HTML report).
const nodeOnlyLazy = new Set(['vega', 'vega-lite', 'csv-parse']);

// Lazy imports are left for the runtime: the browser never takes those code paths. Static
// imports go through esbuild's own resolution, which honours packages' "browser" maps and
// fails on a built-in that nothing maps away.
const lazyNodeOnly = {
  name: 'lazy-node-only',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const parts = args.path.split('/');
      const bare = parts.slice(0, args.path.startsWith('@') ? 2 : 1).join('/');
      if (builtins.has(args.path) || builtins.has(bare) || nodeOnlyLazy.has(bare)) {
        return { path: args.path, external: true };
      }
      return undefined;
    });
  },
};

let result;
try {
  result = await esbuild.build({
    entryPoints: [`${here}/src/main.js`],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outfile: `${here}/public/dist/app.js`,
    metafile: true,
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    plugins: [lazyNodeOnly],
  });
} catch (error) {
  const builtinErrors = (error.errors ?? []).filter((e) => /built into node/.test(e.text));
  if (builtinErrors.length > 0) {
    console.error('node built-in modules are imported at top level, so the bundle would break:');
    for (const e of builtinErrors) {
      console.error(`  ${e.location?.file ?? '?'}: ${e.location?.lineText?.trim() ?? e.text}`);
    }
  }
  process.exit(1);
}
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`built public/dist/app.js (${(bytes / 1024).toFixed(0)} KiB with its source map)`);
