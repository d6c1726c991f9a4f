import { expect } from 'vitest';
import { ProviderError } from '../src/errors.ts';

/** The ProviderError a call rejects with; fails the test when it resolves or rejects otherwise. */
export async function providerErrorOf(call: Promise<unknown>): Promise<ProviderError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error('expected the call to fail');
}
