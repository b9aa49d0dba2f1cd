import ICAL from 'ical.js';

/**
 * Parses an .ics with ical.js (Mozilla's parser, a devDependency) so tests read calendar files
 * the way a calendar client would, not with regexes over our own output.
 */
export interface ParsedEvent {
  uid: string;
  summary: string;
  description: string;
  start: number;
  end: number;
  sequence: number;
  status: string | null;
  organizer: string | null;
  organizerName: string | null;
  url: string | null;
}

export interface ParsedCalendar {
  method: string | null;
  name: string | null;
  events: ParsedEvent[];
}

export function parseIcs(text: string): ParsedCalendar {
  const root = new ICAL.Component(ICAL.parse(text));
  const events = root.getAllSubcomponents('vevent').map((vevent): ParsedEvent => {
    const event = new ICAL.Event(vevent);
    const organizer = vevent.getFirstProperty('organizer');
    const str = (name: string): string | null => {
      const v = vevent.getFirstPropertyValue(name);
      return v === null || v === undefined ? null : String(v);
    };
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      start: event.startDate.toJSDate().getTime(),
      end: event.endDate.toJSDate().getTime(),
      sequence: event.sequence,
      status: str('status'),
      organizer: organizer === null ? null : String(organizer.getFirstValue()),
      organizerName: organizer === null ? null : (organizer.getParameter('cn') as string | undefined) ?? null,
      url: str('url'),
    };
  });
  const method = root.getFirstPropertyValue('method');
  const name = root.getFirstPropertyValue('x-wr-calname');
  return { method: method === null ? null : String(method), name: name === null ? null : String(name), events };
}
