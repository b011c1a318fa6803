import { describe, expect, it } from 'vitest';
import { parseClientFrame } from './messages.ts';

describe('parseClientFrame', () => {
  it.each([
    ['{"type":"ping"}', 'ping'],
    ['{"type":"resume","lastSeq":0}', 'resume'],
    ['{"type":"resume","lastSeq":42}', 'resume'],
    ['{"type":"auth","token":"abc"}', 'auth'],
  ])('%s → %s', (frame, type) => {
    expect(parseClientFrame(frame)).toEqual({ message: expect.objectContaining({ type }) });
  });

  it.each([
    [new ArrayBuffer(3), 'BAD_MESSAGE'],
    ['not json', 'BAD_MESSAGE'],
    ['null', 'BAD_MESSAGE'],
    ['[1,2]', 'BAD_MESSAGE'],
    ['{}', 'BAD_MESSAGE'],
    ['{"type":7}', 'BAD_MESSAGE'],
    ['{"type":"resume"}', 'BAD_MESSAGE'],
    ['{"type":"resume","lastSeq":-1}', 'BAD_MESSAGE'],
    ['{"type":"resume","lastSeq":1.5}', 'BAD_MESSAGE'],
    ['{"type":"ping","extra":true}', 'BAD_MESSAGE'],
    ['{"type":"auth","token":""}', 'BAD_MESSAGE'],
    ['{"type":"subscribe"}', 'UNKNOWN_MESSAGE'],
    ['{"type":"PING"}', 'UNKNOWN_MESSAGE'],
  ])('%s → %s', (frame, code) => {
    expect(parseClientFrame(frame)).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('never echoes a long payload back', () => {
    const r = parseClientFrame(JSON.stringify({ type: 'x'.repeat(5_000) }));
    expect('error' in r && r.error.message.length).toBeLessThan(120);
  });
});
