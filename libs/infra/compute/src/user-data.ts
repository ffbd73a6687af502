import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Token } from 'cdktf';

/** EC2 refuses user data over 16 KB, measured before base64 encoding. */
export const USER_DATA_LIMIT_BYTES = 16 * 1024;

/** What the template needs, all literal. */
export interface UserDataValues {
  readonly REGION: string;
  readonly DR_ROLE: string;
  /** SSM parameter holding the artifact bucket's name. */
  readonly ARTIFACT_BUCKET_PARAMETER: string;
  readonly ARTIFACT_KEY: string;
  readonly ARTIFACT_SHA256: string;
  readonly NODE_MAJOR: string;
  /** Where the unit reads its environment file (its EnvironmentFile=). */
  readonly ENV_FILE_PATH: string;
  /** The service's environment file, already rendered. */
  readonly ENV_FILE: string;
  /** The service's systemd unit, as the service ships it. */
  readonly UNIT_FILE: string;
  /** CloudWatch agent configuration (JSON). */
  readonly AGENT_CONFIG: string;
}

const TEMPLATE = readFileSync(join(__dirname, 'user-data', 'user-data.sh'), 'utf8');
const PLACEHOLDER = /@@([A-Z0-9_]+)@@/g;

/**
 * The user data, rendered to its final text at synth time: every value must be a literal, so the
 * script the tests shellcheck is byte for byte what the instance runs (it is base64-encoded here,
 * never passed through Terraform's string templating). Fails on a placeholder without a value, a
 * value nobody asked for, or a Terraform reference, so template and construct cannot drift apart.
 */
export function renderUserData(values: UserDataValues): string {
  const given = values as unknown as Record<string, string>;
  const references = Object.keys(given).filter((name) => Token.isUnresolved(given[name]));
  if (references.length > 0) throw new Error(`user data: ${references.join(', ')} must be literal, not a Terraform reference`);
  const used = new Set<string>();
  const rendered = TEMPLATE.replace(PLACEHOLDER, (_, name: string) => {
    const value = given[name];
    if (value === undefined) throw new Error(`user data: no value for @@${name}@@`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(given).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`user data: the template has no place for ${unused.join(', ')}`);
  return rendered;
}

/**
 * The file a systemd unit reads its environment from (`EnvironmentFile=`), so that the user data
 * writes the env file exactly where the service's own unit looks for it.
 */
export function environmentFileOf(unit: string): string {
  const paths = [...unit.matchAll(/^EnvironmentFile=-?(\S+)\s*$/gm)].map((m) => m[1]!);
  if (paths.length !== 1) throw new Error(`the service unit must name exactly one EnvironmentFile, it names ${paths.length}`);
  return paths[0]!;
}

/** The value a `KEY=value` line of an env file gives `name` (the last one wins, as in systemd); undefined when none does. */
export function environmentValue(envFile: string, name: string): string | undefined {
  const values = [...envFile.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/gm)].filter((m) => m[1] === name).map((m) => m[2]!);
  return values.at(-1);
}
