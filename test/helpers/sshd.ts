/*
 * A real OpenSSH server for the SFTP connector's tests: Debian's sshd on a free loopback port, with a
 * temporary configuration, its own host key and a test user of its own (so several servers, in one
 * test process or in parallel ones, never share a password or an upload folder).
 *
 * Needs root (it creates OS users and runs sshd), which the tests have here and in CI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../platform/free-port';

const SSHD = '/usr/sbin/sshd';
/** Marks the OS users this helper creates, with the process that owns them and their temp folder. */
const USER_COMMENT = 'relais sftp test user';
const USER_COMMENT_PATTERN = /^relais sftp test user pid=(\d+) dir=(\S+)$/;
const START_TIMEOUT_MS = 10_000;

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface SshServerOptions {
  /** The algorithm of the server's host key (the client's fingerprint must match OpenSSH's for each). */
  hostKeyType?: HostKeyType;
}

export interface SshServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  /** The test user's private key (OpenSSH format); its public half is in the server's authorized keys. */
  privateKey: string;
  /** The test user's home: where relative SFTP paths land. Owned by the user, so writable over SFTP. */
  uploadRoot: string;
  /** The current host key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` + unpadded base64. */
  hostKeyFingerprint: string;
  /** Restarts sshd on the same port with a newly generated host key; returns its fingerprint. */
  rotateHostKey(): Promise<string>;
  /** sshd's own log (stderr), to explain a failing test. */
  log(): string;
  stop(): Promise<void>;
}

