import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PairingError, PairingStore, TOKEN_FILE } from './token-store.ts';

const posix = process.platform !== 'win32';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierwatch-pairing-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('PairingStore', () => {
  it('generates a 32-byte base64url token at first start, in a 0600 file', async () => {
    const store = await PairingStore.open({ dataDir: join(dir, 'data') });
    const token = store.reveal();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const path = join(dir, 'data', TOKEN_FILE);
    expect((await readFile(path, 'utf8')).trim()).toBe(token);
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('reuses the stored token on the next start', async () => {
    const a = await PairingStore.open({ dataDir: dir });
    const b = await PairingStore.open({ dataDir: dir });
    expect(b.reveal()).toBe(a.reveal());
  });

  it('verifies only the exact token', async () => {
    const store = await PairingStore.open({ dataDir: dir });
    const token = store.reveal();
    expect(store.verify(token)).toBe(true);
    expect(store.verify(`${token}x`)).toBe(false);
    expect(store.verify(token.slice(0, -1))).toBe(false);
    expect(store.verify('')).toBe(false);
    expect(store.verify(undefined)).toBe(false);
    expect(store.verify('x'.repeat(10_000))).toBe(false);
  });

  it('rotates: the old token stops working, the new one is stored 0600', async () => {
    const store = await PairingStore.open({ dataDir: dir });
    const old = store.reveal();
    const fresh = await store.rotate();
    expect(fresh).not.toBe(old);
    expect(store.verify(old)).toBe(false);
    expect(store.verify(fresh)).toBe(true);
    expect((await readFile(store.path, 'utf8')).trim()).toBe(fresh);
    if (posix) expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await PairingStore.open({ dataDir: dir })).reveal()).toBe(fresh);
  });

  it.runIf(posix)('narrows a group/world-readable token file to 0600 before using it', async () => {
    const path = join(dir, TOKEN_FILE);
    await writeFile(path, `${'a'.repeat(43)}\n`);
    await chmod(path, 0o644);
    const store = await PairingStore.open({ dataDir: dir });
    expect(store.verify('a'.repeat(43))).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it.runIf(posix)('narrows an existing data dir others can read (0755) to 0700', async () => {
    await chmod(dir, 0o755);
    await PairingStore.open({ dataDir: dir });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it.runIf(posix)('or refuses it with a clear message when fixing is off', async () => {
    const path = join(dir, TOKEN_FILE);
    await writeFile(path, `${'a'.repeat(43)}\n`);
    await chmod(path, 0o640);
    const opening = PairingStore.open({ dataDir: dir, fixPermissions: false });
    await expect(opening).rejects.toBeInstanceOf(PairingError);
    await expect(PairingStore.open({ dataDir: dir, fixPermissions: false })).rejects.toThrow(
      /readable by others.*chmod 600/,
    );
  });

  it('refuses a malformed token file without printing its content', async () => {
    await writeFile(join(dir, TOKEN_FILE), 'short-secret\n', { mode: 0o600 });
    const err = await PairingStore.open({ dataDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PairingError);
    expect(String((err as Error).message)).not.toContain('short-secret');
  });

  it('never shows the token through JSON or inspect', async () => {
    const store = await PairingStore.open({ dataDir: dir });
    const token = store.reveal();
    expect(JSON.stringify({ store })).not.toContain(token);
    expect(inspect({ store }, { depth: 5 })).not.toContain(token);
  });
});
