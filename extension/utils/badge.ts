import type { ConnectionStatus } from './connection.ts';

/** The toolbar badge: the CRITICAL count in red while connected, otherwise a mark saying why not. */

export interface Badge {
  text: string;
  color: string;
  title: string;
}

export const BADGE_RED = '#d32f2f';
export const BADGE_GREY = '#6b7280';
export const BADGE_AMBER = '#b45309';

export function badgeFor(status: ConnectionStatus['state'], criticalCount: number): Badge {
  switch (status) {
    case 'open':
      if (criticalCount <= 0) return { text: '', color: BADGE_RED, title: 'Tierwatch: connected, nothing CRITICAL' };
      return {
        text: criticalCount > 999 ? '999+' : String(criticalCount),
        color: BADGE_RED,
        title: `Tierwatch: ${criticalCount} CRITICAL position${criticalCount === 1 ? '' : 's'}`,
      };
    case 'unpaired':
    case 'unconfigured':
      return { text: 'key', color: BADGE_AMBER, title: 'Tierwatch: not paired, paste the token in Options' };
    case 'connecting':
      return { text: '…', color: BADGE_GREY, title: 'Tierwatch: connecting to the companion' };
    default:
      return { text: '×', color: BADGE_GREY, title: 'Tierwatch: companion disconnected' };
  }
}
