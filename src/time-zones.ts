// Checking a name means building an Intl.DateTimeFormat, which is slow and allocates a lot, and
// the same few zones are checked on every request: each known-good name is checked once. Bad
// names are not kept, so odd input cannot grow this beyond the zones Intl knows (about 600).
const validZones = new Set<string>();

/** True when the runtime knows this IANA zone name (what Slack's users.info returns as `tz`). */
export function isValidTimeZone(zone: string): boolean {
  if (validZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return false;
  }
  validZones.add(zone);
  return true;
}
