import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { DEFAULT_ENVIRONMENT_NAME, REFERENCE_CAPACITY, REFERENCE_REGIONS } from './defaults';
import { placeholderZoneName } from './domains';
import { ConfigError, type ConfigIssue } from './errors';
import { deepMerge, type DeepPartial } from './merge';
import { type DrRole, type Environment, type EnvironmentInput, type RegionConfig, environmentSchema } from './schema';

/** What an environment file or a caller may set: any subset of the input, with the name required. */
export type EnvironmentOverrides = DeepPartial<EnvironmentInput> & { name: string };

/** The folder of `<name>.json` environment files shipped with this package. */
export const ENVIRONMENTS_DIR = join(__dirname, '..', 'environments');

/** Where a field's value came from, when not from the environment file: shown in error messages. */
const FIELD_SOURCES: Record<string, string> = {
  name: 'ENVIRONMENT_SUFFIX',
  'state.bucket': 'TERRAFORM_STATE_BUCKET',
  'state.region': 'TERRAFORM_STATE_BUCKET_REGION',
};

/** `alerts.subscriptions[1].endpoint`: keys joined by dots, list positions in brackets. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((field, key) => (typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${String(key)}` : String(key)), '');
}

/**
 * Fields that existed once and were replaced: an environment file still setting one is told what
 * to write instead, rather than only that the key is unknown.
 */
const RETIRED_FIELDS: Record<string, string> = {
  'loadBalancer.certificateArn':
    'was replaced by loadBalancer.certificates.primary and loadBalancer.certificates.secondary: an ACM certificate serves only its own region, so each region needs its own (or none, and the stack requests one)',
};

function toIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const field = fieldPath(issue.path) || '(root)';
    if (issue.code === 'unrecognized_keys') {
      const retired = issue.keys.filter((key) => `${field}.${key}` in RETIRED_FIELDS);
      const unknown = issue.keys.filter((key) => !retired.includes(key));
      return [
        ...retired.map((key) => ({ field: `${field}.${key}`, message: RETIRED_FIELDS[`${field}.${key}`]! })),
        ...(unknown.length > 0 ? [{ field, message: unknown.length === issue.keys.length ? issue.message : `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `"${k}"`).join(', ')}` }] : []),
      ];
    }
    const source = FIELD_SOURCES[field];
    return [{ field: source ? `${field} (${source})` : field, message: issue.message }];
  });
}

/**
 * Validates an environment and fills its defaults: the reference regions and capacities first, then `input` over
 * them, then the schema's field defaults and derived values. Throws ConfigError naming every bad field.
 */
export function defineEnvironment(input: EnvironmentOverrides, source = 'inline'): Environment {
  const defaults: EnvironmentInput = { name: input.name, regions: REFERENCE_REGIONS, capacity: REFERENCE_CAPACITY };
  const merged = deepMerge<EnvironmentInput>(defaults, input as DeepPartial<EnvironmentInput>);
  const result = environmentSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(source, toIssues(result.error));
  const parsed = result.data;
  const { zoneName, existingZoneId, recordName } = parsed.dns;
  return {
    ...parsed,
    activeRegion: parsed.activeRegion ?? parsed.regions.primary.region,
    dns: {
      zoneName: zoneName ?? placeholderZoneName(parsed.name),
      recordName,
      ...(existingZoneId === undefined ? {} : { existingZoneId }),
      placeholder: zoneName === undefined,
    },
  };
}

export interface LoadEnvironmentOptions {
  /** Variables to read ENVIRONMENT_SUFFIX and the state settings from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder of `<name>.json` environment files. @default ENVIRONMENTS_DIR */
  readonly environmentsDir?: string;
}

