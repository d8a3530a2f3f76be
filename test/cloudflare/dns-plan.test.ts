// Pure DNS planning, zone choice, ownership marks and pagination.
import { describe, expect, it } from '@jest/globals';
import { MANAGED_BY, isOurs, ownerComment, planZone, type ExistingRecord } from '../../src/cloudflare/dns-plan.js';
import { zoneForHostname } from '../../src/cloudflare/zones.js';
import { listAllPages } from '../../src/cloudflare/pages.js';
import type { DnsRecord } from '../../src/core/types.js';

const OWNER = 'gc-1';
const TARGET = 't1.cfargotunnel.com';
const want = (name: string): DnsRecord => ({ name, type: 'CNAME', content: TARGET, proxied: true });
const ours = (id: string, name: string, content = TARGET, proxied = true): ExistingRecord => ({
  id,
  name,
  type: 'CNAME',
  content,
  proxied,
  comment: ownerComment(OWNER),
});

describe('isOurs', () => {
  it.each([
    [ownerComment(OWNER), true],
    [`note ${MANAGED_BY} owner=${OWNER}`, true], // a person may prepend text
    [`${MANAGED_BY} owner=${OWNER}-2`, false], // a different owner id that starts the same
    [`owner=${OWNER}`, false], // no managed-by mark
    [`${MANAGED_BY} owner=other`, false],
    [null, false],
  ])('%s → %s', (comment, expected) => expect(isOurs(comment, OWNER)).toBe(expected));
});

describe('planZone', () => {
  it('creates missing, fixes drifted, deletes stale and duplicate records of ours', () => {
    const plan = planZone(
      [want('new.x'), want('drift.x'), want('ok.x'), want('dup.x')],
      [
        ours('1', 'drift.x', 'old.cfargotunnel.com'),
        ours('2', 'ok.x'),
        ours('3', 'dup.x'),
        ours('4', 'dup.x'),
        ours('5', 'stale.x'),
      ],
      OWNER,
    );
    expect(plan.posts.map((p) => p.name)).toEqual(['new.x']);
    expect(plan.patches).toEqual([
      expect.objectContaining({ id: '1', content: TARGET, proxied: true, comment: ownerComment(OWNER) }),
    ]);
    expect(plan.deletes.map((d) => d.id).sort()).toEqual(['4', '5']);
    expect(plan.conflicts).toEqual([]);
  });

  it('leaves foreign records alone and reports wanted names they hold', () => {
    const foreign: ExistingRecord[] = [
      { id: 'f1', name: 'taken.x', type: 'A', content: '192.0.2.1', comment: null },
      { id: 'f2', name: 'unrelated.x', type: 'CNAME', content: 'y', comment: 'hand made' },
    ];
    const plan = planZone([want('taken.x')], foreign, OWNER);
    expect(plan).toEqual({
      posts: [],
      patches: [],
      deletes: [],
      conflicts: [expect.stringMatching(/^hostname taken: taken\.x has A record/)],
    });
  });

  it('re-proxies a record of ours that someone set to DNS-only', () => {
    expect(planZone([want('a.x')], [ours('1', 'a.x', TARGET, false)], OWNER).patches.map((p) => p.id)).toEqual(['1']);
  });
});

describe('zoneForHostname', () => {
  const zones = [
    { id: '1', name: 'example.com' },
    { id: '2', name: 'dev.example.com' },
    { id: '3', name: 'ample.com' },
  ];
  it.each([
    ['app.example.com', '1'],
    ['example.com', '1'], // apex
    ['a.dev.example.com', '2'], // longest suffix wins
    ['*.dev.example.com', '2'],
    ['*.example.com', '1'],
    ['APP.Example.COM', '1'],
    ['xample.com', undefined], // a suffix match must fall on a label boundary
    ['other.org', undefined],
  ])('%s → zone %s', (host, id) => expect(zoneForHostname(host, zones)?.id).toBe(id));
});

describe('listAllPages', () => {
  it('stops at a short page or at total_pages, never asking for the empty page after', async () => {
    const items = Array.from({ length: 7 }, (_, i) => i);
    const asked: number[] = [];
    const fetchPage = async (page: number, perPage: number) => {
      asked.push(page);
      return {
        result: items.slice((page - 1) * perPage, page * perPage),
        result_info: { total_pages: Math.ceil(items.length / perPage) },
      };
    };
    expect(await listAllPages(3, fetchPage)).toEqual(items);
    expect(asked).toEqual([1, 2, 3]);
    asked.length = 0;
    expect(await listAllPages(7, fetchPage)).toEqual(items);
    expect(asked).toEqual([1]);
  });
});
