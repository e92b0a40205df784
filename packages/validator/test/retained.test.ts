import { describe, expect, it } from 'vitest';
import { retain, type StringTable } from '../src/manifests/retained.js';

describe('retain', () => {
  it('copies plain data with equal content, key order, scalars and holes kept', () => {
    const value = { b: [1, 'x', null, true, undefined, { c: 'y' }], a: 'z', n: Number.NaN, i: Infinity };
    const table: StringTable = new Map();
    const copy = retain(value, table);
    expect(copy).toEqual(value);
    expect(copy).not.toBe(value);
    expect(Object.keys(copy)).toEqual(['b', 'a', 'n', 'i']);
    expect(copy.b[5]).not.toBe(value.b[5]);
  });

  it('interns strings: equal strings of different batches are one string in the table', () => {
    const table: StringTable = new Map();
    const text = 'metadata:\n  name: web\n';
    const first = retain({ name: text.slice(text.indexOf('web'), text.indexOf('web') + 3) }, table);
    const second = retain({ name: ['w', 'e', 'b'].join('') }, table);
    expect(first.name).toBe('web');
    expect(table.size).toBe(2); // "name" and "web"
    expect(table.get(second.name)).toBe(first.name);
  });

  it('keeps a "__proto__" key as a field, never as the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": "yes"}, "a": 1}') as Record<string, unknown>;
    const copy = retain(value, new Map());
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(value));
  });
});
