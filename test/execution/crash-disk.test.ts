import { describe, expect, it } from 'vitest';
import { runJournalFaults } from './crash-disk.ts';

/** The crash bench's journal rounds in small (`pnpm bench crash` runs 6 of each). */
describe('a full disk and a torn journal, against the real CLI', () => {
  it('2 rounds of each: no order without a whole intent, no mismatched adoption, nothing lost or doubled', async () => {
    const f = await runJournalFaults({ diskRounds: 2, tornRounds: 2 }, 29);
    expect(f.samples).toEqual([]);
    expect(f).toMatchObject({
      ordersWithoutIntent: 0,
      adoptedMismatched: 0,
      lostLegs: 0,
      duplicateOrders: 0,
      startFailures: 0,
      tornJournalRounds: 2,
    });
    if (f.diskFull && f.diskFull.rounds > 0) expect(f.diskFull.retriedOk).toBe(f.diskFull.refused);
  }, 240_000);
});
