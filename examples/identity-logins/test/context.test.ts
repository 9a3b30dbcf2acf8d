import { describe, expect, it } from 'vitest';
import { addLoginContext } from '../context.mjs';

const base = { login_success: 1, geo_country: 'US', ip_address: '10.0.0.1' };

describe('addLoginContext', () => {
  const events = [
    { ...base, user_id: 'a', timestamp: '2026-01-05T08:00:00.000Z' },
    { ...base, user_id: 'a', timestamp: '2026-01-05T10:30:00.000Z', geo_country: 'RU' },
    {
      ...base,
      user_id: 'b',
      timestamp: '2026-01-05T10:40:00.000Z',
      ip_address: '45.1.1.1',
      login_success: 0,
    },
    {
      ...base,
      user_id: 'c',
      timestamp: '2026-01-05T10:50:00.000Z',
      ip_address: '45.1.1.1',
      login_success: 0,
    },
    { ...base, user_id: 'a', timestamp: '2026-01-05T11:00:00.000Z', geo_country: 'RU' },
    { ...base, user_id: 'd', timestamp: '2026-01-05T12:45:00.000Z', ip_address: '45.1.1.1' },
  ];
  const rows = addLoginContext(events);

  it('measures the time since the same user logged in, from past events only', () => {
    expect(rows[0].hours_since_last_login).toBe(720);
    expect(rows[1].hours_since_last_login).toBeCloseTo(2.5, 12);
    expect(rows[4].hours_since_last_login).toBeCloseTo(0.5, 12);
  });

  it('flags a change of country against the previous login', () => {
    expect(rows.map((r) => r.country_changed)).toEqual([0, 1, 0, 0, 0, 0]);
  });

  it('counts failures from the same address within the hour before', () => {
    expect(rows.map((r) => r.ip_failures_last_hour)).toEqual([0, 0, 0, 1, 0, 0]);
  });

  it('leaves the input events unchanged', () => {
    expect(Object.keys(events[0])).not.toContain('country_changed');
    expect(rows[0]).toMatchObject(events[0]);
  });
});
