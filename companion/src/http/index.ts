export * from './app.ts';
export * from './config.ts';
export * from './errors.ts';
export * from './front-door.ts';
export type { TradingDeps } from './trading/routes.ts';
