// Entry of a handler's worker thread. A worker starts with no loader hooks, so register tsx
// here (resolved from this project's node_modules) before loading the TypeScript runtime.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
