import { createHash } from 'node:crypto';
import { EXTENSION_ID } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { KEY } from './manifest-key.ts';

/** Chrome's id: the first 128 bits of SHA-256 of the public key, each hex digit 0-f written as a-p. */
function extensionIdOf(derBase64: string): string {
  const hex = createHash('sha256').update(Buffer.from(derBase64, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((d) => String.fromCharCode(97 + Number.parseInt(d, 16))).join('');
}

describe('manifest key', () => {
  it('gives the id the companion admits', () => {
    expect(extensionIdOf(KEY)).toBe(EXTENSION_ID);
  });
});
