/**
 * The companion's data dir (pairing token, execution journal): prepared and locked first at start-up, so one
 * companion owns it and a path that cannot work stops start-up naming `dataDir`.
 */
export { type DataDirLock, LOCK_FILE, type LockOptions, lockDataDir, pidAlive, prepareDataDir } from './lock.ts';
