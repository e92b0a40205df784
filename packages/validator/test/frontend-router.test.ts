import { describe, expect, it } from 'vitest';
import {
  anchoredPrefix,
  type FrontendLine,
  frontendRouter,
  parseFrontendRules,
  routeUrl,
} from '../src/checks/templates/object-templates.js';

describe('anchoredPrefix', () => {
  it.each([
    ['^/auth/complete/dbs/api(?:[/?]|$)', '/auth/complete/dbs/api'],
    ['^/a\\/b\\.c(/|$)', '/a/b.c'],
    ['^/abc?', '/ab'],
    ['^/abc*d', '/ab'],
    ['^/abc+', '/ab'],
    ['^/abc{0,2}', '/ab'],
    ['^/ab\\d', '/ab'],
    ['^/ab[cd]', '/ab'],
    ['^/a|/b', ''],
    ['^(/a|/b)', ''],
    ['^/x(?:/a|/b)', '/x'],
    ['^/x[|]', '/x'],
    ['^/x\\|y', '/x|y'],
    ['/auth/complete', ''],
    ['^', ''],
    ['^(?!/private)', ''],
  ])('%s starts every match with %j', (source, prefix) => {
    expect(anchoredPrefix(source)).toBe(prefix);
  });
});

describe('frontendRouter', () => {
  it('gives the rule routeUrl gives, for every URL, on rules with and without literal prefixes', () => {
    // A seeded generator: the same rules and URLs on every run.
    let seed = 13;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const parts = ['a', 'b', 'ab', 'api', 'x.y', 'q'];
    const segment = () => parts[next(parts.length)]!;
    const shapes = [
      () => `^/${segment()}(?:[/?]|$)`,
      () => `^/${segment()}/${segment()}`,
      () => `^/${segment()}?`,
      () => `^/${segment()}|/${segment()}`,
      () => `/${segment()}$`,
      () => `^/${segment()}\\.${segment()}`,
      () => `^/[ab]${segment()}`,
      () => `^/${segment()}/(${segment()}|${segment()})`,
      () => `^/${segment()}\\?q=`,
      () => '^',
    ];
    const text = Array.from({ length: 300 }, (_, i) => `${shapes[next(shapes.length)]!()} host-${i}`).join('\n');
    const { rules, errors } = parseFrontendRules(text);
    expect(errors).toEqual([]);
    const withoutCatchAll: FrontendLine[] = rules.filter((r) => r.source !== '^');
    for (const set of [rules, withoutCatchAll]) {
      const route = frontendRouter(set);
      let routed = 0;
      for (let k = 0; k < 2000; k++) {
        const url = `/${segment()}${next(2) ? `/${segment()}` : ''}${next(3) ? '' : `?q=${segment()}`}`;
        const want = routeUrl(set, url);
        expect(route(url), url).toBe(want);
        if (want) routed++;
      }
      expect(routed).toBeGreaterThan(100);
    }
  });
});
