import { STACK_NAMES, stackProject } from '@txn-dr/contracts';
import type { Stack } from './stack';
import type { Resource } from './types';

/** A resource and the stack that holds it. */
export interface Located {
  readonly stack: Stack;
  readonly resource: Resource;
}

const REMOTE_OUTPUT = /data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+)/;

/**
 * The stack whose state a `terraform_remote_state` data source reads, recognised by where the
 * stacks keep their state (contracts' `stateKey` for S3, `localStatePath` for a local file).
 */
export function remoteStack(stacks: readonly Stack[], dataSource: Resource): Stack | undefined {
  const config = (dataSource.body.config ?? {}) as { key?: unknown; path?: unknown };
  const key = typeof config.key === 'string' ? config.key : undefined;
  const path = typeof config.path === 'string' ? config.path : undefined;
  const name = STACK_NAMES.find((n) => key?.endsWith(`/${n}.tfstate`) || path?.includes(`/${stackProject(n)}/`));
  return name === undefined ? undefined : stacks.find((s) => s.name === name);
}

/**
 * What a value of `stack` refers to: a resource of the same stack, or, through
 * `data.terraform_remote_state.<x>.outputs.<name>`, the resource that the earlier stack publishes
 * as that output. Undefined when neither leads to a resource.
 */
export function resolveAcross(stacks: readonly Stack[], stack: Stack, value: unknown): Located | undefined {
  if (typeof value !== 'string') return undefined;
  const remote = REMOTE_OUTPUT.exec(value);
  if (remote) {
    const dataSource = stack.get(`data.terraform_remote_state.${remote[1]}`);
    const upstream = dataSource && remoteStack(stacks, dataSource);
    const outputs = (upstream?.json.output ?? {}) as Record<string, { value?: unknown } | undefined>;
    const resource = upstream?.resolve(outputs[remote[2]!]?.value);
    return upstream && resource ? { stack: upstream, resource } : undefined;
  }
  const resource = stack.resolve(value);
  return resource ? { stack, resource } : undefined;
}

/**
 * Everything a value of `stack` may refer to: every resource of the same stack it names, and for
 * each `data.terraform_remote_state.<x>.outputs.<name>` in it, every resource the earlier stack's
 * output names. An output that joins several ids (a list published as one string) gives them all,
 * so a rule that must hold for whichever one is meant checks each.
 */
export function resolveAllAcross(stacks: readonly Stack[], stack: Stack, value: unknown): Located[] {
  if (typeof value !== 'string') return [];
  const found = new Map<string, Located>();
  const add = (located: Located) => found.set(locationKey(located), located);
  for (const remote of value.matchAll(new RegExp(REMOTE_OUTPUT.source, 'g'))) {
    const dataSource = stack.get(`data.terraform_remote_state.${remote[1]}`);
    const upstream = dataSource && remoteStack(stacks, dataSource);
    const outputs = (upstream?.json.output ?? {}) as Record<string, { value?: unknown } | undefined>;
    for (const resource of upstream?.references(outputs[remote[2]!]?.value) ?? []) add({ stack: upstream!, resource });
  }
  for (const resource of stack.references(value)) if (resource.type !== 'terraform_remote_state') add({ stack, resource });
  return [...found.values()];
}

/** A stable key for a located resource: `<stack>:<address>`. */
export function locationKey(located: Located): string {
  return `${located.stack.name}:${located.resource.address}`;
}
