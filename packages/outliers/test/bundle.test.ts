import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('browser bundle', () => {
  it('bundles for the browser without any Node built-in module', async () => {
    const result = await build({
      entryPoints: [join(here, '..', 'src', 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('isolation-forest'))).toBe(true);
    expect(inputs.filter((path) => path.startsWith('node:'))).toEqual([]);
    const imported = Object.values(result.metafile.outputs).flatMap((output) =>
      output.imports.map((i) => i.path),
    );
    expect(imported).toEqual([]);
  });
});
