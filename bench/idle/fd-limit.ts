// The open-file limit (ulimit -n) that bounds how many connections a bench process can hold, read and raised on Linux.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The soft and hard limits on open files of process `pid` (this one by default), or undefined off Linux. */
export function openFileLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/limits`, 'utf8');
  } catch {
    return undefined;
  }
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!line) return undefined;
  const parse = (value: string): number => (value === 'unlimited' ? Infinity : Number(value));
  return { soft: parse(line[1]), hard: parse(line[2]) };
}

/**
 * Makes sure this process (and so the children it forks afterwards) may open `needed` files: raises the
 * soft limit, and the hard one with `prlimit` when allowed (CAP_SYS_RESOURCE). Returns undefined when the
 * limit is enough, else why not (for the table notes) and the soft limit that stays.
 */
export function ensureOpenFileLimit(needed: number): { reason: string; limit: number } | undefined {
  const before = openFileLimit();
  if (!before) return undefined; // not Linux: let the children find out and report their errors
  if (before.soft >= needed) return undefined;
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${needed}:${Math.max(needed, before.hard)}`], { stdio: 'ignore' });
  } catch {
    // no prlimit, or not allowed to raise the hard limit: reported below
  }
  const after = openFileLimit();
  if (after && after.soft >= needed) return undefined;
  const limit = after ?? before;
  return { reason: `ulimit -n is ${limit.soft} (hard ${limit.hard}) and could not be raised; ${needed} are needed per process (ulimit -n ${needed}, as root or via limits.conf)`, limit: limit.soft };
}
