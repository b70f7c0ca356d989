import type { Actor } from '../../core/actor.js';
import { DomainError, LockedError } from '../../core/errors.js';
import type { DriftRecord } from '../../core/drift/drift-record.js';
import type { RemediationView } from '../../core/drift/drift-remediation.js';
import type { ProjectLock } from '../../core/locks/project-lock.model.js';
import type { Run } from '../../core/runs/run.model.js';
import type { EnqueueResult } from '../../core/runs/runs.service.js';
import { escape, statusLine } from './blocks.js';

/**
 * The texts the Slack front end answers with (mrkdwn), pure. A refusal says what core said —
 * the same message REST and PR comments show — and an unexpected failure only an id to quote.
 */
export const UNKNOWN_WORKSPACE =
  'Hi! This Slack workspace is not connected to Atlantas yet, so I cannot do anything here. ' +
  'An Atlantas admin can connect it with `POST /api/v1/slack/installations` or the install link.';

export function unmatchedUser(): string {
  return (
    "I don't know who you are in Atlantas yet, so I can only show `help` and `link`. " +
    'Get a one-time code with `POST /api/v1/users/me/slack-link` (logged in to Atlantas), then run `/atlantas link <code>` here within 10 minutes. ' +
    '(If your Slack email is confirmed and matches your Atlantas email, this happens by itself.)'
  );
}

export function whoami(actor: Actor, tenantName: string): string {
  return `You are *${escape(actor.name)}* (role \`${actor.role}\`) in tenant *${escape(tenantName)}*.`;
}

export function linked(actor: Actor): string {
  return `Linked: this Slack account now acts as *${escape(actor.name)}* (role \`${actor.role}\`).`;
}

export function refusal(err: DomainError): string {
  const holder = err instanceof LockedError && err.holder && typeof err.holder === 'object' ? (err.holder as { id?: string }).id : undefined;
  return `:no_entry: ${escape(err.message)}${holder ? ` (lock \`${holder}\`)` : ''}`;
}

export function failed(id: string): string {
  return `:boom: That failed on our side; quote id \`${id}\` to your Atlantas admin.`;
}

export function runLine(run: Run): string {
  const target = `${run.repoFullName}${run.prNumber ? `#${run.prNumber}` : ''} \`${run.dir}\` (${run.workspace})`;
  return `\`${run.id}\` ${run.operation} ${escape(target)} — ${run.status}${run.summary ? ` — ${escape(run.summary)}` : ''}`;
}

export function runStatus(run: Run): string {
  return `${runLine(run)}\n${statusLine(run)}`;
}

export function runList(runs: Run[]): string {
  return runs.length ? `*Recent runs*\n${runs.map(runLine).join('\n')}` : 'No runs yet.';
}

export function lockList(locks: ProjectLock[]): string {
  if (!locks.length) return 'No project is locked.';
  const lines = locks.map((l) => `\`${l.id}\` ${escape(`${l.repoFullName} ${l.dir} (${l.workspace})`)} — held by ${escape(l.holderName)} since ${new Date(l.lockedAt).toISOString()}`);
  return `*Locks*\n${lines.join('\n')}`;
}

export function unlocked(lock: ProjectLock): string {
  return `Unlocked ${escape(`${lock.repoFullName} ${lock.dir} (${lock.workspace})`)}; plans waiting under it were discarded.`;
}

/** The latest drift check of each project (stored results; nothing is run). */
export function driftList(records: DriftRecord[]): string {
  if (!records.length) return 'No drift checks yet.';
  const lines = records.map((r) => {
    const where = escape(`${r.projectName || r.dir} — ${r.repoFullName} ${r.dir} (${r.workspace})`);
    if (r.status === 'skipped' || r.status === 'errored') return `:grey_question: ${where}: ${escape(r.reason ?? r.status)}`;
    if (r.hasDrift === null) return `:hourglass: ${where}: checking`;
    const when = r.lastCheckedAt ? `, checked ${new Date(r.lastCheckedAt).toISOString()}` : '';
    if (!r.hasDrift) return `:white_check_mark: ${where}: no drift${when}`;
    const resources = [...(r.details?.changesOutside ?? []), ...(r.details?.pendingCodeChanges ?? [])].map((d) => d.address);
    return `:warning: ${where}: ${escape(r.summary ?? 'drift')} ${escape([...new Set(resources)].join(', '))}${when}${r.resolvedAt ? ' (marked resolved)' : ''}`;
  });
  return `*Drift*\n${lines.join('\n')}`;
}

export function planQueued(run: Run): string {
  return `Planning ${escape(run.repoFullName)} \`${run.dir}\` (${run.workspace}) as run \`${run.id}\`; the card in this channel follows it.`;
}

/** What one plan command came to: a run per project it planned, a refusal per project it could not (a lock held elsewhere names its holder). */
export function planResults(results: EnqueueResult[]): string {
  if (!results.length) return ':no_entry: the command selected no project';
  return results.map((r) => (r.run ? planQueued(r.run) : `:no_entry: ${escape(`${r.target.repoFullName} ${r.target.dir} (${r.target.workspace})`)}: ${escape(r.failure)}`)).join('\n');
}

/** Slack would not take the card in this channel (a private channel or DM without the bot): the run goes on. */
export function noCard(slackError: string): string {
  return `:warning: I could not post the card in this channel (Slack: ${escape(slackError)}). Invite me with \`/invite @atlantas\`, or follow the run with \`/atlantas status <run id>\` and apply it with \`/atlantas apply <run id>\`.`;
}

export function approved(run: Run): string {
  return `Approved run \`${run.id}\`; it applies now.`;
}

export function discarded(run: Run): string {
  return `Discarded run \`${run.id}\`.`;
}

/** What a Plan remediation click queued: a plan per drifted project (its card follows it), or why one could not be. */
export function remediationQueued(view: RemediationView): string {
  if (!view.projects.length) return ':no_entry: nothing to remediate: the drift is no longer recorded';
  return view.projects.map((p) => {
    const where = escape(`${view.repoFullName} ${p.dir} (${p.workspace})`);
    return p.run
      ? `Planning the remediation of ${where} as run \`${p.run.id}\`; its card follows it, and Approve apply on it applies the plan.`
      : `:no_entry: ${where}: ${escape(p.failure ?? p.error ?? 'not queued')}`;
  }).join('\n');
}