export async function startSshServer(options: SshServerOptions = {}): Promise<SshServer> {
  const hostKeyType = options.hostKeyType ?? 'ed25519';
  if (process.getuid?.() !== 0)
    throw new Error('startSshServer needs root: it creates an OS user and runs sshd');
  await ensureOpenSshServer();
  await removeAbandonedTestUsers();
  // sshd refuses to start without its privilege separation directory, which only the service creates.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const dir = await mkdtemp(path.join(os.tmpdir(), 'relais-sshd-'));
  // sshd reads authorized_keys as the logged-in user: let it through the folder (but not list it).
  await chmod(dir, 0o711);
  const user = await createTestUser(dir);
  const clientKey = path.join(dir, 'client_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'relais-test-client', '-f', clientKey]);
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`), { mode: 0o644 });

  const configPath = path.join(dir, 'sshd_config');
  const hostKey = path.join(dir, 'host_key');
  let hostKeyFingerprint = await generateHostKey(hostKey, hostKeyType);
  let daemon = await launchOnFreePort(async (port) => {
    await writeFile(configPath, sshdConfig({ port, dir, hostKey, authorizedKeys, username: user.username }));
    return configPath;
  });
  const killOnExit = () => daemon.process.kill();
  process.once('exit', killOnExit);

  return {
    host: '127.0.0.1',
    port: daemon.port,
    username: user.username,
    password: user.password,
    privateKey: await readFile(clientKey, 'utf8'),
    uploadRoot: user.homeDir,
    get hostKeyFingerprint() {
      return hostKeyFingerprint;
    },
    async rotateHostKey() {
      await daemon.stop();
      hostKeyFingerprint = await generateHostKey(hostKey, hostKeyType);
      daemon = await launch(configPath, daemon.port);
      return hostKeyFingerprint;
    },
    log: () => daemon.log(),
    async stop() {
      process.removeListener('exit', killOnExit);
      await daemon.stop();
      await removeTestUser(user.username, dir);
    },
  };
}

/** Installs Debian's OpenSSH server once per machine (a fresh CI machine has none). */
let installation: Promise<void> | undefined;
function ensureOpenSshServer(): Promise<void> {
  if (existsSync(SSHD)) return Promise.resolve();
  // flock: parallel test processes must not run apt-get at the same time. Docker images ship a
  // policy-rc.d that keeps the package from starting a system-wide sshd; we start our own.
  installation ??= run('flock', [
    '/var/lock/relais-openssh-install.lock',
    'sh',
    '-c',
    `test -x ${SSHD} || (apt-get update -q && apt-get install -y -q --no-install-recommends openssh-server)`,
  ]).then(() => undefined);
  return installation;
}

interface TestUser {
  username: string;
  password: string;
  homeDir: string;
}

async function createTestUser(dir: string): Promise<TestUser> {
  const username = `relais-sftp-${randomBytes(4).toString('hex')}`;
  await run('useradd', [
    '--create-home',
    '--shell',
    '/usr/sbin/nologin',
    '--comment',
    `${USER_COMMENT} pid=${process.pid} dir=${dir}`,
    username,
  ]);
  const password = randomBytes(18).toString('base64url');
  await run('chpasswd', [], `${username}:${password}\n`);
  const homeDir = (await run('getent', ['passwd', username])).trim().split(':')[5];
  if (!homeDir) throw new Error(`useradd created ${username} without a home directory`);
  return { username, password, homeDir };
}

async function removeTestUser(username: string, dir: string): Promise<void> {
  // -f: a session process of the user may still be closing; -r: the home (the upload root) goes too.
  await run('userdel', ['-f', '-r', username]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/** Test users (and their sshd) left behind by a test process that died before stopping its server. */
async function removeAbandonedTestUsers(): Promise<void> {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [username, , , , comment] = line.split(':');
    const owner = comment?.match(USER_COMMENT_PATTERN);
    if (!username || !owner?.[1] || !owner[2] || isAlive(Number(owner[1]))) continue;
    const dir = owner[2];
    const pidFile = path.join(dir, 'sshd.pid');
    const sshdPid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : undefined;
    // Only the sshd started with that folder's configuration, not whatever reused its pid.
    if (sshdPid && readCommandLine(sshdPid).includes(path.join(dir, 'sshd_config'))) process.kill(sshdPid);
    await removeTestUser(username, dir);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

async function generateHostKey(keyPath: string, type: HostKeyType): Promise<string> {
  await rm(keyPath, { force: true });
  await rm(`${keyPath}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'relais-test-host', '-f', keyPath]);
  // "256 SHA256:abc... relais-test-host (ED25519)"
  const fingerprint = (await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${keyPath}.pub`])).split(' ')[1];
  if (!fingerprint?.startsWith('SHA256:'))
    throw new Error(`ssh-keygen printed no fingerprint for ${keyPath}`);
  return fingerprint;
}

function sshdConfig(input: {
  port: number;
  dir: string;
  hostKey: string;
  authorizedKeys: string;
  username: string;
}): string {
  return [
    'ListenAddress 127.0.0.1',
    `Port ${input.port}`,
    `HostKey ${input.hostKey}`,
    `PidFile ${path.join(input.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${input.authorizedKeys}`,
    `AllowUsers ${input.username}`,
    'PasswordAuthentication yes',
    'PubkeyAuthentication yes',
    'KbdInteractiveAuthentication no',
    // Without PAM sshd checks the password against /etc/shadow itself: nothing else to configure.
    'UsePAM no',
    // The temp folder lives under /tmp (world-writable), which strict mode would refuse for authorized_keys.
    'StrictModes no',
    'PermitRootLogin no',
    'UseDNS no',
    'Subsystem sftp internal-sftp',
    'ForceCommand internal-sftp',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

interface Daemon {
  port: number;
  process: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/** A free port can be taken between our probe and sshd's bind: try a few. */
async function launchOnFreePort(writeConfig: (port: number) => Promise<string>): Promise<Daemon> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(await writeConfig(port), port);
    } catch (error) {
      if (attempt >= 5 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

/** Starts sshd in the foreground and resolves once it listens (it logs that right after listen()). */
function launch(configPath: string, port: number): Promise<Daemon> {
  const child = spawn(SSHD, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  // Keep reading stderr for the whole run: a full pipe would block sshd.
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-64 * 1024);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const daemon: Daemon = {
    port,
    process: child,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    let listening = false;
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`sshd ${reason}:\n${log}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    child.once('exit', (code) => {
      if (!listening) fail(`exited with code ${code}`);
    });
    child.stderr?.on('data', () => {
      if (listening || !log.includes('Server listening on')) return;
      listening = true;
      clearTimeout(timer);
      resolve(daemon);
    });
  });
}

/** Runs a command to completion; resolves with its stdout, rejects with its stderr. */
function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr.trim()}`));
    });
    // A command that exits without reading its input must not crash the test process with EPIPE.
    child.stdin?.on('error', () => undefined).end(input);
  });
}
