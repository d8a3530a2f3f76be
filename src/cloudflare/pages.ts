// Page-number pagination with the fewest calls. The SDK's auto-pagination asks for one more page until an
// empty one comes back; we stop as soon as a page is short or result_info says it was the last.

interface PageLike<T> {
  result: T[];
  result_info?: { page?: number; per_page?: number; total_pages?: number };
}

export async function listAllPages<T>(
  perPage: number,
  fetchPage: (page: number, perPage: number) => PromiseLike<PageLike<T>>,
): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const res = await fetchPage(page, perPage);
    items.push(...res.result);
    const totalPages = res.result_info?.total_pages;
    const last = res.result.length < perPage || (typeof totalPages === 'number' && page >= totalPages);
    if (last) return items;
  }
}
