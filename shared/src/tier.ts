import { z } from 'zod';

/** Most urgent first: the order is used for sorting, lanes and the popup's grouping. */
export const TIERS = ['CRITICAL', 'URGENT', 'ACTIVE', 'BUILDING', 'STABLE', 'DORMANT'] as const;
export const Tier = z.enum(TIERS);
export type Tier = z.infer<typeof Tier>;

export const TierCounts = z.object(
  Object.fromEntries(TIERS.map((t) => [t, z.number().int().nonnegative()])) as Record<Tier, z.ZodNumber>,
);
export type TierCounts = Record<Tier, number>;

/** Lower is more urgent. */
export const tierRank = (tier: Tier): number => TIERS.indexOf(tier);

export const emptyTierCounts = (): TierCounts => Object.fromEntries(TIERS.map((t) => [t, 0])) as TierCounts;
