import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  it('bundles parseCsv and TabularPreprocessor for the browser without Node modules', async () => {
    const entry = new URL('../src/index.ts', import.meta.url).pathname;
    const result = await build({
      stdin: {
        contents: `import { parseCsv, TabularPreprocessor } from ${JSON.stringify(entry)};
          export const width = new TabularPreprocessor().fit(parseCsv('a,b\\n1,x\\n2,y\\n')).outputWidth;`,
        resolveDir: new URL('..', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0].text;
    expect(code).not.toMatch(/from ["'](node:)?(fs|zlib|stream)["']/);
    const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    expect(mod.width).toBe(3);
  });
});
