import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A 3-server ZooKeeper ensemble on 127.0.0.1 from Debian's `zookeeper` package: each server a JVM
 * started directly (QuorumPeerMain) so its process id is known, with a fresh data dir, four-letter
 * words enabled and the admin server off. Stopped by process id (SIGTERM, then SIGKILL).
 */

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** slf4j's simple binding: ZooKeeper's log lines go to each server's log file. */
const SLF4J_BINDING = '/usr/share/java/slf4j-simple.jar';
const JAVA = '/usr/bin/java';
const MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

export type ServerMode = 'leader' | 'follower' | 'standalone' | 'down';

export interface ZookeeperServer {
  readonly id: number;
  readonly clientPort: number;
  readonly configPath: string;
  readonly logPath: string;
  process: ChildProcess | null;
  stopped: boolean;
}

/** Whether Debian's zookeeper package (and a java) is installed. */
export function zookeeperAvailable(): boolean {
  return existsSync(ZOOKEEPER_JAR) && existsSync(JAVA);
}

/** The installed package's version (dpkg), e.g. "3.8.0-11". */
export function zookeeperVersion(): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'zookeeper'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends a four-letter word to a server's client port; the whole answer, or '' when it does not answer. */
export function fourLetterWord(port: number, word: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', done);
    socket.on('error', done);
  });
}

/** Signals one process by id; one that already exited is fine. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // ESRCH: it is gone already.
  }
}

export class ZookeeperEnsemble {
  readonly servers: ZookeeperServer[] = [];
  private readonly root = mkdtempSync(join(tmpdir(), 'meshkeeper-bench-zookeeper-'));

  private constructor(private readonly log: (line: string) => void) {}

  static async start(options: { log: (line: string) => void; size?: number }): Promise<ZookeeperEnsemble> {
    const ensemble = new ZookeeperEnsemble(options.log);
    try {
      await ensemble.open(options.size ?? 3);
      return ensemble;
    } catch (error) {
      await ensemble.close();
      throw error;
    }
  }

  private async open(size: number): Promise<void> {
    const ports: number[] = [];
    while (ports.length < size * 3) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const peers = Array.from({ length: size }, (_, i) => `server.${i + 1}=127.0.0.1:${ports[size + i]}:${ports[2 * size + i]}`);
    for (let i = 0; i < size; i++) {
      const id = i + 1;
      const dir = join(this.root, `server-${id}`);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${id}\n`);
      const configPath = join(dir, 'zoo.cfg');
      writeFileSync(
        configPath,
        [
          'tickTime=2000',
          'initLimit=10',
          'syncLimit=5',
          `dataDir=${dataDir}`,
          `clientPort=${ports[i]}`,
          'clientPortAddress=127.0.0.1',
          '4lw.commands.whitelist=*',
          'admin.enableServer=false',
          'maxClientCnxns=0',
          ...peers,
          '',
        ].join('\n'),
      );
      this.servers.push({ id, clientPort: ports[i] as number, configPath, logPath: join(dir, 'server.log'), process: null, stopped: false });
    }
    for (const server of this.servers) this.launch(server);
    await this.waitHealthy(60_000);
  }

  private launch(server: ZookeeperServer): void {
    const log = openSync(server.logPath, 'a');
    const child = spawn(
      JAVA,
      [
        '-Xmx512m',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
        '-Dzookeeper.jmx.log4j.disable=true',
        '-cp',
        `${ZOOKEEPER_JAR}:${SLF4J_BINDING}`,
        MAIN_CLASS,
        server.configPath,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    server.process = child;
    server.stopped = false;
    child.once('exit', () => {
      if (server.process === child) server.process = null;
    });
  }

  /** The servers' modes (from `srvr`). */
  async modes(): Promise<Map<number, ServerMode>> {
    const modes = new Map<number, ServerMode>();
    await Promise.all(
      this.servers.map(async (server) => {
        const answer = server.process === null || server.stopped ? '' : await fourLetterWord(server.clientPort, 'srvr');
        const mode = /Mode: (\w+)/.exec(answer)?.[1];
        modes.set(server.id, mode === 'leader' || mode === 'follower' || mode === 'standalone' ? mode : 'down');
      }),
    );
    return modes;
  }

  /** Waits until every server runs: one leader, the others following. */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const modes = [...(await this.modes()).values()];
      if (modes.filter((m) => m === 'leader').length === 1 && modes.every((m) => m === 'leader' || m === 'follower')) return;
      if (Date.now() > deadline) throw new Error(`the ZooKeeper ensemble is not healthy: ${modes.join(', ')} (logs under ${this.root})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async leader(): Promise<ZookeeperServer> {
    await this.waitHealthy();
    const modes = await this.modes();
    const server = this.servers.find((s) => modes.get(s.id) === 'leader');
    if (server === undefined) throw new Error('no ZooKeeper leader');
    return server;
  }

  async followers(): Promise<ZookeeperServer[]> {
    const leader = await this.leader();
    return this.servers.filter((s) => s !== leader);
  }

  connectionString(server: ZookeeperServer): string {
    return `127.0.0.1:${server.clientPort}`;
  }

  /** SIGKILL (the server dies at once, as a crashed machine's). */
  async kill(server: ZookeeperServer): Promise<void> {
    const child = server.process;
    if (child === null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signal(child.pid, 'SIGKILL');
    await exited;
  }

  /** SIGSTOP: the JVM stops running (a frozen machine) until `resume`. */
  freeze(server: ZookeeperServer): void {
    if (server.process?.pid === undefined) return;
    signal(server.process.pid, 'SIGSTOP');
    server.stopped = true;
  }

  resume(server: ZookeeperServer): void {
    if (server.process?.pid === undefined) return;
    signal(server.process.pid, 'SIGCONT');
    server.stopped = false;
  }

  /** Starts a killed server again on its data dir. */
  restart(server: ZookeeperServer): void {
    if (server.process !== null) return;
    this.launch(server);
  }

  /** Stops every JVM by its process id and removes the data dirs. */
  async close(): Promise<void> {
    const pids = this.servers.map((server) => server.process?.pid).filter((pid) => pid !== undefined);
    await Promise.all(
      this.servers.map(async (server) => {
        const child = server.process;
        if (child === null || child.pid === undefined) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        if (server.stopped) signal(child.pid, 'SIGCONT');
        signal(child.pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) signal(child.pid, 'SIGKILL');
        }, 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    if (pids.length > 0) this.log(`  ZooKeeper servers stopped (pids ${pids.join(', ')})`);
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Where the servers' logs are (kept until close). */
  get directory(): string {
    return this.root;
  }
}
