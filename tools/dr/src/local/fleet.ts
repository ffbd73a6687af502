import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SERVICE_ENV as ENV } from '@txn-dr/contracts';
import type { Capacity, DrRole } from '@txn-dr/config';
import { freePort } from './mariadb';

/** What a region's service processes connect to, as the service's own user (a password, given directly). */
export interface FleetDatabase {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export interface FleetOptions {
  readonly role: DrRole;
  readonly region: string;
  /** The built service bundle (dist/apps/transaction-api/main.js). */
  readonly bundle: string;
  readonly database: FleetDatabase;
  /**
   * Where the health probes go when not to `database` (the region's own cluster, while data goes
   * to the global writer endpoint). @default the data endpoint
   */
  readonly probe?: { readonly host: string; readonly port: number };
  /**
   * Time from asking for an instance to its process starting: an EC2 launch plus boot stands
   * behind it in AWS. @default 0
   */
  readonly bootDelayMs?: number;
  /** Target health check: interval of `GET path` on each process. @default 200 */
  readonly targetIntervalMs?: number;
  /** Deadline of one target check. @default 1000 */
  readonly targetTimeoutMs?: number;
  /** Path of the load balancer's target check. @default '/health' */
  readonly targetPath?: string;
  /** Where the processes' stderr goes (their JSON logs are discarded). @default 'ignore' */
  readonly stderr?: 'inherit' | 'ignore';
}

interface Instance {
  readonly id: number;
  port?: number;
  child?: ChildProcess;
  boot?: NodeJS.Timeout;
  healthy: boolean;
  /** Asked to go away; it no longer counts. */
  retiring: boolean;
}

export interface FleetState {
  readonly role: DrRole;
  readonly region: string;
  readonly capacity: Capacity;
  /** Processes started (booted), as EC2 instances InService. */
  readonly inService: number;
  /** Every instance not yet gone: booting, in service, or terminating (still draining). */
  readonly instances: number;
  /** Processes whose target check passes. */
  readonly healthy: number;
  /**
   * Base URLs the region's load balancer forwards to: the healthy processes, or, when none is
   * healthy, every running one: "if all targets fail health checks at the same time in all enabled
   * Availability Zones, the load balancer fails open"
   * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
   */
  readonly targets: readonly string[];
}

/**
 * A region's Auto Scaling group and target group, locally: `desired` processes of the real
 * service bundle, each started after a boot delay, and a target check that says which of them
 * the load balancer may use. Killing the fleet (`loseAll`) is the region-loss fault; setting the
 * capacity to zero is how fencing stops a region from acknowledging writes.
 */
export class ServiceFleet {
  private capacity: Capacity = { min: 0, desired: 0, max: 0 };
  private readonly instances: Instance[] = [];
  private nextId = 1;
  private readonly checker: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: FleetOptions) {
    if (!existsSync(options.bundle)) {
      throw new Error(`the service bundle ${options.bundle} does not exist: build it with \`npx nx run transaction-api:build\``);
    }
    this.checker = setInterval(() => void this.checkTargets(), options.targetIntervalMs ?? 200);
    this.checker.unref();
  }

  state(): FleetState {
    const live = this.instances.filter((i) => !i.retiring);
    const healthy = live.filter((i) => i.healthy && i.port !== undefined);
    const running = live.filter((i) => i.child && i.port !== undefined);
    return {
      role: this.options.role,
      region: this.options.region,
      capacity: this.capacity,
      inService: live.filter((i) => i.child).length,
      instances: this.instances.length,
      healthy: healthy.length,
      targets: (healthy.length > 0 ? healthy : running).map((i) => `http://127.0.0.1:${i.port}`),
    };
  }

  /** Like UpdateAutoScalingGroup: the fleet converges on `desired`, launching or terminating. */
  setCapacity(capacity: Capacity): void {
    this.converge(capacity, this.options.bootDelayMs ?? 0);
  }

  /** The fleet a region already runs when the world starts: no boot delay. */
  setCapacityNow(capacity: Capacity): void {
    this.converge(capacity, 0);
  }

