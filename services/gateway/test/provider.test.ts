import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createMetrics } from '../src/metrics/registry.ts';
import { connectProvider } from '../src/provider.ts';

/** What connectProvider logs for these settings, one message per line. */
async function startLog(env: Record<string, string>): Promise<string[]> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)).msg);
      done();
    },
  });
  const connection = await connectProvider(
    loadConfig(env),
    createLogger('info', sink),
    createMetrics(),
  );
  await connection.emulator?.close();
  return lines;
}

describe('the kie.ai the gateway uses', () => {
  it('is named by its base URL, and called the real API only at https://api.kie.ai', async () => {
    expect(await startLog({ KIE_API_KEY: 'a-real-key' })).toEqual([
      'kie.ai: using the real API at https://api.kie.ai, uploads at https://kieai.redpandaai.co',
    ]);
    const local = await startLog({
      KIE_API_KEY: 'emulator-key',
      KIE_API_BASE_URL: 'http://127.0.0.1:4010/',
      KIE_UPLOAD_BASE_URL: 'http://127.0.0.1:4010',
    });
    expect(local).toEqual([
      'kie.ai: using the kie.ai API at http://127.0.0.1:4010 (KIE_API_BASE_URL), uploads at http://127.0.0.1:4010',
    ]);
    expect(local.join('\n')).not.toContain('real API');
  });

  it('is the built-in emulator without a key, and the log says so', async () => {
    const lines = await startLog({});
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('KIE_API_KEY is unset, so tasks go to the built-in kie.ai emulator');
  });
});
