import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sandboxedCommand } from './sandbox.js';

/**
 * Telling a terraform process group that a dead server left behind from whatever now holds its
 * recorded pid. Pids are recycled, so a run's `runner_pid` alone never justifies a SIGKILL: the
 * group must still be led by terraform (its /proc cmdline), or, when terraform itself is gone (it
 * dies of SIGPIPE once the server that read its output is gone, leaving local-exec children
 * behind), one of its live members must carry the run's marker in its environment, which every
 * process terraform starts inherits. Under the sandbox the group is bwrap's (its command, after
 * `--`, is terraform, and it carries the marker too); bwrap's --die-with-parent normally ends the
 * sandbox with the server, so this is for what survives anyway. Linux only: elsewhere nothing is killed.
 */

/** Set in every terraform process of a run (and so inherited by its children): the run's id. */
export const RUN_ID_ENV = 'ATLANTAS_RUN_ID';

export interface OrphanVerdict {
  kill: boolean;
  /** why, for the log: never a command line or environment (they may hold secrets) */
  reason: string;
}

export interface GroupMember {
  pid: number;
  cmdline: string[];
}

/** Whether the group `pgid`, recorded as run `runId`'s terraform, is still that terraform's and may be killed. */
export async function judgeOrphanGroup(pgid: number, runId: string, binary: string, procRoot = '/proc'): Promise<OrphanVerdict> {
  if (process.platform !== 'linux') return { kill: false, reason: `cannot tell what pid ${pgid} is on ${process.platform} (no /proc); left alone` };
  const members = await liveMembers(pgid, procRoot);
  if (members === null) return { kill: false, reason: `cannot read ${procRoot}; left alone` };
  if (!members.length) return { kill: false, reason: `no live process is left in group ${pgid}` };
  const leader = members.find((m) => m.pid === pgid);
  if (leader && !isTerraformCommand(leader.cmdline, binary)) {
    const name = path.basename(leader.cmdline[0] ?? '?');
    return { kill: false, reason: `pid ${pgid} now runs ${name}, not ${path.basename(binary)}: the pid was reused; left alone` };
  }
  const marked = await someoneCarries(members, runId, procRoot);
  if (!marked) return { kill: false, reason: `no process of group ${pgid} belongs to this run (the pid was reused); left alone` };
  return leader
    ? { kill: true, reason: `terraform (pid ${pgid}) is still running` }
    : { kill: true, reason: `terraform (pid ${pgid}) is gone but left ${members.length} process(es) of the run in its group` };
}

/** True when argv runs the configured binary: directly, or through an interpreter (a wrapper script). */
export function isTerraformCommand(cmdline: string[], binary: string): boolean {
  const names = new Set([path.basename(binary), 'terraform', 'tofu']);
  // a sandboxed run's group is led by bwrap: what counts is its command, after `--`
  const command = path.basename(cmdline[0] ?? '') === 'bwrap' ? (sandboxedCommand(cmdline) ?? []) : cmdline;
  return command.slice(0, 2).some((arg) => names.has(path.basename(arg)));
}

/** The fields after the `(comm)` of /proc/<pid>/stat: state, ppid, pgrp, … (comm may hold spaces and parens). */
export function parseStat(stat: string): { state: string; pgrp: number } | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const [state, , pgrp] = stat.slice(close + 2).split(' ');
  const group = Number(pgrp);
  return state && Number.isInteger(group) ? { state, pgrp: group } : null;
}

/** Processes of group `pgid` that are not zombies; null when /proc cannot be listed. */
export async function liveMembers(pgid: number, procRoot = '/proc'): Promise<GroupMember[] | null> {
  const entries = await readdir(procRoot).catch(() => null);
  if (!entries) return null;
  const members: GroupMember[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = parseStat(await readFile(path.join(procRoot, entry, 'stat'), 'utf8').catch(() => ''));
    if (!stat || stat.pgrp !== pgid || stat.state === 'Z' || stat.state === 'X') continue;
    const cmdline = await readFile(path.join(procRoot, entry, 'cmdline'), 'utf8').catch(() => '');
    members.push({ pid: Number(entry), cmdline: cmdline.split('\0').filter(Boolean) });
  }
  return members;
}

async function someoneCarries(members: GroupMember[], runId: string, procRoot: string): Promise<boolean> {
  const marker = `${RUN_ID_ENV}=${runId}`;
  for (const m of members) {
    const environ = await readFile(path.join(procRoot, String(m.pid), 'environ'), 'utf8').catch(() => '');
    if (environ.split('\0').includes(marker)) return true;
  }
  return false;
}
