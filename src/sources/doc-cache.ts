// Re-parsing a changed file document by document: YAML parsing costs ~0.2–0.5 ms per document, so a file of
// a hundred routes in which one changed would cost tens of milliseconds per change. Documents are split at
// their "---" markers and each one's text is looked up among the file's previous documents; only new text
// is parsed. Anything the split cannot honour exactly (directives, "..." document ends) and every error
// goes through parseManifests on the whole text, so results and messages are the same as without the cache.
import { ManifestError, parseManifestsSteps } from './manifests.js';
import { runSteps, type Steps } from '../core/steps.js';
import type { K8sObject } from '../core/types.js';

/** Document text → the objects it holds, for one file's latest version. */
export type DocumentCache = Map<string, K8sObject[]>;

const MARKER = /^---(?=[ \t\r\n]|$)/gm;
const UNSPLITTABLE = /^(%|\.\.\.(?=[ \t\r\n]|$))/m;

/** The stream's documents, each starting at its "---" line (the first one may have none); undefined when the text cannot be split safely. */
export function splitDocuments(text: string): string[] | undefined {
  if (UNSPLITTABLE.test(text)) return undefined;
  const starts = [0];
  for (const m of text.matchAll(MARKER)) if (m.index > 0) starts.push(m.index);
  return starts.map((start, i) => text.slice(start, starts[i + 1] ?? text.length));
}

/**
 * parseManifests(text, file), reusing the objects of documents whose text is in `previous`; returns them with
 * the cache for this version of the file. Reused objects are the same instances: callers must not mutate them.
 */
export function parseWithCache(text: string, file: string, previous: DocumentCache | undefined): CachedParse {
  return runSteps(parseWithCacheSteps(text, file, previous));
}

/** A file's objects and the cache for this version of it. */
export interface CachedParse {
  objects: K8sObject[];
  cache: DocumentCache;
  /** Documents parsed anew, not found in the cache (a text the split cannot honour counts as one, parsed whole). */
  parsed: number;
}

/**
 * The document caches of a folder's files, two per file: the version last applied, and the last read parsed,
 * applied or not. A writer that truncates before it writes is read half-way (empty, or cut off); that read is
 * held back (settle.ts), and the next read must not parse every document again for having been compared with
 * it (the source's doubtful reads re-parsed whole files before).
 */
export class FileDocuments {
  private readonly ofApplied = new Map<string, DocumentCache>();
  private readonly lastParsed = new Map<string, DocumentCache>();
  /** The cache each parse's objects came with, kept as the file's once they are applied. */
  private readonly cacheOf = new WeakMap<readonly K8sObject[], DocumentCache>();

  /** The documents of the file's applied version and of its last read, together: `previous` for a parse. */
  known(file: string): DocumentCache | undefined {
    const applied = this.ofApplied.get(file);
    const last = this.lastParsed.get(file);
    if (!applied || !last || applied === last) return applied ?? last;
    const both = new Map(applied);
    for (const [doc, objects] of last) both.set(doc, objects);
    return both;
  }

  /** A read of the file was parsed into `objects` (as the caller hands them on) with `cache`. */
  parsed(file: string, cache: DocumentCache, objects: readonly K8sObject[]): void {
    this.lastParsed.set(file, cache);
    this.cacheOf.set(objects, cache);
  }

  /** `objects`, from parsed(), are now the file's; none: the file is gone. */
  applied(file: string, objects: readonly K8sObject[]): void {
    if (objects.length === 0) {
      this.ofApplied.delete(file);
      this.lastParsed.delete(file);
      return;
    }
    const cache = this.cacheOf.get(objects);
    if (cache) this.ofApplied.set(file, cache);
  }
}

/** parseWithCache in steps (parseManifestsSteps' for each new document). */
export function* parseWithCacheSteps(
  text: string,
  file: string,
  previous: DocumentCache | undefined,
): Steps<CachedParse> {
  const docs = splitDocuments(text);
  const whole = function* () {
    return { objects: yield* parseManifestsSteps(text, file), cache: new Map(), parsed: 1 };
  };
  if (!docs) return yield* whole();
  const cache: DocumentCache = new Map();
  const objects: K8sObject[] = [];
  let parsedAnew = 0;
  let offset = 0;
  for (const [i, doc] of docs.entries()) {
    let parsed = cache.get(doc) ?? previous?.get(doc);
    if (!parsed) {
      try {
        parsed = yield* parseManifestsSteps(doc, file);
        parsedAnew++;
      } catch (err) {
        // The last document's error, its line moved to the file's, is the whole text's error: every document
        // before it parses, and nothing follows. That is the error of a read half-way through a rewrite (cut
        // off at the end), where parsing the whole text again cost a slow parse of every document. Anywhere
        // else the whole text raises it: an unclosed quote runs on into the next documents and the whole
        // text's error is then on another line (the property test in doc-cache.test.ts finds it).
        if (err instanceof ManifestError && i === docs.length - 1) throw inFile(err, text, offset);
        return yield* whole();
      }
    }
    cache.set(doc, parsed);
    objects.push(...parsed);
    offset += doc.length;
  }
  return { objects, cache, parsed: parsedAnew };
}

/** A document's error with its line counted in the whole text (the document starts at `offset`). */
function inFile(err: ManifestError, text: string, offset: number): ManifestError {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) lines++;
  return new ManifestError(err.file, err.line + lines, err.message.slice(`${err.file}:${err.line}: `.length));
}
