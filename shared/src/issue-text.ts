import type { z } from 'zod';

/**
 * One line per problem, each naming where it is: `price: a limit order needs a price`.
 * Used by the companion's 400s and the config loader, so every rejection reads the same way.
 */
export function describeIssues(error: z.ZodError, root = ''): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter(Boolean).join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}
