import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { type Logger, silentLogger } from '../core/logger.ts';

export const TOKEN_FILE = 'pairing-token';
/** Hand-written tokens are allowed, but never shorter than this (base64url characters). */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,256}$/;
/** Longer than any token we accept: refused before hashing, so a huge header costs nothing. */
const MAX_PRESENTED = 512;

export class PairingError extends Error {
  override name = 'PairingError';
}

export interface PairingStoreOptions {
  /** The companion's data dir; created (0700) if missing. */
  dataDir: string;
  logger?: Logger;
  /**
   * An existing token file readable by group or others: true (default) narrows it to 0600 and logs a
   * warning; false refuses to start. Either way that token is never used while others could read it.
   */
  fixPermissions?: boolean;
}

/** 32 random bytes, base64url: 43 characters, 256 bits. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * The pairing token the extension presents on every request: generated at first start, kept in a file only
 * its owner can read, rotatable. The token is held privately and hidden from JSON and `inspect`, so logging
 * the store (or an object holding it) never prints it.
 */
export class PairingStore {
  #token: string;
  #digest: Buffer;

  private constructor(
    readonly path: string,
    token: string,
    private readonly logger: Logger,
  ) {
    this.#token = token;
    this.#digest = digest(token);
  }

  static async open(opts: PairingStoreOptions): Promise<PairingStore> {
    const logger = opts.logger ?? silentLogger;
    await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
    await ownerOnlyDir(opts.dataDir, logger);
    const path = join(opts.dataDir, TOKEN_FILE);
    let token = await readToken(path, opts.fixPermissions ?? true, logger);
    if (token === null) {
      token = generateToken();
      try {
        await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
        logger.info({ path }, 'pairing token generated');
      } catch (err) {
        // Another process created it between our read and write: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        token = await readToken(path, opts.fixPermissions ?? true, logger);
        if (token === null) throw new PairingError(`pairing token file ${path} vanished while starting`);
      }
    }
    return new PairingStore(path, token, logger);
  }

  /** The token itself, for `pnpm start` to show the user once. Never put it in a log line or a response. */
  reveal(): string {
    return this.#token;
  }

  /** Constant-time check of a presented token (both sides hashed first, so length leaks nothing either). */
  verify(presented: string | null | undefined): boolean {
    if (!presented || presented.length > MAX_PRESENTED) return false;
    return timingSafeEqual(digest(presented), this.#digest);
  }

  /** Replaces the token (atomically on disk); the old one stops working at once. Returns the new token. */
  async rotate(): Promise<string> {
    const token = generateToken();
    const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => {});
      throw err;
    }
    this.#token = token;
    this.#digest = digest(token);
    this.logger.info({ path: this.path }, 'pairing token rotated');
    return token;
  }

  toJSON(): { path: string } {
    return { path: this.path };
  }

  [inspect.custom](): string {
    return `PairingStore { path: ${this.path}, token: [redacted] }`;
  }
}

/**
 * mkdir's mode applies only to a directory it creates: one that already existed (made by hand, 0755) would let
 * other local users list the data dir and read any file whose own mode is loose. Narrow it to 0700.
 */
async function ownerOnlyDir(dir: string, logger: Logger): Promise<void> {
  if (process.platform === 'win32') return;
  const info = await stat(dir);
  if ((info.mode & 0o077) === 0) return;
  await chmod(dir, 0o700);
  logger.warn({ dir, was: (info.mode & 0o777).toString(8) }, 'data dir was open to other users: narrowed to 0700');
}

/** The token in `path`, or null when there is no file. Refuses files others can read or write. */
async function readToken(path: string, fixPermissions: boolean, logger: Logger): Promise<string | null> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (!info.isFile()) throw new PairingError(`pairing token path ${path} is not a regular file`);
  // POSIX modes mean nothing on Windows; there the data dir's ACL is what protects the file.
  if (process.platform !== 'win32') {
    const uid = process.getuid?.();
    if (uid !== undefined && info.uid !== uid) {
      throw new PairingError(
        `pairing token file ${path} belongs to another user (uid ${info.uid}); delete it or fix its owner`,
      );
    }
    if ((info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8);
      if (!fixPermissions) {
        throw new PairingError(
          `pairing token file ${path} is readable by others (mode ${mode}); run \`chmod 600 ${path}\` or delete it to get a new token`,
        );
      }
      await chmod(path, 0o600);
      const after = await stat(path);
      if ((after.mode & 0o077) !== 0) {
        throw new PairingError(
          `pairing token file ${path} is readable by others (mode ${mode}) and could not be restricted`,
        );
      }
      logger.warn(
        { path, mode },
        'pairing token file was readable by others: restricted to 0600 (consider rotating the token)',
      );
    }
  }
  const token = (await readFile(path, 'utf8')).trim();
  if (!TOKEN_SHAPE.test(token)) {
    throw new PairingError(
      `pairing token file ${path} does not hold a valid token (32-256 base64url characters); delete it to generate a new one`,
    );
  }
  return token;
}
