import { readSync } from 'node:fs';

/** Where a line sits in the file: enough to read it again, and to name it in a warning. */
export interface Loc {
  offset: number;
  /** Bytes, without the newline. */
  length: number;
  /** 1-based. */
  line: number;
}

/** Lines longer than this are no record of ours: skipped without being held in memory. */
export const MAX_LINE = 1024 * 1024;

export type LineProblem = 'torn' | 'too long';

/**
 * Calls `onLine` for every newline-terminated line of the file, in order, with the bytes in `buf` from
 * `start` to `end`, its file offset and 1-based line number. Reads the file in chunks, never whole (a long journal is larger than the biggest string
 * V8 can make). The reads are synchronous (a start on a busy machine spent most of its time waiting for
 * the thread pool to hand each chunk back), with a turn of the event loop every few chunks.
 * `onBad` gets a final line without a newline (torn by a crash) and any line over MAX_LINE.
 */
export async function scanLines(
  fd: number,
  onLine: (buf: Buffer, start: number, end: number, offset: number, line: number) => void,
  onBad: (loc: Loc, problem: LineProblem) => void,
  chunkSize = 4 * 1024 * 1024,
): Promise<{ bytes: number; lines: number }> {
  let buf = Buffer.alloc(chunkSize);
  let filled = 0; // bytes in buf
  let bufOffset = 0; // file offset of buf[0]
  let line = 0;
  let skipping: Loc | null = null; // inside an over-long line, until its newline
  let chunks = 0;
  for (;;) {
    if (filled === buf.length) {
      // One line fills the whole buffer: grow it, up to MAX_LINE, then give that line up.
      if (buf.length < MAX_LINE + 1) {
        const bigger = Buffer.alloc(Math.min(buf.length * 2, MAX_LINE + 1));
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      } else {
        skipping ??= { offset: bufOffset, length: 0, line: ++line };
        bufOffset += filled;
        filled = 0;
      }
    }
    const bytesRead = readSync(fd, buf, filled, buf.length - filled, bufOffset + filled);
    if (bytesRead === 0) break;
    if (++chunks % 16 === 0) await new Promise((r) => setImmediate(r));
    filled += bytesRead;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      if (nl < 0 || nl >= filled) break;
      if (skipping) {
        skipping.length = bufOffset + nl - skipping.offset;
        onBad(skipping, 'too long');
        skipping = null;
      } else onLine(buf, start, nl, bufOffset + start, ++line);
      start = nl + 1;
    }
    // Keep the unfinished line at the front of the buffer for the next read.
    buf.copy(buf, 0, start, filled);
    bufOffset += start;
    filled -= start;
  }
  if (skipping) {
    skipping.length = bufOffset + filled - skipping.offset;
    onBad(skipping, 'too long');
  } else if (filled > 0) onBad({ offset: bufOffset, length: filled, line: ++line }, 'torn');
  return { bytes: bufOffset + filled, lines: line };
}
