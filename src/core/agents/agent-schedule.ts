import cron, { type ScheduledTask } from 'node-cron';

/**
 * When an agent is due, from its cron expression (node-cron's grammar: 5 fields, or 6 with
 * seconds first; naming one second unless ATLANTAS_AGENT_SECOND_SCHEDULES) in its time zone (UTC unless it names one). Pure apart from node-cron's
 * matcher, which is never started: nothing here schedules a timer. The scheduler asks one
 * question per agent and tick: the latest slot in (anchor, now], so slots missed while no
 * replica led collapse into one run instead of one per missed minute.
 */

/** Why `expression` is not a schedule, or null when it is one. */
export function cronProblem(expression: string): string | null {
  const result = cron.validateDetailed(expression);
  if (result.valid) return null;
  const reasons = result.errors.map((e) => (e.field === 'expression' ? e.message : `${e.field}: ${e.message}`));
  return `"${expression}" is not a valid cron expression (${reasons.join('; ')}); expected 5 fields (minute hour day-of-month month day-of-week, e.g. "*/15 * * * *") or 6 with seconds first`;
}

/**
 * Why a valid `expression` runs too often for an agent, or null. node-cron also takes per-second
 * expressions (6 fields, seconds first); an agent runs at most once a minute (each execution is
 * terraform runs, clones, registry calls), so a seconds field must name one second.
 */
export function frequencyProblem(expression: string): string | null {
  const seconds = cron.parse(expression).second.length;
  if (seconds > 1) {
    return `"${expression}" runs ${seconds} times a minute; agents run at most once a minute: use 5 fields (e.g. "* * * * *" for every minute) or a seconds field naming one second (e.g. "0 * * * * *")`;
  }
  return null;
}

/** Why `timezone` is not an IANA time zone, or null. */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    return `"${timezone}" is not an IANA time zone such as UTC or Europe/Paris`;
  }
}

/** How far back a catch-up looks: a slot older than this (a leaderless month) is not run late. */
const MAX_LOOKBACK_MS = 31 * 86_400_000;
const MINUTE = 60_000;

/** Never-started node-cron tasks, one per (expression, zone), used only for `match`. */
const matchers = new Map<string, ScheduledTask>();
function matcher(expression: string, timezone: string): ScheduledTask {
  const key = `${timezone}\u0000${expression}`;
  let task = matchers.get(key);
  if (!task) {
    if (matchers.size > 1000) clearMatchers();
    task = cron.createTask(expression, () => {}, { timezone });
    matchers.set(key, task);
  }
  return task;
}
function clearMatchers(): void {
  for (const task of matchers.values()) void task.destroy();
  matchers.clear();
}

/**
 * The latest instant in (after, now] the schedule matches (whole seconds), or null when none
 * does. Walks back minute by minute from `now`, testing only the seconds the expression names.
 */
export function latestDueSlot(expression: string, timezone: string, after: Date, now: Date): Date | null {
  const seconds = [...cron.parse(expression).second].sort((a, b) => b - a);
  const task = matcher(expression, timezone);
  const floor = Math.max(after.getTime(), now.getTime() - MAX_LOOKBACK_MS);
  for (let minute = Math.floor(now.getTime() / MINUTE) * MINUTE; minute + MINUTE > floor; minute -= MINUTE) {
    for (const s of seconds) {
      const t = minute + s * 1000;
      if (t > now.getTime() || t <= after.getTime()) continue;
      const date = new Date(t);
      if (task.match(date)) return date;
    }
  }
  return null;
}
