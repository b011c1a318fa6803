import type { TieredPosition } from '@tierwatch/shared';
import { useEffect, useState } from 'preact/hooks';
import { createApi } from '../../utils/api.ts';
import { loadSettings } from '../../utils/settings.ts';

export interface LivePicture {
  data: TieredPosition[];
  /** When the companion served it. */
  at: number;
  /** The stream's positions when the read went out (see withLiveFigures). */
  base?: Record<string, TieredPosition>;
}

/**
 * The monitor's positions, read every `everyMs` while this page is open (GET /api/v1/monitor/positions:
 * memory only, no exchange call), optionally for one account. Null until the first answer; a failed read
 * keeps the last picture (the connection state says why).
 */
export function useLivePositions(
  everyMs: number,
  account?: string,
  streamPositions?: { current: Record<string, TieredPosition> },
): LivePicture | null {
  const [live, setLive] = useState<LivePicture | null>(null);
  useEffect(() => {
    let gone = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    void loadSettings().then((s) => {
      if (gone || !s.token) return;
      const api = createApi({ baseUrl: s.baseUrl, token: s.token, timeoutMs: everyMs * 2 });
      let busy = false;
      const read = async () => {
        if (busy) return;
        busy = true;
        const base = streamPositions?.current;
        try {
          const res = await api.monitorPositions(account === undefined ? {} : { account_name: account });
          if (!gone) setLive({ data: res.data, at: res.at, ...(base ? { base } : {}) });
        } catch {
          // keep the last picture
        } finally {
          busy = false;
        }
      };
      void read();
      timer = setInterval(read, everyMs);
    });
    return () => {
      gone = true;
      clearInterval(timer);
    };
  }, [everyMs, account]);
  return live;
}
