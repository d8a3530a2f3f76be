// URLRewrite: changes the host and/or path the backend sees (the query is kept).
import { z } from 'zod';
import { str } from '../config/fields.js';
import { setHeader } from './headers.js';
import { compilePathModifier, PathModifier } from './path.js';
import { filterKind, type RequestStep } from './steps.js';

const RewriteConfig = z.object({ hostname: str.optional(), path: PathModifier.optional() });

export const urlRewrite = filterKind({
  type: 'URLRewrite',
  schema: z.object({ type: z.literal('URLRewrite'), urlRewrite: RewriteConfig }),
  compile: (filter) => ({ request: compileUrlRewrite(filter.urlRewrite) }),
});

export function compileUrlRewrite(cfg: z.infer<typeof RewriteConfig>): RequestStep {
  const hostname = cfg.hostname?.toLowerCase();
  const rewritePath = cfg.path ? compilePathModifier(cfg.path) : undefined;
  return (ctx) => {
    const head = ctx.head;
    if (hostname !== undefined) {
      head.host = hostname;
      head.port = undefined; // the rewritten Host carries no port
      setHeader(head.headers, 'host', hostname);
    }
    if (rewritePath) head.path = rewritePath(head.path, ctx.matchedPrefix);
    return undefined;
  };
}
