import type { ErrorCode, ServerMessage } from '@tierwatch/shared';
import { describe, expect, it } from 'vitest';
import { droppable, readFrame, refusesPairing } from './background-receive.ts';

describe('readFrame', () => {
  it.each<{ name: string; raw: unknown; kind: string }>([
    { name: 'the keepalive answer', raw: { type: 'pong', at: 1, lastSeq: 0 }, kind: 'pong' },
    { name: 'a protocol message', raw: { type: 'error', code: 'INTERNAL', message: 'x' }, kind: 'message' },
    { name: 'an unknown type', raw: { type: 'nope' }, kind: 'invalid' },
    { name: 'a pong missing its seq', raw: { type: 'pong', at: 1 }, kind: 'invalid' },
    { name: 'not an object', raw: 'hello', kind: 'invalid' },
  ])('$name → $kind', ({ raw, kind }) => {
    expect(readFrame(raw).kind).toBe(kind);
  });

  it('keeps at most three issues of a bad frame (the log stays short)', () => {
    const frame = readFrame({ type: 'tier-changed' });
    expect(frame.kind === 'invalid' && frame.issues.length).toBeLessThanOrEqual(3);
  });
});

describe('droppable: what the gap test hook may drop', () => {
  const guard = { type: 'guard-mode', seq: 3, at: 1, mode: 'normal', reason: 'timeout' } as ServerMessage;
  it.each<{ msg: ServerMessage; drop: boolean }>([
    { msg: guard, drop: true },
    { msg: { type: 'snapshot', seq: 3 } as ServerMessage, drop: false },
    { msg: { type: 'positions-updated', seq: 3 } as ServerMessage, drop: false },
    { msg: { type: 'error', code: 'INTERNAL', message: 'x' }, drop: false },
  ])('$msg.type → $drop', ({ msg, drop }) => {
    expect(droppable(msg)).toBe(drop);
  });
});

describe('refusesPairing', () => {
  it.each<{ code: ErrorCode; refuses: boolean }>([
    { code: 'UNAUTHORIZED', refuses: true },
    { code: 'FORBIDDEN', refuses: true },
    { code: 'INTERNAL', refuses: false },
    { code: 'BAD_MESSAGE', refuses: false },
  ])('$code → $refuses', ({ code, refuses }) => {
    expect(refusesPairing({ code, message: '' })).toBe(refuses);
  });
});
