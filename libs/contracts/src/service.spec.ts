import { parameterName } from './parameters';
import { SERVICE_ENV, SERVICE_ENV_PARAMETERS, SERVICE_ENV_PLACEHOLDERS, renderServiceEnv, serviceEnvValues } from './service';

const values = serviceEnvValues({ envName: 'dev', role: 'secondary', region: 'us-east-2', appPort: 8080 });

describe('service environment', () => {
  it('names every variable once', () => {
    const names = Object.values(SERVICE_ENV);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
  });

  it('only has placeholders that are service variables', () => {
    const names = new Set<string>(Object.values(SERVICE_ENV));
    for (const placeholder of SERVICE_ENV_PLACEHOLDERS) expect(names.has(placeholder)).toBe(true);
  });

  it('points the instance at its own region parameters: data to the global writer, probes to its cluster', () => {
    expect(values).toEqual({
      AWS_REGION: 'us-east-2',
      DR_ROLE: 'secondary',
      APP_PORT: '8080',
      DB_HOST_PARAMETER: '/dr/dev/secondary/db/global-writer-endpoint',
      DB_PROBE_HOST_PARAMETER: '/dr/dev/secondary/db/writer-endpoint',
      DB_PORT_PARAMETER: '/dr/dev/secondary/db/port',
      DB_NAME_PARAMETER: '/dr/dev/secondary/db/name',
      DB_SECRET_ARN_PARAMETER: '/dr/dev/secondary/db/secret-arn',
    });
    expect(values.DB_HOST_PARAMETER).toBe(parameterName('dev', 'secondary', 'globalWriterEndpoint'));
    expect(values.DB_PROBE_HOST_PARAMETER).toBe(parameterName('dev', 'secondary', 'writerEndpoint'));
  });

  it('lists as parameters exactly the placeholders whose values are parameter names', () => {
    const named = SERVICE_ENV_PLACEHOLDERS.filter((name) => values[name].startsWith('/dr/'));
    expect([...SERVICE_ENV_PARAMETERS].sort()).toEqual([...named].sort());
  });
});

describe('renderServiceEnv', () => {
  it('fills every placeholder and leaves other lines alone', () => {
    const out = renderServiceEnv('AWS_REGION=${AWS_REGION}\nDR_ROLE=${DR_ROLE}\nLOG_LEVEL=info\n', values);
    expect(out).toBe('AWS_REGION=us-east-2\nDR_ROLE=secondary\nLOG_LEVEL=info\n');
  });

  it.each([
    ['an unknown placeholder', 'X=${NOT_A_SETTING}', values, 'NOT_A_SETTING: not a service env placeholder'],
    ['a missing value', 'X=${DR_ROLE}', { ...values, DR_ROLE: '' }, 'DR_ROLE: no value'],
    ['a value with a line break', 'X=${AWS_REGION}', { ...values, AWS_REGION: 'us-east-1\nDB_HOST=evil' }, 'AWS_REGION: value contains'],
    ['a value with a dollar', 'X=${DB_HOST_PARAMETER}', { ...values, DB_HOST_PARAMETER: '/dr/$HOME' }, 'DB_HOST_PARAMETER: value contains'],
  ])('refuses %s', (_what, template, given, message) => {
    expect(() => renderServiceEnv(template, given)).toThrow(message);
  });
});
