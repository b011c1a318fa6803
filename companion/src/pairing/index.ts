export * from './token-store.ts';
