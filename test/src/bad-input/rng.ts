import { mulberry32 } from '@charanim/provider/emulator';

/**
 * Random choices for the probes from the emulator's seeded PRNG, so that a seed replays a run;
 * one is shared by every family, in a fixed order, so that the seed fixes every probe.
 */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  word(min = 3, max = 12): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const rest = `${letters}ABCDEFGHIJ0123456789_`;
    let out = letters[this.int(26)] as string;
    const length = this.range(min, max);
    while (out.length < length) out += rest[this.int(rest.length)];
    return out;
  }
  uuid(): string {
    const hex = this.bytes(16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}
