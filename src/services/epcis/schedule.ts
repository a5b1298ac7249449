/**
 * EPCIS query schedules (EPCIS 1.2 §8.2.5.3, kept by 2.0's REST binding as a subscription's `schedule`): six fields
 * — `second`, `minute`, `hour`, `dayOfMonth`, `month`, `dayOfWeek` (1 Monday … 7 Sunday) — each a comma-separated
 * list of numbers and ranges (`"0"`, `"5,35"`, `"[1-5]"`); an omitted field matches every value, so
 * `{"minute": "5", "hour": "1"}` fires every second of 01:05 and `{"second": "0", "minute": "5", "hour": "1"}` once
 * a day. Also taken, as the OpenAPI's own example writes it: `"N/S"`, every S-th value from N (`"0/30"`). Times are
 * UTC (the standard lets the service choose its time zone). A field out of range, a reversed range, an unknown
 * field, an empty schedule or one that never fires is refused (400 SubscriptionControlsException).
 */
import { subscriptionProblem as scheduleProblem } from "./problem.js";

/** A schedule as given (the subscription's JSON keeps it so). */
export type Schedule = Partial<Record<ScheduleField, string>>;

type ScheduleField = "second" | "minute" | "hour" | "dayOfMonth" | "month" | "dayOfWeek";

const RANGES: Record<ScheduleField, [number, number]> = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [1, 7],
};

const FIELDS = Object.keys(RANGES).filter((f): f is ScheduleField => f in RANGES);

/** How far ahead a schedule's next time is looked for: 8 years covers every 29 February on every weekday. */
const HORIZON_DAYS = 8 * 366;

/** The values one field allows, sorted. */
function fieldValues(field: ScheduleField, text: string | undefined): number[] {
  const [low, high] = RANGES[field];
  const all = (from: number, to: number, step = 1) => {
    const values: number[] = [];
    for (let v = from; v <= to; v += step) values.push(v);
    return values;
  };
  if (text === undefined) return all(low, high);
  const number = (digits: string): number => {
    const value = Number(digits);
    if (value < low || value > high) {
      throw scheduleProblem(`schedule.${field}: ${digits} is outside ${low}–${high}`);
    }
    return value;
  };
  const values = new Set<number>();
  for (const element of text.split(",")) {
    const e = element.trim();
    const range = /^\[(\d{1,2})-(\d{1,2})\]$/.exec(e);
    const step = /^(\d{1,2})\/(\d{1,2})$/.exec(e);
    if (/^\d{1,2}$/.test(e)) values.add(number(e));
    else if (range !== null) {
      const from = number(range[1] ?? "");
      const to = number(range[2] ?? "");
      if (from > to) throw scheduleProblem(`schedule.${field}: the range ${e} runs backwards`);
      for (const v of all(from, to)) values.add(v);
    } else if (step !== null && Number(step[2]) > 0) {
      for (const v of all(number(step[1] ?? ""), high, Number(step[2]))) values.add(v);
    } else {
      throw scheduleProblem(
        `schedule.${field}: "${text}" is not a list of numbers and ranges such as "0", "5,35" or "[1-5]"`,
      );
    }
  }
  return [...values].sort((a, b) => a - b);
}

/** A checked schedule: the values of each field. */
export interface CompiledSchedule {
  schedule: Schedule;
  values: Record<ScheduleField, number[]>;
}

/** The schedule of a subscription request, checked; refused with a one-line SubscriptionControlsException. */
export function parseSchedule(value: unknown): CompiledSchedule {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw scheduleProblem('schedule must be an object such as {"second": "0", "minute": "5", "hour": "1"}');
  }
  const schedule: Schedule = {};
  for (const [key, raw] of Object.entries(value)) {
    const field = FIELDS.find((f) => f === key);
    if (field === undefined) throw scheduleProblem(`schedule: unknown field ${key} (${FIELDS.join(", ")})`);
    if (typeof raw === "number" && Number.isInteger(raw)) schedule[field] = String(raw);
    else if (typeof raw === "string") schedule[field] = raw;
    else throw scheduleProblem(`schedule.${field} must be a string such as "5" or "[1-5]"`);
  }
  if (Object.keys(schedule).length === 0) throw scheduleProblem("schedule names no field: give at least one");
  const values = {
    second: fieldValues("second", schedule.second),
    minute: fieldValues("minute", schedule.minute),
    hour: fieldValues("hour", schedule.hour),
    dayOfMonth: fieldValues("dayOfMonth", schedule.dayOfMonth),
    month: fieldValues("month", schedule.month),
    dayOfWeek: fieldValues("dayOfWeek", schedule.dayOfWeek),
  };
  const compiled = { schedule, values };
  if (nextRun(compiled, 0) === undefined) throw scheduleProblem("schedule never fires (no such day)");
  return compiled;
}

const DAY_MS = 86_400_000;

/** The first query time (ms, a whole second, UTC) strictly after `after`; undefined if none within 8 years. */
export function nextRun({ values }: CompiledSchedule, after: number): number | undefined {
  const start = Math.floor(after / 1000) * 1000 + 1000;
  const firstDay = Math.floor(start / DAY_MS) * DAY_MS;
  for (let day = firstDay; day < firstDay + HORIZON_DAYS * DAY_MS; day += DAY_MS) {
    const date = new Date(day);
    const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
    if (
      !values.month.includes(date.getUTCMonth() + 1) ||
      !values.dayOfMonth.includes(date.getUTCDate()) ||
      !values.dayOfWeek.includes(weekday)
    ) {
      continue;
    }
    for (const hour of values.hour) {
      const h = day + hour * 3_600_000;
      if (h + 3_600_000 <= start) continue;
      for (const minute of values.minute) {
        const m = h + minute * 60_000;
        if (m + 60_000 <= start) continue;
        const second = values.second.find((s) => m + s * 1000 >= start);
        if (second !== undefined) return m + second * 1000;
      }
    }
  }
  return undefined;
}
