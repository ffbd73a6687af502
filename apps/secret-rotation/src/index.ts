import { createClients } from './clients';
import { createHandler } from './handler';

// Wiring only: the client is made once per container and reused by every invocation.
export const handler = createHandler(createClients(), process.env);
