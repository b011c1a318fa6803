import { positionKey, type Tier } from '@tierwatch/shared';
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_OPEN, type TierGroup } from '../../utils/view.ts';

/**
 * Which tier sections are open and how many rows each shows; a focus (a notification's position) opens
 * its section, lifts the row cap and scrolls to its row.
 */
export function useTierSections(groups: TierGroup[], focus: string | null) {
  const [open, setOpen] = useState<Set<Tier>>(() => new Set(DEFAULT_OPEN));
  const [limits, setLimits] = useState<Partial<Record<Tier, number>>>({});

  const focusTier = focus
    ? groups.find((g) => g.families.some((f) => f.key === focus || f.mirrors.some((m) => positionKey(m) === focus)))
        ?.tier
    : undefined;
  useEffect(() => {
    if (!focus || !focusTier) return;
    setOpen((s) => new Set([...s, focusTier]));
    setLimits((l) => ({ ...l, [focusTier]: Number.POSITIVE_INFINITY }));
    requestAnimationFrame(() =>
      document.querySelector(`[data-key="${CSS.escape(focus)}"]`)?.scrollIntoView({ block: 'center' }),
    );
  }, [focus, focusTier]);

  const toggle = (tier: Tier) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(tier)) next.delete(tier);
      else next.add(tier);
      return next;
    });
  const setLimit = (tier: Tier, limit: number) => setLimits((l) => ({ ...l, [tier]: limit }));
  return { open, limits, toggle, setLimit };
}
