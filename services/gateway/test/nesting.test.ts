import { describe, expect, it } from 'vitest';
import { nestingOf } from '../src/plugins/limits.ts';

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('nestingOf', () => {
  it('counts (), [] and {} and skips strings', () => {
    expect(nestingOf('{ a(b: [1, {c: 2}]) }')).toBe(4);
    expect(nestingOf('{ a(b: "((([[[{{{") }')).toBe(2);
    expect(nestingOf('{ a(b: "\\"[[[") }')).toBe(2);
  });

  it('is not fooled by a quote inside a block string', () => {
    expect(nestingOf(`{ a(b: """ say "hi" """, c: ${deep(70)}) }`)).toBe(72);
    expect(nestingOf(`{ a(b: """ " """, c: ${deep(70)}) }`)).toBe(72);
    expect(nestingOf(`{ a(b: """ \\""" " """, c: ${deep(70)}) }`)).toBe(72);
    expect(nestingOf('{ a(b: """ ((( [[[ """) }')).toBe(2);
  });

  it('is not fooled by a quote inside a comment, nor by a string left open', () => {
    expect(nestingOf(`# don't "\n{ a(c: ${deep(70)}) }`)).toBe(72);
    expect(nestingOf(`{ a(b: "open\n c: ${deep(70)}) }`)).toBe(72);
    expect(nestingOf('# {{{{\n{ a }')).toBe(1);
  });
});
