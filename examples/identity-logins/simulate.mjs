/**
 * A seeded simulator of an organisation's login events, with labelled identity attacks.
 *
 * Every user has a home country, one to three usual devices, working hours, a privilege level
 * and a usual sign-in method. Normal events follow those habits with realistic noise (travel,
 * a new phone, typos, evening work, admins elevating rights), so that no single column gives
 * the attacks away. About `attackRate` of the events belong to five attack scenarios:
 *
 * - credential_stuffing: bursts of failed password logins on many accounts from a foreign
 *   address, mostly outside working hours, with the odd success;
 * - impossible_travel: a successful login from a distant country shortly after one from home;
 * - mfa_fatigue: a run of push prompts denied, then one accepted, usually at night;
 * - session_hijack: a stolen session token replayed from a new device, reaching sensitive data;
 * - privilege_escalation: an ordinary account granting itself admin rights.
 *
 *   node simulate.mjs [--rows 20000] [--seed 7] [--attack-rate 0.03] [--out logins.csv]
 */
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Random, ValidationError } from '@decoders/core';

/** Columns of every event, in order. */
export const COLUMNS = [
  'event_id',
  'user_id',
  'ip_address',
  'device_id',
  'timestamp',
  'auth_method',
  'hour',
  'day_of_week',
  'login_success',
  'new_device',
  'geo_country',
  'geo_anomaly',
  'resource',
  'privilege_level',
  'privilege_escalation',
  'login_result',
  'is_attack',
  'attack_type',
];

/** Identifier columns: unique per user, device or event, so useless (and harmful) as features. */
export const IDENTIFIERS = ['event_id', 'user_id', 'ip_address', 'device_id', 'timestamp'];

/** The attack scenarios, with their intended share of the attack events. */
export const SCENARIOS = {
  credential_stuffing: 0.3,
  impossible_travel: 0.2,
  mfa_fatigue: 0.2,
  session_hijack: 0.15,
  privilege_escalation: 0.15,
};

// Mean events per campaign (bursts of 3-8 for the two noisy scenarios, one event otherwise):
// campaigns are drawn with weight share / size so that each scenario gets its share of events.
const CAMPAIGN_SIZE = { credential_stuffing: 5.5, mfa_fatigue: 5.5 };
const CAMPAIGN_WEIGHTS = (() => {
  const raw = Object.entries(SCENARIOS).map(([name, share]) => [
    name,
    share / (CAMPAIGN_SIZE[name] ?? 1),
  ]);
  const total = raw.reduce((sum, [, w]) => sum + w, 0);
  return raw.map(([name, w]) => [name, w / total]);
})();

// Countries where the organisation has staff, by head count, and far-away ones attackers use.
const HOME_COUNTRIES = [
  ['US', 0.35],
  ['GB', 0.15],
  ['DE', 0.12],
  ['IN', 0.12],
  ['FR', 0.08],
  ['CA', 0.08],
  ['BR', 0.05],
  ['JP', 0.05],
];
const TRAVEL_COUNTRIES = ['US', 'GB', 'DE', 'FR', 'ES', 'IT', 'NL', 'CA', 'JP', 'SG'];
const ATTACKER_COUNTRIES = ['RU', 'CN', 'KP', 'IR', 'NG', 'VN', 'BR', 'UA', 'RO', 'ID'];

const PRIVILEGES = [
  ['user', 0.75],
  ['power_user', 0.18],
  ['admin', 0.07],
];
const RESOURCES = {
  user: ['email', 'intranet', 'crm', 'wiki', 'calendar'],
  power_user: ['email', 'crm', 'wiki', 'git', 'ci', 'analytics'],
  admin: ['email', 'admin_console', 'iam', 'git', 'billing', 'hr_portal'],
};
const SENSITIVE = ['hr_portal', 'billing', 'iam', 'admin_console', 'finance_db'];
const DAY_MS = 86_400_000;

function pickWeighted(random, pairs) {
  let u = random.next();
  for (const [value, weight] of pairs) {
    u -= weight;
    if (u < 0) return value;
  }
  return pairs[pairs.length - 1][0];
}

function pick(random, values) {
  return values[random.int(values.length)];
}

function ipAddress(random, foreign) {
  // the organisation's egress and home ranges sit in 10.x and 172.16.x; attackers elsewhere
  if (foreign)
    return `${45 + random.int(150)}.${random.int(256)}.${random.int(256)}.${random.int(256)}`;
  return random.next() < 0.6
    ? `10.${random.int(8)}.${random.int(256)}.${1 + random.int(254)}`
    : `172.16.${random.int(64)}.${1 + random.int(254)}`;
}

