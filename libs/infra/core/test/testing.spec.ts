import { type SynthesizedStack, literalSecrets } from './testing';

const stack = (resource: Record<string, Record<string, Record<string, unknown>>>): SynthesizedStack => ({ terraform: {}, resource });

describe('literalSecrets', () => {
  it('finds a literal password, as in the reference design', () => {
    expect(literalSecrets(stack({ aws_rds_cluster: { primary: { master_username: 'admin', master_password: 'ChangeMe123!' } } }))).toEqual([
      'resource.aws_rds_cluster.primary.master_password',
    ]);
  });

  it('finds secrets in environment variables and anything shaped like an access key', () => {
    const json = stack({
      aws_lambda_function: { f: { environment: [{ variables: { DB_PASSWORD: 'hunter2', NOTE: 'AKIAABCDEFGHIJKLMNOP' } }] } },
    });
    expect(literalSecrets(json)).toEqual([
      'resource.aws_lambda_function.f.environment.0.variables.DB_PASSWORD',
      'resource.aws_lambda_function.f.environment.0.variables.NOTE',
    ]);
  });

  it('accepts references, write-only expressions, identifiers and settings', () => {
    const json = stack({
      aws_rds_cluster: { primary: { master_password_wo: '${jsondecode(ephemeral.x.y.secret_string).password}', master_password_wo_version: 1 } },
      aws_launch_template: { t: { metadata_options: [{ http_tokens: 'required' }] } },
    });
    expect(literalSecrets({ ...json, ephemeral: { aws_secretsmanager_secret_version: { m: { secret_id: 'txdr-dev/db/master' } } } })).toEqual([]);
  });
});
