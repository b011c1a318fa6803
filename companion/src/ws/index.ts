/**
 * The WebSocket event hub: public entry. The runtime builds one with `createWsHub` on the companion's
 * app and server; the `ws:` section of its config is `WsConfig`.
 */
export { AlertLog, alertFor } from './alerts.ts';
export { WsConfig, type WsConfigInput } from './config.ts';
export { createWsHub, type SnapshotParts, type WsHub, type WsHubDeps, type WsHubStats } from './hub.ts';
export { EventRing, type RingEntry } from './ring.ts';