function makeUsers(random, count) {
  const users = [];
  for (let u = 0; u < count; u++) {
    const privilege = pickWeighted(random, PRIVILEGES);
    const devices = Array.from({ length: 1 + random.int(3) }, (_, d) => `dev-${u}-${d}`);
    users.push({
      id: `u${String(u).padStart(5, '0')}`,
      index: u,
      home: pickWeighted(random, HOME_COUNTRIES),
      devices,
      nextDevice: devices.length,
      startHour: 7 + random.int(4),
      workHours: 8 + random.int(3),
      privilege,
      method: random.next() < 0.7 ? 'password+mfa_push' : 'sso',
      // some people log in far more often than others
      activity: Math.exp(random.normal(0, 0.8)),
    });
  }
  return users;
}

/** A weekday-biased timestamp in the 30 days from `start`, at `hour`. */
function timestampAt(random, start, hour, weekendBias) {
  for (;;) {
    const day = random.int(30);
    const date = new Date(start + day * DAY_MS);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    if (!weekend || random.next() < weekendBias) {
      date.setUTCHours(hour, random.int(60), random.int(60), 0);
      return date;
    }
  }
}

function event(user, date, fields) {
  return {
    user_id: user.id,
    timestamp: date.toISOString(),
    hour: date.getUTCHours(),
    day_of_week: date.getUTCDay(),
    privilege_level: user.privilege,
    ...fields,
  };
}

function normalEvent(random, user, start) {
  const offHours = random.next() < 0.08;
  const hour = offHours
    ? random.int(24)
    : Math.min(23, user.startHour + random.int(user.workHours));
  const date = timestampAt(random, start, hour, 0.08);
  const travelling = random.next() < 0.02;
  const country = travelling ? pick(random, TRAVEL_COUNTRIES) : user.home;
  const newDevice = random.next() < 0.03;
  const device = newDevice ? `dev-${user.index}-${user.nextDevice++}` : pick(random, user.devices);
  const typo = random.next() < 0.04;
  const mfaMiss = !typo && user.method !== 'sso' && random.next() < 0.01;
  const success = !(typo || mfaMiss);
  const escalate = user.privilege === 'admin' && random.next() < 0.05;
  return event(user, date, {
    ip_address: ipAddress(random, travelling),
    device_id: device,
    auth_method: user.method,
    login_success: success ? 1 : 0,
    new_device: newDevice ? 1 : 0,
    geo_country: country,
    geo_anomaly: country === user.home ? 0 : 1,
    resource: escalate ? 'iam' : pick(random, RESOURCES[user.privilege]),
    privilege_escalation: escalate ? 1 : 0,
    login_result: typo ? 'failure' : mfaMiss ? 'mfa_denied' : 'success',
  });
}

/** The events of one attack scenario: a short campaign, so attacks come in small bursts. */
function attackEvents(random, scenario, users, start) {
  const victim = pick(random, users);
  const attackerCountry = pick(random, ATTACKER_COUNTRIES);
  const out = [];
  const base = {
    attack_type: scenario,
    geo_country: attackerCountry,
    geo_anomaly: attackerCountry === victim.home ? 0 : 1,
  };
  switch (scenario) {
    case 'credential_stuffing': {
      const date = timestampAt(
        random,
        start,
        random.next() < 0.7 ? random.int(6) : random.int(24),
        0.5,
      );
      const ip = ipAddress(random, true);
      for (let k = 0, n = 3 + random.int(6); k < n; k++) {
        const target = pick(random, users);
        const success = random.next() < 0.08;
        const at = new Date(date.getTime() + k * (5_000 + random.int(40_000)));
        out.push(
          event(target, at, {
            ...base,
            geo_anomaly: attackerCountry === target.home ? 0 : 1,
            ip_address: ip,
            device_id: `atk-${random.int(1e6)}`,
            auth_method: 'password',
            login_success: success ? 1 : 0,
            new_device: 1,
            resource: success ? pick(random, RESOURCES[target.privilege]) : 'login_portal',
            privilege_escalation: 0,
            login_result: success ? 'success' : 'failure',
          }),
        );
      }
      break;
    }
    case 'impossible_travel': {
      const date = timestampAt(random, start, victim.startHour + random.int(victim.workHours), 0.1);
      const farCountry = pick(
        random,
        ATTACKER_COUNTRIES.filter((c) => c !== victim.home),
      );
      out.push(
        event(victim, date, {
          ...base,
          geo_country: farCountry,
          geo_anomaly: 1,
          ip_address: ipAddress(random, true),
          device_id: random.next() < 0.5 ? pick(random, victim.devices) : `atk-${random.int(1e6)}`,
          auth_method: victim.method,
          login_success: 1,
          new_device: random.next() < 0.5 ? 1 : 0,
          resource: pick(random, [...RESOURCES[victim.privilege], 'finance_db']),
          privilege_escalation: 0,
          login_result: 'success',
        }),
      );
      break;
    }
    case 'mfa_fatigue': {
      const date = timestampAt(
        random,
        start,
        random.next() < 0.75 ? random.int(6) : 22 + random.int(2),
        0.5,
      );
      const ip = ipAddress(random, true);
      const prompts = 3 + random.int(6);
      for (let k = 0; k < prompts; k++) {
        const accepted = k === prompts - 1 && random.next() < 0.6;
        out.push(
          event(victim, new Date(date.getTime() + k * 30_000), {
            ...base,
            ip_address: ip,
            device_id: `atk-${random.int(1e6)}`,
            auth_method: 'password+mfa_push',
            login_success: accepted ? 1 : 0,
            new_device: 1,
            resource: accepted ? pick(random, RESOURCES[victim.privilege]) : 'login_portal',
            privilege_escalation: 0,
            login_result: accepted ? 'success' : 'mfa_denied',
          }),
        );
      }
      break;
    }
    case 'session_hijack': {
      const date = timestampAt(random, start, random.int(24), 0.3);
      const domestic = random.next() < 0.4;
      out.push(
        event(victim, date, {
          ...base,
          geo_country: domestic ? victim.home : attackerCountry,
          geo_anomaly: domestic ? 0 : 1,
          ip_address: ipAddress(random, true),
          device_id: `atk-${random.int(1e6)}`,
          auth_method: 'session_token',
          login_success: 1,
          new_device: 1,
          resource: pick(random, SENSITIVE),
          privilege_escalation: 0,
          login_result: 'success',
        }),
      );
      break;
    }
    case 'privilege_escalation': {
      const insider = pick(
        random,
        users.filter((u) => u.privilege !== 'admin'),
      );
      const date = timestampAt(
        random,
        start,
        random.next() < 0.5 ? random.int(24) : 19 + random.int(5),
        0.3,
      );
      out.push(
        event(insider, date, {
          ...base,
          geo_country: insider.home,
          geo_anomaly: 0,
          ip_address: ipAddress(random, false),
          device_id: pick(random, insider.devices),
          auth_method: insider.method,
          login_success: 1,
          new_device: 0,
          resource: pick(random, ['iam', 'admin_console', 'hr_portal']),
          privilege_escalation: 1,
          login_result: 'success',
        }),
      );
      break;
    }
    default:
      throw new ValidationError(`unknown scenario '${scenario}'`);
  }
  return out;
}

