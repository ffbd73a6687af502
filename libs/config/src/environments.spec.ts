import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS_DIR, environmentWarnings, loadEnvironment } from './environment';

/** Every `<name>.json` shipped in environments/, by name. */
const files = readdirSync(ENVIRONMENTS_DIR)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(ENVIRONMENTS_DIR, file), 'utf8')) as unknown] as const);

/** Every leaf of a JSON object as [dotted path, value]. */
function leaves(value: unknown, path: string[] = []): [string, unknown][] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]));
  }
  return [[path.join('.'), value]];
}

function at(object: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], object);
}

it('ships the environments the pipelines deploy to', () => {
  expect(files.map(([name]) => name)).toEqual(expect.arrayContaining(['staging', 'production']));
});

describe.each(files)('environments/%s.json', (name, content) => {
  // Loaded as a pipeline loads it: by ENVIRONMENT_SUFFIX, with a state bucket set.
  const load = () => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: name, TERRAFORM_STATE_BUCKET: 'acme-tf-state' } });

  it('loads and validates', () => {
    expect(load).not.toThrow();
    expect(load().name).toBe(name);
  });

  it('overlays every field it sets', () => {
    const env = load();
    for (const [path, value] of leaves(content)) expect([path, at(env, path)]).toEqual([path, value]);
  });
});

describe('production', () => {
  const env = loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'production' } });

  it('keeps deletion protection on and raises no warning', () => {
    expect(env.database.deletionProtection).toBe(true);
    expect(env.loadBalancer.deletionProtection).toBe(true);
    expect(environmentWarnings(env)).toEqual([]);
  });

  it('alerts someone', () => {
    expect(env.alerts.subscriptions.length).toBeGreaterThan(0);
  });
});
