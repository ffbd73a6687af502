import { Stack } from '../src/engine/stack';
import type { TfJson } from '../src/engine/types';
import type { Fixture } from './fixtures/helpers';

const isMultiStack = (fixture: Fixture): fixture is { readonly stacks: Readonly<Record<string, TfJson>> } =>
  'stacks' in fixture && !('resource' in fixture) && typeof fixture.stacks === 'object';

/** The stacks of a fixture: one named `fixture`, or the named ones. */
export function fixtureStacks(fixture: Fixture): Stack[] {
  if (isMultiStack(fixture)) return Object.entries(fixture.stacks).map(([name, json]) => new Stack(name, json));
  return [new Stack('fixture', fixture)];
}
