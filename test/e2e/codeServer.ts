// A real VS Code for the tests: code-server (installed by scripts/install-code-server.sh),
// bound to 127.0.0.1 (webviews need a secure context) on a free port, with its home, config,
// data and temp folders inside the test run's folder.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { atCleanup, runToEnd, sleep, spawnGroup, stopGroup } from './processes';

export interface CodeServer {
  readonly port: number;
  readonly origin: string;
  /** Everything code-server printed, for the run log. */
  output(): string;
  stop(): Promise<void>;
}

export interface Sandbox {
  /** The folder of this instance: user data, extensions, home, temp. */
  dir: string;
  env: NodeJS.ProcessEnv;
  userDataDir: string;
  extensionsDir: string;
}

/** The code-server entry script of the pinned install. */
export function codeServerEntry(repoRoot: string): string {
  const bin = path.join(repoRoot, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(bin)) {
    throw new Error(`code-server is not installed (${bin} missing): run \`bash scripts/install-code-server.sh\``);
  }
  return fs.realpathSync(bin);
}

/**
 * A folder with its own HOME, XDG folders and TMPDIR, and user settings that keep VS Code from
 * opening a welcome page or asking about workspace trust.
 */
export function makeSandbox(dir: string, settings: Record<string, unknown> = {}): Sandbox {
  const sub = (name: string) => {
    const p = path.join(dir, name);
    fs.mkdirSync(p, { recursive: true });
    return p;
  };
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Variables of an enclosing VS Code (its terminal, its CLI hook) would redirect this one.
    if (!k.startsWith('VSCODE_')) env[k] = v;
  }
  Object.assign(env, {
    HOME: sub('home'),
    XDG_CONFIG_HOME: sub('config'),
    XDG_DATA_HOME: sub('data'),
    XDG_CACHE_HOME: sub('cache'),
    TMPDIR: shortPath(sub('tmp')),
  });
  const userDataDir = sub('user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'workbench.tips.enabled': false,
        'extensions.ignoreRecommendations': true,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        // Offline: no extension gallery look-ups.
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        // The test workspaces sit inside this repository: no "open the parent repository?" toast.
        'git.openRepositoryInParentFolders': 'never',
        ...settings,
      },
      null,
      2,
    ),
  );
  return { dir, env, userDataDir, extensionsDir: sub('extensions') };
}

/**
 * Chromium and VS Code put unix sockets in TMPDIR (`org.chromium.Chromium.XXXXXX/SingletonSocket`,
 * `vscode-ipc-<uuid>.sock`), and a socket path may not exceed 107 bytes. When `dir` is too long
 * for that, returns a short symlink to it (in the system temp folder, removed at the end), so
 * the files still land in the test run's folder.
 */
function shortPath(dir: string): string {
  if (dir.length <= 48) return dir;
  const base = os.tmpdir().length <= 24 ? os.tmpdir() : '/tmp';
  const holder = fs.mkdtempSync(path.join(base, 'replens-'));
  const link = path.join(holder, 't');
  fs.symlinkSync(dir, link);
  atCleanup(() => fs.rmSync(holder, { recursive: true, force: true }));
  return link;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** `code-server --install-extension`, as a user installs a .vsix (works offline). */
export async function installExtension(repoRoot: string, sandbox: Sandbox, vsix: string): Promise<string> {
  const { code, output } = await runToEnd(
    process.execPath,
    [
      codeServerEntry(repoRoot),
      '--user-data-dir', sandbox.userDataDir,
      '--extensions-dir', sandbox.extensionsDir,
      '--install-extension', vsix,
    ],
    { env: sandbox.env, cwd: sandbox.dir },
    120_000,
  );
  if (code !== 0) throw new Error(`installing ${path.basename(vsix)} failed (exit ${code}):\n${output}`);
  return output;
}

/** Starts code-server and waits until /healthz answers. */
export async function startCodeServer(repoRoot: string, sandbox: Sandbox, folder: string): Promise<CodeServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawnGroup(
    process.execPath,
    [
      codeServerEntry(repoRoot),
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', sandbox.userDataDir,
      '--extensions-dir', sandbox.extensionsDir,
      folder,
    ],
    { env: sandbox.env, cwd: sandbox.dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`code-server exited with ${exited} before answering:\n${out}`);
    if (Date.now() > deadline) {
      await stopGroup(child);
      throw new Error(`code-server did not answer on ${origin}/healthz within 60 s:\n${out}`);
    }
    try {
      const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  return { port, origin, output: () => out, stop: () => stopGroup(child) };
}
