import { apiKeyProbes } from './api-keys.ts';
import { contentTypes } from './content-types.ts';
import { deepDocuments } from './deep-documents.ts';
import { forgedCallbacks } from './forged-callbacks.ts';
import { getParams } from './get-params.ts';
import { hugeDocuments } from './huge-documents.ts';
import { idsAndCursors } from './ids-cursors.ts';
import { invalidJson } from './invalid-json.ts';
import { invalidUtf8 } from './invalid-utf8.ts';
import { methodsAndPaths } from './methods-paths.ts';
import { brokenMultipart } from './multipart.ts';
import { oversize } from './oversize.ts';
import type { Category, Probe } from './probes.ts';
import { protocol } from './protocol.ts';
import { replayedCallbacks } from './replayed-callbacks.ts';
import { Rng } from './rng.ts';
import type { RealTask } from './state.ts';
import { unknownFields } from './unknown-fields.ts';
import { wrongTypes } from './wrong-types.ts';

export interface Family {
  category: Category;
  generate(rng: Rng, real: RealTask): Probe[];
}

/**
 * Every family of probes, in the order they draw from the one PRNG: a new family goes last, so
 * that a seed keeps giving the others the probes it gave them.
 */
export const families: Family[] = [
  { category: 'invalid-json', generate: invalidJson },
  { category: 'wrong-types', generate: wrongTypes },
  { category: 'unknown-fields', generate: unknownFields },
  { category: 'huge-documents', generate: hugeDocuments },
  { category: 'deep-documents', generate: deepDocuments },
  { category: 'invalid-utf8', generate: invalidUtf8 },
  { category: 'content-type', generate: contentTypes },
  { category: 'get-params', generate: getParams },
  { category: 'multipart', generate: brokenMultipart },
  { category: 'oversize', generate: oversize },
  { category: 'forged-callbacks', generate: forgedCallbacks },
  { category: 'replayed-callbacks', generate: replayedCallbacks },
  { category: 'api-keys', generate: apiKeyProbes },
  { category: 'ids-cursors', generate: idsAndCursors },
  { category: 'methods-paths', generate: methodsAndPaths },
  { category: 'protocol', generate: protocol },
];

/** Every family's probes, drawn from one PRNG seeded with `seed`. */
export function allProbes(seed: number, real: RealTask): Probe[] {
  const rng = new Rng(seed);
  return families.flatMap(({ generate }) => generate(rng, real));
}
