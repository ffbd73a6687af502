import { affectedBy, taskGraph } from './nx';

const STACKS = ['stack-global', 'stack-primary', 'stack-secondary'];

describe('deploying', () => {
  const graph = taskGraph('run-many', '-t', 'deploy');

  it('orders stacks global -> primary -> secondary, each after its own synth', () => {
    expect(graph['stack-global:deploy']).toEqual(['stack-global:synth']);
    expect(graph['stack-primary:deploy']?.sort()).toEqual(['stack-global:deploy', 'stack-primary:synth']);
    expect(graph['stack-secondary:deploy']?.sort()).toEqual(['stack-primary:deploy', 'stack-secondary:synth']);
  });

  it('rolls one regional stack out alone, after a fresh synth of that stack only', () => {
    const rollout = taskGraph('run', 'stack-secondary:rollout');
    const stackTasks = Object.keys(rollout).filter((task) => STACKS.some((stack) => task.startsWith(`${stack}:`)));
    expect(stackTasks.sort()).toEqual(['stack-secondary:rollout', 'stack-secondary:synth']);
    expect(rollout['stack-secondary:rollout']).toEqual(['stack-secondary:synth']);
  });
});

describe('affected projects', () => {
  it('marks every stack affected by a change to the config library', () => {
    expect(affectedBy('libs/config/src/schema.ts')).toEqual(expect.arrayContaining(STACKS));
  });

  it('marks only stack-secondary affected by a change to its app', () => {
    expect(affectedBy('apps/stack-secondary/src/main.ts')).toEqual(['stack-secondary']);
  });
});
