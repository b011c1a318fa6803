// Worker entry for the ws benchmark: workers do not inherit tsx's loader, so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./ws-clients.ts');
