import type { Clock } from '../../../../companion/src/core/clock.ts';
import type { PaperExchange } from '../../../../companion/src/paper/index.ts';
import { percentile } from '../../stats.ts';
import { FAULT } from './setup.ts';

/** The fault run: the public stream dropped (and refused) 30 s, then one account's private stalled 30 s. */

export type FaultWindows = { public: [number, number] | null; private: [number, number] | null };

export async function runFaults(
  paper: PaperExchange,
  clock: Clock,
  t0: number,
  w: { public: [number, number] | null; private: [number, number] | null },
): Promise<void> {
  await clock.sleep(t0 + FAULT.publicAt - clock.now());
  paper.control.refuseStreams('public', FAULT.ms);
  paper.control.dropStreams('public');
  w.public = [clock.now(), clock.now() + FAULT.ms];
  await clock.sleep(t0 + FAULT.privateAt - clock.now());
  paper.control.stallStream('main', FAULT.ms);
  w.private = [clock.now(), clock.now() + FAULT.ms];
}

export interface FaultRaw {
  raw: {
    switches: { at: number; stream: string; from: string; to: string }[];
    critWindows: { at: number; p99: number | null }[];
    detections: { at: number; latency: number }[];
    missed: number[];
  };
  streams?: { switches: number };
}

export function faultFigures(r: FaultRaw, w: { public: [number, number] | null; private: [number, number] | null }) {
  const within = (at: number, win: [number, number] | null) => win !== null && at >= win[0] && at <= win[1];
  const inFault = (at: number) => within(at, w.public) || within(at, w.private);
  const lat = r.raw.detections.filter((d) => inFault(d.at)).map((d) => d.latency);
  // A 1 s stats window counts when it lies inside a fault (its end at `at`).
  const gaps = r.raw.critWindows.filter((c) => inFault(c.at - 1000) && inFault(c.at) && c.p99 !== null);
  const back = (stream: string, win: [number, number] | null) => {
    const s = r.raw.switches.find((x) => x.stream === stream && x.to === 'stream' && win && x.at >= win[1]);
    return s && win ? Math.round(s.at - win[1]) : null;
  };
  const away = (stream: string, win: [number, number] | null) => {
    const s = r.raw.switches.find((x) => x.stream === stream && x.to === 'poll' && win && x.at >= win[0]);
    return s && win ? Math.round(s.at - win[0]) : null;
  };
  return {
    faultDetectionP99Ms: lat.length > 0 ? Math.round(percentile(lat, 99)) : null,
    faultDetected: `${lat.length}/${lat.length + r.raw.missed.filter(inFault).length}`,
    missedHits: r.raw.missed.length,
    faultCriticalGapP99MaxMs: gaps.length > 0 ? Math.max(...gaps.map((g) => g.p99 as number)) : null,
    faultCriticalWindows: gaps.length,
    publicToPollMs: away('public', w.public),
    publicBackToStreamMs: back('public', w.public),
    privateToPollMs: away('main', w.private),
    privateBackToStreamMs: back('main', w.private),
    switchEvents: r.raw.switches.length,
    switchesInStats: r.streams?.switches ?? null,
  };
}

export const withoutRaw = (r: Record<string, unknown>) => {
  const { raw: _raw, ...rest } = r;
  return rest;
};
