const MAX_PAGE = 1000;

/** `start` inclusive (default 0), `end` exclusive (default start + 5), as Authlete's list APIs; pages are capped. */
export function pageOf(query: { start?: number; end?: number }): { start: number; end: number } {
  const start = query.start ?? 0;
  const end = Math.max(start, Math.min(query.end ?? start + 5, start + MAX_PAGE));
  return { start, end };
}
