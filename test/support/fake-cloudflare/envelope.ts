// Cloudflare v4 response envelope and error shapes, as the real API sends them.

export class ApiFault extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export function success(result: unknown, resultInfo?: ResultInfo, status = 200): Reply {
  const body: Record<string, unknown> = { success: true, errors: [], messages: [], result };
  if (resultInfo) body.result_info = resultInfo;
  return { status, body };
}

export function failure(fault: ApiFault): Reply {
  return {
    status: fault.status,
    headers: fault.headers,
    body: { success: false, errors: [{ code: fault.code, message: fault.message }], messages: [], result: null },
  };
}

export const notFound = (what: string): ApiFault =>
  new ApiFault(404, 7003, `Could not route to ${what}, perhaps your object identifier is invalid?`);

export const badRequest = (code: number, message: string): ApiFault => new ApiFault(400, code, message);

/**
 * Page-number pagination the way Cloudflare does it: `page` (1-based) and `per_page`, with result_info.
 * A page past the end comes back empty (the SDK's auto-pagination stops on an empty page).
 */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  limits: { defaultPerPage: number; maxPerPage: number },
): { page: T[]; info: ResultInfo } {
  const page = positiveInt(query.get('page'), 1, 'page');
  const perPage = Math.min(positiveInt(query.get('per_page'), limits.defaultPerPage, 'per_page'), limits.maxPerPage);
  const start = (page - 1) * perPage;
  const slice = items.slice(start, start + perPage);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  return {
    page: slice,
    info: { page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: totalPages },
  };
}

function positiveInt(raw: string | null, fallback: number, name: string): number {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw badRequest(1001, `Invalid ${name}: ${raw}`);
  return n;
}

/** One parsed request, as the route handlers see it. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface Route {
  method: string;
  pattern: RegExp;
  handle(req: ApiRequest, params: string[]): Reply;
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest(1001, 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}