function readEnvironmentFile(path: string): DeepPartial<EnvironmentInput> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(path, [{ field: '(file)', message: `is not valid JSON: ${(error as Error).message}` }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(path, [{ field: '(file)', message: 'must hold a JSON object' }]);
  }
  for (const field of ['name', 'state']) {
    if (field in parsed) {
      throw new ConfigError(path, [{ field, message: `is set from ${field === 'name' ? 'ENVIRONMENT_SUFFIX and the file name' : 'TERRAFORM_STATE_BUCKET(_REGION)'}, not in the file` }]);
    }
  }
  return parsed as DeepPartial<EnvironmentInput>;
}

/**
 * The environments there are: `dev` (the defaults alone, no file needed) and one per
 * `<name>.json` in the folder, sorted.
 */
export function knownEnvironments(environmentsDir: string = ENVIRONMENTS_DIR): string[] {
  const files = existsSync(environmentsDir) ? readdirSync(environmentsDir).filter((file) => file.endsWith('.json')) : [];
  return [...new Set([DEFAULT_ENVIRONMENT_NAME, ...files.map((file) => file.slice(0, -'.json'.length))])].sort();
}

/**
 * The environment named by ENVIRONMENT_SUFFIX (default `dev`): the reference defaults, overlaid by
 * `environments/<name>.json`, with the state bucket from the process environment. Every name but
 * `dev` needs its file: a misspelt or missing environment is an error listing the known ones, never
 * a silent set of defaults (which would synthesize, and could deploy, an environment nobody
 * described). Throws ConfigError before anything is synthesized.
 */
export function loadEnvironment(options: LoadEnvironmentOptions = {}): Environment {
  const vars = options.env ?? process.env;
  const name = vars.ENVIRONMENT_SUFFIX ?? DEFAULT_ENVIRONMENT_NAME;
  const dir = options.environmentsDir ?? ENVIRONMENTS_DIR;
  const source = `ENVIRONMENT_SUFFIX=${name}`;
  // Only a well-formed name can pick a file; a malformed one falls through to validation, which names it.
  const wellFormed = environmentSchema.shape.name.safeParse(name).success;
  const file = wellFormed ? join(dir, `${name}.json`) : undefined;
  const hasFile = file !== undefined && existsSync(file);
  if (wellFormed && !hasFile && name !== DEFAULT_ENVIRONMENT_NAME) {
    throw new ConfigError(source, [
      {
        field: `name (${FIELD_SOURCES.name})`,
        message: `${name} is not a known environment (no ${file}); the known ones are ${knownEnvironments(dir).join(', ')}. Set ENVIRONMENT_SUFFIX to one of them, or add ${name}.json there to define ${name}.`,
      },
    ]);
  }
  const fromFile = hasFile ? readEnvironmentFile(file) : {};
  const state = {
    bucket: vars.TERRAFORM_STATE_BUCKET || undefined,
    region: vars.TERRAFORM_STATE_BUCKET_REGION || undefined,
  };
  return defineEnvironment({ ...fromFile, name, state }, hasFile ? file : source);
}

/** The slice of an environment that a regional stack or tool works with. */
export function regionOf(env: Environment, role: DrRole): RegionConfig {
  return env.regions[role];
}

/** The role whose region is `activeRegion`. */
export function activeRole(env: Environment): DrRole {
  return env.activeRegion === env.regions.primary.region ? 'primary' : 'secondary';
}

/** The other role of the pair. */
export function otherRole(role: DrRole): DrRole {
  return role === 'primary' ? 'secondary' : 'primary';
}

/**
 * Risky but legal choices, for synth to print: they do not stop anything.
 */
export function environmentWarnings(env: Environment): string[] {
  const warnings: string[] = [];
  if (!env.database.deletionProtection) {
    warnings.push('database.deletionProtection is off: only for throwaway environments');
  }
  if (!env.loadBalancer.deletionProtection) {
    warnings.push('loadBalancer.deletionProtection is off: only for throwaway environments');
  }
  if (env.dns.placeholder) {
    warnings.push(`dns.zoneName is the placeholder ${env.dns.zoneName}: synth works, a deploy is refused until dns.zoneName names a domain you own`);
  }
  return warnings;
}

