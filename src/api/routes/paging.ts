import { pagingQuery } from '../../sdk/api-operations.js';

/** The list APIs' `?start=&end=`, for the administration routes' lists too. */
export const pagingQuerySchema = { type: 'object', properties: pagingQuery } as const;

export { pageOf } from '../../wire/paging.js';
