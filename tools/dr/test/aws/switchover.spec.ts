import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Harness, harness } from '../harness';

let h: Harness;
afterEach(() => h.dispose());

/** The model's state in a few words: who writes, where traffic goes, how big each group is. */
function picture(h: Harness) {
  const { primary, secondary } = h.fake.regions;
  return {
    writer: h.fake.global.writer,
    operation: h.fake.global.operation,
    weights: [primary.weight, secondary.weight],
    primary: `${primary.asg.min}/${primary.asg.desired}/${primary.asg.max}`,
    secondary: `${secondary.asg.min}/${secondary.asg.desired}/${secondary.asg.max}`,
  };
}

// Weights stay the fixed preference Terraform set: traffic follows the writable health checks.
const SWITCHED = { writer: 'secondary', operation: undefined, weights: [100, 0], primary: '1/1/4', secondary: '2/2/4' };

describe('dr switchover', () => {
  it('moves writes and traffic to us-east-2 in order, measures each step and names the config change', async () => {
    h = harness();
    expect(await h.run(['switchover', '--yes'])).toBe(0);
    expect(picture(h)).toEqual(SWITCHED);
    // Capacity before the database, the old region last, and no call to Route 53's control plane.
    expect(h.fake.writes()).toEqual(['UpdateAutoScalingGroup us-east-2', 'SwitchoverGlobalCluster us-east-2', 'UpdateAutoScalingGroup us-east-1']);
    const switchover = h.fake.calls.find((c) => c.command === 'SwitchoverGlobalCluster')!;
    expect(switchover.input).toEqual({
      GlobalClusterIdentifier: 'txdr-dev-global',
      TargetDbClusterIdentifier: 'arn:aws:rds:us-east-2:123456789012:cluster:txdr-dev-secondary-aurora',
    });

    const [report] = h.reports();
    expect(report).toMatchObject({
      operation: 'switchover',
      environment: 'dev',
      from: { role: 'primary', region: 'us-east-1' },
      to: { role: 'secondary', region: 'us-east-2' },
      outcome: 'completed',
      configChange: { field: 'activeRegion', from: 'us-east-1', to: 'us-east-2', file: 'libs/config/environments/dev.json' },
    });
    expect(report!.resumeCommand).toBeUndefined();
    expect(report!.dataLossWindow).toBeUndefined();
    const steps = Object.fromEntries(report!.recovery.steps.map((s) => [s.id, s]));
    expect(Object.keys(steps)).toEqual(['preconditions', 'scale-standby', 'promote-database', 'verify-traffic', 'scale-down-old']);
    expect(Object.values(steps).map((s) => s.status)).toEqual(['passed', 'done', 'done', 'done', 'done']);
    // Three polls of 10 s until the new instance is in service; four of 5 s until the writer moves;
    // the resolver keeps the old answer up to the 60 s TTL.
    expect(steps['scale-standby']!.seconds).toBeGreaterThanOrEqual(20);
    expect(steps['promote-database']!.seconds).toBeGreaterThanOrEqual(10);
    expect(steps['verify-traffic']!.seconds).toBeGreaterThan(0);
    expect(steps['promote-database']).toMatchObject({ before: 'writer us-east-1 (txdr-dev-primary-aurora)', after: 'writer us-east-2 (txdr-dev-secondary-aurora)' });
    const sum = Object.values(steps).reduce((total, s) => total + s.seconds!, 0);
    expect(report!.recovery.totalSeconds).toBeCloseTo(sum, 0);

    const output = h.lastOutput();
    expect(output).toMatch(/\[2\/5\] 0:0\d scale-standby: Scale the standby/);
    expect(output).toMatch(/ {6}\d:\d\d 2\/2 in service, 2\/2 healthy targets/);
    expect(output).toMatch(/switchover COMPLETED: us-east-1 -> us-east-2/);
    expect(output).toMatch(new RegExp(`total ${report!.recovery.totalSeconds.toFixed(1)} s`));
    expect(output).toContain('config: set "activeRegion": "us-east-2" in libs/config/environments/dev.json');
    expect(output).toMatch(/Report: reports\/dr\/switchover-dev-2026-11-20T03-00-\d\d-\d{3}Z\.json/);
  });

  it('asks before each destructive step unless --yes, and counts the time spent asking apart', async () => {
    h = harness();
    const confirm = async (question: string) => {
      h.questions.push(question);
      h.clock.t += 20_000;
      return true;
    };
    expect(await h.run(['switchover'], { confirm })).toBe(0);
    expect(h.questions).toEqual([
      'Switch txdr-dev-global over to txdr-dev-secondary-aurora in us-east-2? Writes pause while the clusters change roles.',
      'Scale txdr-dev-primary-asg in us-east-1 down to 1/1/4?',
    ]);
    const [report] = h.reports();
    expect(report!.recovery.confirmationSeconds).toBe(40);
    const steps = report!.recovery.steps;
    expect(steps.find((s) => s.id === 'scale-down-old')!.seconds).toBeLessThan(5);
  });

  it('stops, changing nothing more, when the operator says no; the rerun picks up there', async () => {
    h = harness();
    expect(await h.run(['switchover'], { confirm: async () => false })).toBe(4);
    expect(h.fake.writes()).toEqual(['UpdateAutoScalingGroup us-east-2']);
    expect(h.fake.global.writer).toBe('primary');
    const output = h.lastOutput();
    expect(output).toContain('stopped at promote-database: not confirmed');
    expect(output).toContain('done: preconditions, scale-standby');
    expect(output).toContain('not done: promote-database, verify-traffic, scale-down-old');
    expect(output).toContain('resume with: ENVIRONMENT_SUFFIX=dev npx dr switchover --to us-east-2');
    expect(h.reports()[0]).toMatchObject({ outcome: 'declined', resumeCommand: 'ENVIRONMENT_SUFFIX=dev npx dr switchover --to us-east-2' });
    expect(h.reports()[0]!.configChange).toBeUndefined();

    expect(await h.run(['switchover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(picture(h)).toEqual(SWITCHED);
    expect(h.reports()[1]!.recovery.steps.map((s) => s.status)).toEqual(['passed', 'already-done', 'done', 'done', 'done']);
  });

  it('refuses when the replication lag is too high, changing nothing and suggesting no failover while us-east-1 answers', async () => {
    h = harness({ lagMs: 45_000 });
    expect(await h.run(['switchover', '--yes'])).toBe(3);
    expect(h.fake.writes()).toEqual([]);
    const output = h.lastOutput();
    expect(output).toContain('the replication lag of txdr-dev-secondary-aurora is 45.0 s, over the 10 s a switchover accepts');
    expect(output).not.toContain('dr failover');
    expect(output).toContain('us-east-1 answers: wait for the lag to fall and run again');
    expect(h.reports()[0]).toMatchObject({ outcome: 'refused', problems: [expect.stringMatching(/45\.0 s/)] });
  });

  it('accepts that lag with a higher --max-lag-seconds', async () => {
    h = harness({ lagMs: 45_000 });
    expect(await h.run(['switchover', '--yes', '--max-lag-seconds', '60'])).toBe(0);
    expect(picture(h)).toEqual(SWITCHED);
  });

  it.each([
    ['engine versions differ', (h: Harness) => (h.fake.regions.secondary.cluster.engineVersion = '8.0.mysql_aurora.3.10.3'), /engine versions differ: 8\.0\.mysql_aurora\.3\.10\.4 in us-east-1, 8\.0\.mysql_aurora\.3\.10\.3 in us-east-2/],
    ['the standby has no healthy target', (h: Harness) => (h.fake.regions.secondary.asg.instances = []), /the standby in us-east-2 has no healthy target/],
    ['the secondary is not connected', (h: Harness) => (h.fake.global.synchronization.secondary = 'pending-resync'), /txdr-dev-secondary-aurora is pending-resync, not connected/],
    ['the standby cluster is not available', (h: Harness) => (h.fake.regions.secondary.cluster.status = 'modifying'), /txdr-dev-secondary-aurora in us-east-2 is modifying, not available/],
  ])('refuses when %s', async (_name, breakIt, problem) => {
    h = harness();
    breakIt(h);
    expect(await h.run(['switchover', '--yes'])).toBe(3);
    expect(h.lastOutput()).toMatch(problem);
    expect(h.fake.writes()).toEqual([]);
  });

  it('stops on an API error with what was done and not, and resumes from there', async () => {
    h = harness();
    h.fake.onCall = (call) => {
      if (call.command === 'SwitchoverGlobalCluster') {
        h.fake.failNext('UpdateAutoScalingGroup', Object.assign(new Error('User is not authorized to perform: autoscaling:UpdateAutoScalingGroup'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
      }
    };
    expect(await h.run(['switchover', '--yes'])).toBe(1);
    expect(picture(h)).toMatchObject({ writer: 'secondary', primary: '2/2/4' });
    const output = h.lastOutput();
    expect(output).toContain('FAILED after');
    expect(output).toContain("stopped at scale-down-old: AccessDenied on autoscaling:UpdateAutoScalingGroup in us-east-1: the operator role needs autoscaling:UpdateAutoScalingGroup");
    expect(output).toContain('done: preconditions, scale-standby, promote-database, verify-traffic');
    expect(output).toContain('not done: scale-down-old');
    expect(output).toContain('resume with: ENVIRONMENT_SUFFIX=dev npx dr switchover --to us-east-2');
    // The writer has moved: the config change is already due.
    expect(output).toContain('config: set "activeRegion": "us-east-2"');
    expect(h.reports()[0]).toMatchObject({ outcome: 'failed', resumeCommand: 'ENVIRONMENT_SUFFIX=dev npx dr switchover --to us-east-2' });

    h.fake.onCall = undefined;
    expect(await h.run(['switchover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(picture(h)).toEqual(SWITCHED);
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(1);
    expect(h.reports()[1]!.recovery.steps.map((s) => s.status)).toEqual(['already-done', 'already-done', 'already-done', 'already-done', 'done']);
  });

  it('rides out throttled reads while it waits for the writer', async () => {
    h = harness();
    h.fake.onCall = (call) => {
      if (call.command === 'SwitchoverGlobalCluster') {
        h.fake.failNext('DescribeGlobalClusters', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }), 3);
      }
    };
    expect(await h.run(['switchover', '--yes'])).toBe(0);
    expect(picture(h)).toEqual(SWITCHED);
  });

  it('prints its summary even when the report cannot be written, and says so without a stack trace', async () => {
    h = harness();
    const blocked = join(h.root, 'not-a-folder');
    writeFileSync(blocked, '');
    expect(await h.run(['switchover', '--yes', '--report', join(blocked, 'report.json')])).toBe(1);
    expect(h.lastOutput()).toContain('switchover COMPLETED: us-east-1 -> us-east-2');
    expect(h.err.join('\n')).toMatch(/^cannot write the report to .*not-a-folder\/report\.json: EEXIST: .*; the summary above is the record of this run$/m);
    expect(h.err.join('\n')).not.toMatch(/^\s+at /m);
  });

  it('gives up a wait after its timeout and says what it saw last', async () => {
    h = harness({ switchoverMs: 3_600_000 });
    expect(await h.run(['switchover', '--yes'], { waits: { capacity: { intervalMs: 10_000, timeoutMs: 600_000 }, database: { intervalMs: 5_000, timeoutMs: 60_000 }, dnsChange: { intervalMs: 5_000, timeoutMs: 60_000 }, health: { intervalMs: 5_000, timeoutMs: 60_000 }, fence: { intervalMs: 5_000, timeoutMs: 60_000 } } })).toBe(1);
    expect(h.lastOutput()).toContain(
      'stopped at promote-database: timed out after 60 s waiting for txdr-dev-secondary-aurora to be the global writer (last seen: writer us-east-1 (txdr-dev-primary-aurora), switching-over to us-east-2)',
    );
  });
});

describe('a rerun after an interruption resumes where it stopped', () => {
  const STEPS = ['preconditions', 'scale-standby', 'promote-database', 'verify-traffic', 'scale-down-old'];

  /** Runs a switchover and presses Ctrl-C at a moment chosen by `when` (a line of its progress). */
  async function interruptedThenResumed(when: (line: string, step: number) => boolean) {
    h = harness();
    const controller = new AbortController();
    let step = 0;
    const out = (text: string) => {
      for (const line of text.split('\n')) {
        h.out.push(line);
        const started = /^\[(\d)\/5\]/.exec(line);
        if (started) step = Number(started[1]);
        if (when(line, step)) controller.abort();
      }
    };
    const first = await h.run(['switchover', '--yes'], { signal: controller.signal, out });
    const second = await h.run(['switchover', '--yes', '--to', 'us-east-2']);
    return { first, second };
  }

  it.each(STEPS.map((id, i) => [id, i + 1]))('Ctrl-C as %s starts', async (id, index) => {
    const { first, second } = await interruptedThenResumed((line) => line.startsWith(`[${index}/5]`));
    expect(first).toBe(130);
    const [stopped, resumed] = h.reports();
    expect(stopped!.outcome).toBe('interrupted');
    expect(stopped!.resumeCommand).toBe('ENVIRONMENT_SUFFIX=dev npx dr switchover --to us-east-2');
    // The check of a step is instant, so Ctrl-C during preconditions is seen as the next step starts.
    const interrupted = stopped!.recovery.steps.find((s) => s.status === 'interrupted')!;
    expect(interrupted.id).toBe(id === 'preconditions' ? 'scale-standby' : id);
    expect(second).toBe(0);
    expect(resumed!.outcome).toBe('completed');
    expect(picture(h)).toEqual(SWITCHED);
    // Every change was made exactly once across both runs.
    expect(h.fake.writes()).toEqual(['UpdateAutoScalingGroup us-east-2', 'SwitchoverGlobalCluster us-east-2', 'UpdateAutoScalingGroup us-east-1']);
  });

  it.each([
    ['scale-standby', 2],
    ['promote-database', 3],
    ['verify-traffic', 4],
  ])('Ctrl-C while %s waits, after it acted', async (id, index) => {
    const { first, second } = await interruptedThenResumed((line, step) => step === index && /^ {6}\d+:\d\d /.test(line));
    expect(first).toBe(130);
    const [stopped, resumed] = h.reports();
    expect(stopped!.recovery.steps.find((s) => s.status === 'interrupted')!.id).toBe(id);
    expect(second).toBe(0);
    expect(resumed!.recovery.steps.slice(0, index - 1).every((s) => s.status === 'already-done' || s.status === 'passed')).toBe(true);
    expect(picture(h)).toEqual(SWITCHED);
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(1);
    expect(h.fake.count('ChangeResourceRecordSets')).toBe(0);
  });
});
