// Child processes of an end-to-end run and their cleanup. Every process the run starts is
// stopped by its id, also when a test fails or the run times out; a last sweep stops any
// process whose command line names the run's own folder (a unique path), so nothing is left.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];

/** Registers work to do at the end of the run, whatever happens; run in reverse order. */
export function atCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

/** Runs every registered cleanup once, newest first; errors are reported, never thrown. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (e) {
      console.error(`cleanup: ${(e as Error).message}`);
    }
  }
}

/**
 * Starts a process in its own process group, so that stopping it also stops what it started
 * (code-server's extension host, file watcher, pty host).
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  atCleanup(() => stopGroup(child));
  return child;
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs` if it is still there. */
export async function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Stops, by id, every process whose command line contains `marker` (the run's folder). */
export async function stopStragglers(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(marker)) found.push(pid);
  }
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const pid of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 3000;
  while (found.some(alive) && Date.now() < deadline) await sleep(100);
  return found;
}

/** Runs a command to completion; resolves with its exit code and output. */
export function runToEnd(
  command: string,
  args: string[],
  options: SpawnOptions,
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawnGroup(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n(timed out after ${timeoutMs} ms)`;
      void stopGroup(child);
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