  private converge(capacity: Capacity, bootDelayMs: number): void {
    if (capacity.min > capacity.desired || capacity.desired > capacity.max) throw new Error(`capacity ${capacity.min}/${capacity.desired}/${capacity.max}: min <= desired <= max`);
    this.capacity = capacity;
    const live = this.instances.filter((i) => !i.retiring);
    for (let n = live.length; n < capacity.desired; n++) this.launch(bootDelayMs);
    // Newest first, as the default termination policy prefers instances launched last... closest
    // enough: what matters here is that the count converges.
    for (const instance of live.slice(capacity.desired).reverse()) this.terminate(instance, 'SIGTERM');
  }

  /** Every process killed at once and nothing relaunched: the region is gone. */
  loseAll(): void {
    this.capacity = { min: 0, desired: 0, max: 0 };
    for (const instance of this.instances) this.terminate(instance, 'SIGKILL');
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.checker);
    const exits = this.instances.map((i) => this.terminate(i, 'SIGKILL'));
    await Promise.all(exits);
  }

  private launch(bootDelayMs: number): void {
    const instance: Instance = { id: this.nextId++, healthy: false, retiring: false };
    this.instances.push(instance);
    instance.boot = setTimeout(() => void this.boot(instance), bootDelayMs);
  }

  private async boot(instance: Instance): Promise<void> {
    if (instance.retiring || this.closed) return;
    const port = await freePort();
    if (instance.retiring || this.closed) return;
    const { database, role, region } = this.options;
    instance.port = port;
    instance.child = spawn(process.execPath, [this.options.bundle], {
      env: {
        PATH: process.env['PATH'] ?? '',
        [ENV.host]: '127.0.0.1',
        [ENV.port]: String(port),
        [ENV.region]: region,
        [ENV.role]: role,
        [ENV.logLevel]: 'error',
        [ENV.dbHost]: database.host,
        [ENV.dbPort]: String(database.port),
        [ENV.dbName]: database.database,
        // The service's own user with a static password: DML on its schema, no schema changes
        // (the migrate step made them before the fleet started), so the service only checks it.
        [ENV.dbAuth]: 'static',
        [ENV.dbUser]: database.user,
        [ENV.dbPassword]: database.password,
        ...(this.options.probe ? { [ENV.dbProbeHost]: this.options.probe.host, [ENV.dbProbePort]: String(this.options.probe.port) } : {}),
        // A frozen database must turn into errors quickly, as it would for a client of Aurora.
        [ENV.dbConnectTimeoutMs]: '1000',
        [ENV.dbQueryTimeoutMs]: '2000',
        [ENV.healthTimeoutMs]: '500',
        [ENV.shutdownTimeoutMs]: '2000',
        [ENV.retryAfterSeconds]: '1',
      },
      stdio: ['ignore', 'ignore', this.options.stderr ?? 'ignore'],
    });
    instance.child.once('exit', () => {
      instance.healthy = false;
      const index = this.instances.indexOf(instance);
      if (index >= 0) this.instances.splice(index, 1);
      // A process that died on its own is replaced, as the group replaces an unhealthy instance.
      if (!instance.retiring && !this.closed) this.setCapacity(this.capacity);
    });
  }

  private terminate(instance: Instance, signal: NodeJS.Signals): Promise<void> {
    instance.retiring = true;
    instance.healthy = false;
    if (instance.boot) clearTimeout(instance.boot);
    const child = instance.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      const index = this.instances.indexOf(instance);
      if (index >= 0 && !child) this.instances.splice(index, 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }

  private async checkTargets(): Promise<void> {
    const timeout = this.options.targetTimeoutMs ?? 1_000;
    const path = this.options.targetPath ?? '/health';
    await Promise.all(
      this.instances
        .filter((i) => i.port !== undefined && !i.retiring)
        .map(async (instance) => {
          try {
            const response = await fetch(`http://127.0.0.1:${instance.port}${path}`, { signal: AbortSignal.timeout(timeout) });
            await response.arrayBuffer();
            instance.healthy = response.status === 200 && !instance.retiring;
          } catch {
            instance.healthy = false;
          }
        }),
    );
  }
}
