import { describe, expect, it } from 'vitest';
import { COLUMNS, SCENARIOS, simulateLogins, toCsv } from '../simulate.mjs';

describe('simulateLogins', () => {
  const events = simulateLogins({ rows: 5000, seed: 11 });

  it('gives exactly the rows asked for, with every column', () => {
    expect(events).toHaveLength(5000);
    for (const e of events.slice(0, 50)) expect(Object.keys(e)).toEqual(COLUMNS);
  });

  it('is deterministic under a seed and changes with it', () => {
    expect(simulateLogins({ rows: 5000, seed: 11 })).toEqual(events);
    expect(simulateLogins({ rows: 5000, seed: 12 })).not.toEqual(events);
  });

  it('has about 3 % attacks, covering every scenario', () => {
    const attacks = events.filter((e) => e.is_attack === 1);
    expect(attacks.length / events.length).toBeCloseTo(0.03, 3);
    const types = new Set(attacks.map((e) => e.attack_type));
    expect([...types].sort()).toEqual(Object.keys(SCENARIOS).sort());
    for (const e of events) expect(e.attack_type === 'none').toBe(e.is_attack === 0);
  });

  it('keeps normal behaviour noisy so that no flag alone is the label', () => {
    const normal = events.filter((e) => e.is_attack === 0);
    const share = (key: string) => normal.filter((e) => e[key] === 1).length / normal.length;
    expect(share('new_device')).toBeGreaterThan(0.01);
    expect(share('geo_anomaly')).toBeGreaterThan(0.005);
    expect(normal.some((e) => e.login_success === 0)).toBe(true);
    expect(normal.some((e) => e.privilege_escalation === 1)).toBe(true);
  });

  it('writes CSV with one header and one line per event', () => {
    const text = toCsv(events.slice(0, 10));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(COLUMNS.join(','));
    expect(lines).toHaveLength(11);
  });

  it('rejects a bad attack rate', () => {
    expect(() => simulateLogins({ rows: 100, attackRate: 0.9 })).toThrow(/attackRate/);
  });
});
