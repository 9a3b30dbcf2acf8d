import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('examples/demo.mjs', () => {
  it('runs on the built package and prints the evaluation and the report', () => {
    // Imports '@decoders/metrics' itself, so it needs dist/ (turbo builds it before testing).
    const script = fileURLToPath(new URL('../examples/demo.mjs', import.meta.url));
    const out = execFileSync(process.execPath, [script], { encoding: 'utf8' });
    expect(out).toMatch(/ODDS Thyroid: 3772 rows, 93 anomalies/);
    expect(out).toMatch(/"rocAuc": 0\.\d+/);
    expect(out).toMatch(/hyperfunction\s+\d\.\d\d\s+\d\.\d\d\s+\d\.\d\d\s+93/);
  });
});
