import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_ENVIRONMENT_NAME, REFERENCE_CAPACITY, REFERENCE_REGIONS } from './defaults';
import { placeholderZoneName } from './domains';
import { ConfigError } from './errors';
import { type FieldIssue, schemaIssues, sortByField, toConfigIssues } from './field-issues';
import { deepMerge, type DeepPartial } from './merge';
import { type DrRole, type Environment, type EnvironmentInput, type RegionConfig, environmentSchema } from './schema';

/** What an environment file or a caller may set: any subset of the input, with the name required. */
export type EnvironmentOverrides = DeepPartial<EnvironmentInput> & { name: string };

/** The folder of `<name>.json` environment files shipped with this package. */
export const ENVIRONMENTS_DIR = join(__dirname, '..', 'environments');

/**
 * The variable holding the path of an environment file kept outside this package: absolute, or
 * relative to the current directory. The file names its environment (`name`), and is validated
 * like the files in ENVIRONMENTS_DIR.
 */
export const CONFIG_FILE_VARIABLE = 'TXN_DR_CONFIG';

/** Where the state settings come from: the process environment, never a file. */
const STATE_SOURCES: Readonly<Record<string, string>> = {
  'state.bucket': 'TERRAFORM_STATE_BUCKET',
  'state.region': 'TERRAFORM_STATE_BUCKET_REGION',
};

/** Where a field's value came from, when not from the environment file: shown in error messages. */
const FIELD_SOURCES: Readonly<Record<string, string>> = { name: 'ENVIRONMENT_SUFFIX', ...STATE_SOURCES };

const STATE_IN_FILE = 'is set from TERRAFORM_STATE_BUCKET(_REGION), not in the file';

interface Validation {
  /** What the input came from, for the error's first line: a file's path, `inline`, `ENVIRONMENT_SUFFIX=<name>`. */
  readonly source: string;
  /** @default FIELD_SOURCES */
  readonly fieldSources?: Readonly<Record<string, string>>;
  /** Problems found before validation (a file setting what it may not), reported with the others. */
  readonly issues?: readonly FieldIssue[];
  /** What to say of a required field that is missing, by field, instead of `is required`. */
  readonly required?: Readonly<Record<string, string>>;
}

/**
 * The reference defaults, `input` over them, then the schema's field defaults and derived values.
 * Every problem found, by the schema, the cross-field rules or before (`issues`), is reported in
 * one ConfigError, in the order of the fields.
 */
