// The entry point of the bundle: everything else is importable without side effects.
import { main } from './server';

void main();
