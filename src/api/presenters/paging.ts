/** How one page of a v1 list was cut, for its headers. */
export interface PageInfo {
  /** the page number of an offset page; null on a cursor page */
  page: number | null;
  perPage: number;
  /** every item matching the filter; null on a cursor page (counting would scan them all) */
  total: number | null;
  nextCursor: string | null;
}

/**
 * The paging headers of a v1 list: `X-Total-Count` and `X-Page` on offset pages (`?page=`), as
 * the API has always sent, `X-Per-Page`, and whenever there is more, `Link: <…>; rel="next"`
 * (RFC 8288; the same path and filters with `cursor=`) and the bare `X-Next-Cursor`.
 */
export function pagingHeaders(path: string, querystring: string, info: PageInfo): Record<string, string> {
  const headers: Record<string, string> = { 'X-Per-Page': String(info.perPage) };
  if (info.total !== null) headers['X-Total-Count'] = String(info.total);
  if (info.page !== null) headers['X-Page'] = String(info.page);
  if (info.nextCursor) {
    const next = new URLSearchParams(querystring);
    next.delete('page');
    next.set('cursor', info.nextCursor);
    headers.Link = `<${path}?${next.toString()}>; rel="next"`;
    headers['X-Next-Cursor'] = info.nextCursor;
  }
  return headers;
}
