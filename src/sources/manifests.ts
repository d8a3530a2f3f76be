// Parsing manifests (YAML or JSON, multi-document) into Kubernetes objects, with errors that name the
// file and line. Pure: callers read the files. Used by render, standalone's file source and the tests.
import { Composer, Lexer, LineCounter, Parser, type Document } from 'yaml';
import { runSteps, type Steps } from '../core/steps.js';
import { parseFast } from './fast-yaml.js';
import { SNAPSHOT_KINDS, emptySnapshot, type K8sObject, type Snapshot } from '../core/types.js';
import { copyWith } from '../core/copy.js';
import { namespaceOf } from '../gatewayapi/values.js';

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'ManifestError';
  }
}

/** Parses every document of one file; throws ManifestError on the first malformed one. */
export function parseManifests(text: string, file: string): K8sObject[] {
  return runSteps(parseManifestsSteps(text, file));
}

/** YAML tokens read between two points where parsing may yield (about a millisecond of work). */
const LEXEMES_PER_STEP = 512;

/**
 * parseManifests in steps: a short text js-yaml reads as `yaml` does in one go (fast-yaml.ts), any other with
 * `yaml`, yielding every LEXEMES_PER_STEP tokens and after each document's objects.
 */
export function* parseManifestsSteps(text: string, file: string): Steps<K8sObject[]> {
  const fast = parseFast(text);
  if (fast) return (fast as unknown as K8sObject[]).map((o) => compacted(o));
  const lines = new LineCounter();
  const docs = yield* yamlDocumentsSteps(text, lines);
  const lineAt = (offset: number) => {
    // An error found at end of input belongs to the last line that has text.
    const at = offset >= text.length && text.endsWith('\n') ? text.length - 1 : offset;
    return lines.linePos(Math.max(0, at)).line;
  };
  const objects: K8sObject[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new ManifestError(file, lineAt(error.pos[0]), error.message.split(' at line')[0]!.split('\n')[0]!);
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) continue;
    const start = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? doc.range[0];
    objects.push(...expandList(value, file, lineAt(start)).map((o) => compacted(o)));
    yield;
  }
  return objects;
}

/**
 * The value with every array copied to its exact length. The YAML readers build arrays by pushing, which
 * leaves room for 17 items in an array of one: a heap snapshot at 5,000 routes held ~6 MiB of such room in
 * parsed routes alone (rules, matches, hostnames, parentRefs, backendRefs). Objects are updated in place
 * (they are the parser's, fresh); an object or array reached twice (YAML aliases, cycles included) is
 * handled once and stays shared.
 */
function compacted<T>(value: T, done = new Map<object, unknown>()): T {
  if (value === null || typeof value !== 'object') return value;
  const known = done.get(value);
  if (known !== undefined) return known as T;
  if (Array.isArray(value)) {
    const copy: unknown[] = value.slice(); // exactly as long
    done.set(value, copy);
    for (let i = 0; i < copy.length; i++) copy[i] = compacted(copy[i], done);
    return copy as T;
  }
  done.set(value, value);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) record[key] = compacted(record[key], done);
  return value;
}

/**
 * parseAllDocuments(text, { lineCounter, prettyErrors: false }) fed one token at a time, as yaml's Parser
 * documents for a caller's own lexer. A document is composed in one go once its last token is read.
 */
export function* yamlDocumentsSteps(text: string, lines: LineCounter): Steps<Document.Parsed[]> {
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer({ lineCounter: lines, prettyErrors: false });
  const docs: Document.Parsed[] = [];
  lines.addNewLine(0); // what Parser.parse() does first
  let read = 0;
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) docs.push(...composer.next(token));
    if (++read % LEXEMES_PER_STEP === 0) yield;
  }
  for (const token of parser.end()) docs.push(...composer.next(token));
  docs.push(...composer.end());
  return docs;
}

function expandList(value: unknown, file: string, line: number): K8sObject[] {
  if (!isRecord(value)) throw new ManifestError(file, line, 'document is not an object');
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    return value.items.map((item) => asObject(item, file, line));
  }
  return [asObject(value, file, line)];
}

function asObject(value: unknown, file: string, line: number): K8sObject {
  if (!isRecord(value)) throw new ManifestError(file, line, 'document is not an object');
  if (typeof value.kind !== 'string' || !value.kind) throw new ManifestError(file, line, 'document has no kind');
  const meta = value.metadata;
  if (!isRecord(meta) || typeof meta.name !== 'string' || !meta.name) {
    throw new ManifestError(file, line, `${value.kind} has no metadata.name`);
  }
  return value as unknown as K8sObject;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Builds a Snapshot from objects of any kinds. Objects of kinds the translator does not read are returned
 * in `ignored` so callers can say so instead of dropping them silently. Namespaced objects without a
 * namespace get "default", as kubectl apply would.
 */
export function toSnapshot(objects: K8sObject[]): { snapshot: Snapshot; ignored: K8sObject[] } {
  const snapshot = emptySnapshot();
  const ignored: K8sObject[] = [];
  for (const obj of objects) {
    const key = SNAPSHOT_KINDS[obj.kind ?? ''];
    if (!key) {
      ignored.push(obj);
      continue;
    }
    snapshot[key].push(withDefaultNamespace(obj));
  }
  return { snapshot, ignored };
}

/** Parsed object → the same with namespace "default": one copy per object, so identity survives re-reads. */
const defaulted = new WeakMap<K8sObject, K8sObject>();

/** The object with namespace "default" when it is namespaced and has none, as kubectl apply would. */
export function withDefaultNamespace(obj: K8sObject): K8sObject {
  const clusterScoped = obj.kind === 'GatewayClass' || obj.kind === 'Namespace';
  if (clusterScoped || namespaceOf(obj) === obj.metadata.namespace) return obj;
  let copy = defaulted.get(obj);
  if (!copy) defaulted.set(obj, (copy = copyWith(obj, { metadata: copyWith(obj.metadata, { namespace: 'default' }) })));
  return copy;
}
