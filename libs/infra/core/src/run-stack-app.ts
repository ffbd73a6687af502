import { ConfigError, type Environment, environmentWarnings, loadEnvironment } from '@txn-dr/config';
import { App } from 'cdktf';

/**
 * The whole of a stack app's main: load and validate the environment first (so bad config stops
 * before anything is written), print warnings, compose the stack, synthesize. The output folder is
 * cdktf's: `cdktf.out` in the working directory unless CDKTF_OUTDIR says otherwise.
 */
export function runStackApp(compose: (app: App, env: Environment) => void): void {
  let env: Environment;
  try {
    env = loadEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  for (const warning of environmentWarnings(env)) console.warn(`warning: ${warning}`);
  const app = new App();
  compose(app, env);
  app.synth();
}
