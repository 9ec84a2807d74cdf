/** `start` inclusive (default 0), `end` exclusive (default 5), as Authlete's list APIs. */
export const pagingQuerySchema = {
  type: 'object',
  properties: {
    start: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    end: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  },
} as const;

export { pageOf } from '../../wire/paging.js';