/**
 * Simulates `rows` login events (exactly), of which about `attackRate` are attacks, sorted by
 * time. Deterministic under `seed`.
 * @param {{ rows?: number, seed?: number, attackRate?: number, users?: number }} [options]
 *   rows default 20000; seed default 7; attackRate default 0.03; users default rows / 40
 *   (at least 20)
 * @returns {Record<string, string | number>[]} one object per event, keys in {@link COLUMNS}
 */
export function simulateLogins(options = {}) {
  const rows = options.rows ?? 20_000;
  const seed = options.seed ?? 7;
  const attackRate = options.attackRate ?? 0.03;
  if (!Number.isInteger(rows) || rows < 50) {
    throw new ValidationError(`rows must be an integer >= 50, got ${rows}`);
  }
  if (!(attackRate > 0 && attackRate < 0.5)) {
    throw new ValidationError(`attackRate must be in (0, 0.5), got ${attackRate}`);
  }
  const random = new Random(seed);
  const users = makeUsers(random, options.users ?? Math.max(20, Math.round(rows / 40)));
  const start = Date.UTC(2026, 0, 5);

  const attackTarget = Math.max(5, Math.round(rows * attackRate));
  const attacks = [];
  while (attacks.length < attackTarget) {
    attacks.push(...attackEvents(random, pickWeighted(random, CAMPAIGN_WEIGHTS), users, start));
  }
  attacks.length = attackTarget;

  const totalActivity = users.reduce((sum, u) => sum + u.activity, 0);
  const weights = users.map((u) => [u, u.activity / totalActivity]);
  const events = attacks.map((e) => ({ ...e, is_attack: 1 }));
  while (events.length < rows) {
    const user = pickWeighted(random, weights);
    events.push({ ...normalEvent(random, user, start), is_attack: 0, attack_type: 'none' });
  }

  events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  return events.map((e, i) => {
    const row = {};
    for (const column of COLUMNS) row[column] = column === 'event_id' ? `e${i}` : e[column];
    return row;
  });
}

/** The events as CSV text (no field of the simulator needs quoting). */
export function toCsv(events) {
  const lines = [COLUMNS.join(',')];
  for (const e of events) lines.push(COLUMNS.map((c) => e[c]).join(','));
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '7' },
      'attack-rate': { type: 'string', default: '0.03' },
      out: { type: 'string', default: 'logins.csv' },
    },
  });
  const events = simulateLogins({
    rows: Number(values.rows),
    seed: Number(values.seed),
    attackRate: Number(values['attack-rate']),
  });
  await writeFile(values.out, toCsv(events));
  const attacks = events.filter((e) => e.is_attack === 1).length;
  console.log(`wrote ${events.length} events (${attacks} attacks) to ${values.out}`);
}
