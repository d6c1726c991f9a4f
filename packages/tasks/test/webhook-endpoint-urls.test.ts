import type { Database } from '@charanim/db';
import { describe, expect, it } from 'vitest';
import { createWebhookService } from '../src/webhooks/service.ts';

/** The URL rules come before the database: a refused endpoint writes nothing. */
const noDatabase = new Proxy({} as Database, {
  get: () => {
    throw new Error('the database was used');
  },
});
const logger = { debug() {}, info() {}, warn() {}, error() {} };

function service(requireHttps: boolean, refused?: string) {
  return createWebhookService({
    db: noDatabase,
    transport: { check: async () => refused },
    logger,
    requireHttps,
  });
}

describe('an endpoint URL', () => {
  it('must be https in production', async () => {
    expect(
      await service(true).create('acme', {
        url: 'http://app.example.com/h',
        events: ['TASK_ENDED'],
      }),
    ).toEqual({
      kind: 'invalid',
      field: 'url',
      message: 'an https URL: this gateway runs in production and sends nothing in clear',
    });
  });

  it('is refused with what the transport says of its host', async () => {
    expect(
      await service(
        false,
        'app.example.com resolves to 10.0.0.1, which is a private address',
      ).create('acme', { url: 'https://app.example.com/h', events: ['TASK_ENDED'] }),
    ).toMatchObject({ field: 'url', message: expect.stringMatching(/private address/) });
  });

  it('needs at least one event, and a short description', async () => {
    const url = 'https://app.example.com/h';
    expect(await service(false).create('acme', { url, events: [] })).toMatchObject({
      field: 'events',
    });
    expect(
      await service(false).create('acme', {
        url,
        events: ['TASK_ENDED'],
        description: 'x'.repeat(501),
      }),
    ).toMatchObject({ field: 'description' });
  });
});
