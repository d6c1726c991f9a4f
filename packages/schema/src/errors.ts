import { type ProviderError as ProviderFailure, providerErrorCodes } from '@charanim/provider';
import { builder } from './builder.ts';

export interface ValidationErrorShape {
  kind: 'ValidationError';
  message: string;
  field: string | null;
}

export interface ProviderErrorShape {
  kind: 'ProviderError';
  message: string;
  code: (typeof providerErrorCodes)[number];
  retryable: boolean;
}

export function validationError(field: string | null, message: string): ValidationErrorShape {
  return { kind: 'ValidationError', field, message };
}

export function providerError(error: ProviderFailure): ProviderErrorShape {
  return {
    kind: 'ProviderError',
    message: error.message,
    code: error.code,
    retryable: error.retryable,
  };
}

export const ErrorInterface = builder.interfaceRef<{ message: string }>('Error').implement({
  description: 'A failure the caller can act on, returned as data.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

export const ValidationError = builder
  .objectRef<ValidationErrorShape>('ValidationError')
  .implement({
    description: 'The input broke a rule; nothing was written and the provider was not called.',
    interfaces: [ErrorInterface],
    isTypeOf: (value) => (value as { kind?: string }).kind === 'ValidationError',
    fields: (t) => ({
      field: t.exposeString('field', {
        nullable: true,
        description: 'The input field that broke the rule.',
      }),
    }),
  });

export const ProviderErrorCode = builder.enumType('ProviderErrorCode', {
  values: providerErrorCodes,
});

export const ProviderError = builder.objectRef<ProviderErrorShape>('ProviderError').implement({
  description: 'kie.ai refused the request or could not be reached.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => (value as { kind?: string }).kind === 'ProviderError',
  fields: (t) => ({
    code: t.expose('code', { type: ProviderErrorCode }),
    retryable: t.boolean({
      description: 'Whether the same request may succeed later.',
      resolve: (error) => error.retryable,
    }),
  }),
});
