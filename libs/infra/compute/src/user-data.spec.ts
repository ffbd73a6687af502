import { Token, ref } from 'cdktf';
import { renderEnvFile, renderUserData } from './user-data';

const literal = {
  REGION: 'us-east-1',
  DR_ROLE: 'primary',
  ARTIFACT_BUCKET_PARAMETER: '/dr/dev/primary/service/artifact-bucket',
  ARTIFACT_KEY: 'key',
  ARTIFACT_SHA256: 'abc',
  NODE_MAJOR: '22',
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

describe('renderEnvFile', () => {
  it('fills every placeholder', () => {
    expect(renderEnvFile('A=${A}\nB=${B}\n', { A: '1', B: 'two' })).toBe('A=1\nB=two\n');
  });

  it('names a placeholder without a value, and a value without a placeholder', () => {
    expect(() => renderEnvFile('A=${A}\nB=${B}\n', { A: '1' })).toThrow('env file: no value for ${B}');
    expect(() => renderEnvFile('A=${A}\n', { A: '1', C: '3' })).toThrow('env file: the template has no place for C');
  });
});