function validate(input: DeepPartial<EnvironmentInput>, { source, fieldSources = FIELD_SOURCES, issues = [], required = {} }: Validation): Environment {
  const defaults: EnvironmentInput = { name: input.name as string, regions: REFERENCE_REGIONS, capacity: REFERENCE_CAPACITY };
  const merged = deepMerge<EnvironmentInput>(defaults, input);
  // The input of each issue tells a missing field from a wrong one; it never leaves this function.
  const result = environmentSchema.safeParse(merged, { reportInput: true });
  const found = [...issues, ...(result.success ? [] : schemaIssues(environmentSchema, result.error, required))];
  if (!result.success || found.length > 0) throw new ConfigError(source, toConfigIssues(sortByField(environmentSchema, found), fieldSources));
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

/**
 * Validates an environment and fills its defaults: the reference regions and capacities first, then `input` over
 * them, then the schema's field defaults and derived values. Throws ConfigError naming every bad field.
 */
export function defineEnvironment(input: EnvironmentOverrides, source = 'inline'): Environment {
  return validate(input as DeepPartial<EnvironmentInput>, { source });
}

export interface LoadEnvironmentOptions {
  /** Variables to read ENVIRONMENT_SUFFIX, TXN_DR_CONFIG and the state settings from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder of `<name>.json` environment files. @default ENVIRONMENTS_DIR */
  readonly environmentsDir?: string;
  /**
   * An environment file outside environmentsDir (the dr CLI's `--config`): absolute, or relative
   * to `cwd`. Takes the place of TXN_DR_CONFIG.
   * @default the TXN_DR_CONFIG variable, else none (the environment named by ENVIRONMENT_SUFFIX)
   */
  readonly configFile?: string;
  /** Where a relative configFile or TXN_DR_CONFIG is resolved from. @default process.cwd() */
  readonly cwd?: string;
}

/** `ENOENT: no such file or directory` out of Node's `ENOENT: no such file or directory, open '/x'`. */
function readFailure(error: unknown): string {
  return (error as Error).message.split(', ')[0] ?? String(error);
}

/** The JSON object in a file; anything else (unreadable, not JSON, not an object) is a ConfigError naming the path. */
function readJsonObject(path: string, hint = ''): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [{ field: '(file)', message: `cannot be read (${readFailure(error)})${hint}` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, [{ field: '(file)', message: `is not valid JSON: ${(error as Error).message}${hint}` }]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(path, [{ field: '(file)', message: `must hold a JSON object${hint}` }]);
  }
  return parsed as Record<string, unknown>;
}

/** The state settings, from the process environment only. */
function stateOf(vars: NodeJS.ProcessEnv) {
  return { bucket: vars.TERRAFORM_STATE_BUCKET || undefined, region: vars.TERRAFORM_STATE_BUCKET_REGION || undefined };
}

/**
 * The environment an outside file describes. Its `name` comes from the file, where it is required:
 * a file names one environment whatever the shell says. ENVIRONMENT_SUFFIX, when set too, must
 * agree with it (a pipeline sets it, and two names for one run would be one too many).
 */
function loadEnvironmentFile(given: string, cwd: string, vars: NodeJS.ProcessEnv): Environment {
  const path = resolve(cwd, given);
  const hint = isAbsolute(given) ? '' : `; ${given} was resolved from the current directory, ${cwd}`;
  const { name, state, ...content } = readJsonObject(path, hint);
  const issues: FieldIssue[] = [];
  if (state !== undefined) issues.push({ path: ['state'], message: STATE_IN_FILE });
  const suffix = vars.ENVIRONMENT_SUFFIX;
  if (typeof name === 'string' && suffix !== undefined && suffix !== name) {
    issues.push({
      path: ['name'],
      message: `is ${name} in this file, but ENVIRONMENT_SUFFIX is ${suffix}: unset ENVIRONMENT_SUFFIX, or make the two name the same environment`,
    });
  }
  return validate(
    { ...(content as DeepPartial<EnvironmentInput>), name: name as string, state: stateOf(vars) },
    {
      source: path,
      fieldSources: STATE_SOURCES,
      issues,
      required: {
        name: 'is required in an environment file outside environments/: it names the environment (part of every resource name and of the state key), for example "name": "scratch"',
      },
    },
  );
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
 * The environment to work on, with the state bucket from the process environment:
 * - the file `configFile` or TXN_DR_CONFIG names, when one does (see loadEnvironmentFile);
 * - else the one named by ENVIRONMENT_SUFFIX (default `dev`): the reference defaults, overlaid by
 *   `environments/<name>.json`. Every name but `dev` needs its file: a misspelt or missing
 *   environment is an error listing the known ones, never a silent set of defaults (which would
 *   synthesize, and could deploy, an environment nobody described).
 * Throws ConfigError, naming every problem at once, before anything is synthesized.
 */
export function loadEnvironment(options: LoadEnvironmentOptions = {}): Environment {
  const vars = options.env ?? process.env;
  const configFile = options.configFile ?? (vars[CONFIG_FILE_VARIABLE] || undefined);
  if (configFile !== undefined) return loadEnvironmentFile(configFile, options.cwd ?? process.cwd(), vars);
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
        message:
          `${name} is not a known environment (no ${file}); the known ones are ${knownEnvironments(dir).join(', ')}. ` +
          `Set ENVIRONMENT_SUFFIX to one of them, add ${name}.json there to define ${name}, or name a file of your own in ${CONFIG_FILE_VARIABLE}.`,
      },
    ]);
  }
  const { name: nameInFile, state, ...content } = hasFile ? readJsonObject(file) : {};
  const issues: FieldIssue[] = [];
  if (nameInFile !== undefined) issues.push({ path: ['name'], message: 'is set from ENVIRONMENT_SUFFIX and the file name, not in the file' });
  if (state !== undefined) issues.push({ path: ['state'], message: STATE_IN_FILE });
  return validate({ ...(content as DeepPartial<EnvironmentInput>), name, state: stateOf(vars) }, { source: hasFile ? file : source, issues });
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

