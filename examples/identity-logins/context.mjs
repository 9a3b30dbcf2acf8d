/**
 * Context columns computed from earlier events only. The pipeline scores each row on its own,
 * so what makes a login suspicious relative to the ones before it (a country change within
 * hours, a burst of failures from one address) has to be written into the row first. Only
 * past events are used, never labels, so the same code runs on live data.
 */

const HOUR_MS = 3_600_000;

/**
 * Returns copies of `events` (sorted by `timestamp`) with three columns added:
 * `hours_since_last_login` (same user; 720 for a first login), `country_changed` (1 when the
 * user's previous login came from another country) and `ip_failures_last_hour` (failed logins
 * from the same address in the hour before).
 * @param {Record<string, string | number>[]} events
 */
export function addLoginContext(events) {
  const lastLogin = new Map();
  const failuresByIp = new Map();
  return events.map((event) => {
    const time = Date.parse(event.timestamp);
    const previous = lastLogin.get(event.user_id);
    const recent = (failuresByIp.get(event.ip_address) ?? []).filter((t) => time - t < HOUR_MS);

    const row = {
      ...event,
      hours_since_last_login: previous ? Math.min(720, (time - previous.time) / HOUR_MS) : 720,
      country_changed: previous && previous.country !== event.geo_country ? 1 : 0,
      ip_failures_last_hour: recent.length,
    };

    lastLogin.set(event.user_id, { time, country: event.geo_country });
    if (event.login_success === 0) recent.push(time);
    failuresByIp.set(event.ip_address, recent);
    return row;
  });
}
