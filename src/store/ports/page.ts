/** One page of a listing, with the count of everything the listing would return. */
export interface Page<T> {
  totalCount: number;
  items: T[];
}
