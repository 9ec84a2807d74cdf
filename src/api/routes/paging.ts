/** `start` inclusive (default 0), `end` exclusive (default 5), as Authlete's list APIs. */
export const pagingQuerySchema = {
  type: 'object',
  properties: {
    start: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    end: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  },
} as const;

const MAX_PAGE = 1000;

export function pageOf(query: { start?: number; end?: number }): { start: number; end: number } {
  const start = query.start ?? 0;
  const end = Math.max(start, Math.min(query.end ?? start + 5, start + MAX_PAGE));
  return { start, end };
}
