import { Token, ref } from 'cdktf';
import { environmentFileOf, environmentValue, renderUserData } from './user-data';

const literal = {
  REGION: 'us-east-1',
  DR_ROLE: 'primary',
  ARTIFACT_BUCKET_PARAMETER: '/dr/dev/primary/service/artifact-bucket',
  ARTIFACT_KEY: 'key',
  ARTIFACT_SHA256: 'abc',
  NODE_MAJOR: '22',
  ENV_FILE_PATH: '/etc/transaction-api/transaction-api.env',
  ENV_FILE: 'A=1',
  UNIT_FILE: '[Service]\nExecReload=/bin/kill -HUP ${MAINPID}',
  AGENT_CONFIG: '{}',
};

describe('renderUserData', () => {
  it('renders literals as they are', () => {
    expect(renderUserData(literal)).toContain('ExecReload=/bin/kill -HUP ${MAINPID}');
  });

  it('refuses a Terraform reference: the script must be final at synth', () => {
    expect(() => renderUserData({ ...literal, ARTIFACT_KEY: Token.asString(ref('aws_s3_object.x.key')) })).toThrow(
      'user data: ARTIFACT_KEY must be literal, not a Terraform reference',
    );
  });

  it('refuses a value the template has no place for', () => {
    expect(() => renderUserData({ ...literal, EXTRA: 'x' } as never)).toThrow('user data: the template has no place for EXTRA');
  });

  it('refuses a missing value', () => {
    const { NODE_MAJOR: _unused, ...rest } = literal;
    expect(() => renderUserData(rest as never)).toThrow('user data: no value for @@NODE_MAJOR@@');
  });
});

describe('environmentFileOf', () => {
  it('reads the one EnvironmentFile of a unit, optional or not', () => {
    expect(environmentFileOf('[Service]\nEnvironmentFile=/etc/x/x.env\nExecStart=/bin/true\n')).toBe('/etc/x/x.env');
    expect(environmentFileOf('[Service]\nEnvironmentFile=-/etc/x/x.env\n')).toBe('/etc/x/x.env');
  });

  it('refuses a unit with none or several', () => {
    expect(() => environmentFileOf('[Service]\nExecStart=/bin/true\n')).toThrow('the service unit must name exactly one EnvironmentFile, it names 0');
  });
});

describe('environmentValue', () => {
  it('reads a KEY=value line, the last one when there are several, as systemd does', () => {
    const file = '# DB_AUTH=static in a comment\nDB_AUTH=secret\nDB_TLS=rds\nDB_AUTH=iam\n';
    expect(environmentValue(file, 'DB_AUTH')).toBe('iam');
    expect(environmentValue(file, 'DB_TLS')).toBe('rds');
    expect(environmentValue(file, 'DB_USER')).toBeUndefined();
  });
});
