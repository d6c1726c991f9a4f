import type { ServerResponse } from 'node:http';

/**
 * The User-Agents HTTP libraries send when their caller sets none (Node's fetch sends `node`,
 * older undici `undici`). The CDN in front of kie.ai turns requests carrying them away.
 */
const LIBRARY_DEFAULT =
  /^(node|undici|node-fetch|axios|got|python-requests|python-urllib|aiohttp|go-http-client|java|okhttp)\b/i;

/** Whether a request's User-Agent names its client, as the CDN in front of kie.ai requires. */
export function identifiesItself(userAgent: string | undefined): boolean {
  const value = userAgent?.trim() ?? '';
  return value !== '' && !LIBRARY_DEFAULT.test(value);
}

/** The CDN's refusal: an HTML page with HTTP 403, not kie.ai's envelope; kie.ai never sees it. */
export function refuseAsCdn(res: ServerResponse): void {
  const page = [
    '<!DOCTYPE html>',
    '<html><head><title>Access denied</title></head>',
    '<body><h1>Access denied</h1>',
    '<p>The owner of this website has banned your access based on your browser&#39;s signature.</p>',
    '<p>error code: 1010</p></body></html>',
  ].join('\n');
  res.writeHead(403, { 'content-type': 'text/html; charset=UTF-8' }).end(page);
}
