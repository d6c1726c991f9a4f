/**
 * Upload benchmark: a 10 MB clip through the gateway's multipart path. Reports how long the
 * checks take (in process) and how far the gateway process's resident memory rises above idle
 * while it takes such uploads; the goal is a peak of at most 3× the file size above idle.
 * Needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL overrides). `npm run bench:upload`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectVideo, MAX_VIDEO_BYTES } from '@charanim/provider';
import { startEmulatorProcess, startGatewayProcess } from '@charanim/test-support';
import { benchDatabase } from './support/database.ts';
import type { Goal } from './support/goals.ts';
import { memoryOf, percentile, resetPeak } from './support/measure.ts';
import { writeResult } from './support/results.ts';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const quick = process.argv.includes('--quick');
const uploads = Number(process.env.BENCH_UPLOADS ?? (quick ? 4 : 20));
const validations = quick ? 5 : 30;

/** A valid 4 s MP4 padded with a `free` box to exactly the size limit. */
function clipOfMaxSize(): Uint8Array<ArrayBuffer> {
  const clip = readFileSync(new URL('../test/fixtures/clip-4s.mp4', import.meta.url));
  const bytes = new Uint8Array(MAX_VIDEO_BYTES);
  bytes.set(clip);
  const padding = MAX_VIDEO_BYTES - clip.length;
  new DataView(bytes.buffer).setUint32(clip.length, padding);
  bytes.set(new TextEncoder().encode('free'), clip.length + 4);
  return bytes;
}

const MUTATION = `mutation($input: CreateCharacterInput!) { createCharacter(input: $input) { __typename ... on Error { message } } }`;

async function upload(url: string, bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: MUTATION, variables: { input: { video: null } } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.video'] }));
  form.append('0', new Blob([bytes], { type: 'video/mp4' }), 'clip.mp4');
  const started = performance.now();
  const response = await fetch(`${url}/graphql`, { method: 'POST', body: form });
  const body = (await response.json()) as any;
  const elapsed = performance.now() - started;
  if (body.data?.createCharacter?.__typename !== 'CreateCharacterSuccess') {
    throw new Error(`upload refused: ${JSON.stringify(body)}`);
  }
  return elapsed;
}

const clip = clipOfMaxSize();
const scratch = mkdtempSync(join(tmpdir(), 'bench-upload-'));
const clipPath = join(scratch, 'clip.mp4');
writeFileSync(clipPath, clip);
const check = await inspectVideo(clipPath);
if (!check.ok) throw new Error(`the benchmark clip is refused: ${check.message}`);

const validationMs: number[] = [];
for (let i = 0; i < validations; i++) {
  const started = performance.now();
  await inspectVideo(clipPath);
  validationMs.push(performance.now() - started);
}

const database = await benchDatabase();
const emulator = await startEmulatorProcess();
const gateway = await startGatewayProcess({
  DATABASE_URL: database.url,
  KIE_API_BASE_URL: emulator.url,
  KIE_UPLOAD_BASE_URL: emulator.url,
});
const pid = gateway.child.pid as number;
try {
  // Idle means ready: started, and one upload of this size done, so that MediaInfo's WebAssembly
  // memory (which grows once and never shrinks) is in the baseline. The cold figure is kept too.
  const started = memoryOf(pid);
  resetPeak(pid);
  await upload(gateway.url, clip);
  const cold = memoryOf(pid);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = memoryOf(pid);
  resetPeak(pid);
  const requestMs: number[] = [];
  for (let i = 0; i < uploads; i++) requestMs.push(await upload(gateway.url, clip));
  const after = memoryOf(pid);
  const aboveIdle = after.peakRssBytes - idle.rssBytes;
  const result = {
    parameters: { fileBytes: clip.length, uploads, validations },
    validation: {
      p50Ms: percentile(validationMs, 50),
      p95Ms: percentile(validationMs, 95),
    },
    request: { p50Ms: percentile(requestMs, 50), p95Ms: percentile(requestMs, 95) },
    memory: {
      startedRssBytes: started.rssBytes,
      firstUploadPeakAboveStartedBytes: cold.peakRssBytes - started.rssBytes,
      idleRssBytes: idle.rssBytes,
      peakRssBytes: after.peakRssBytes,
      peakAboveIdleBytes: aboveIdle,
      peakAboveIdleInFileSizes: aboveIdle / clip.length,
    },
    goals: [
      {
        name: `upload peak memory above idle (${mb(clip.length)} files)`,
        target: '≤ 3× the file',
        measured: `${(aboveIdle / clip.length).toFixed(2)}×`,
        met: aboveIdle / clip.length <= 3,
      },
    ] satisfies Goal[],
  };
  const file = writeResult('upload', result);
  console.log(
    `upload of a ${mb(clip.length)} clip (${uploads} uploads, ${validations} validations)`,
  );
  console.log(
    `  validation in process: p50 ${result.validation.p50Ms.toFixed(1)} ms, p95 ${result.validation.p95Ms.toFixed(1)} ms`,
  );
  console.log(
    `  whole request (check + upload to the emulator + task): p50 ${result.request.p50Ms.toFixed(1)} ms, p95 ${result.request.p95Ms.toFixed(1)} ms`,
  );
  console.log(
    `  gateway memory: idle ${mb(idle.rssBytes)}, peak ${mb(after.peakRssBytes)}, peak above idle ${mb(aboveIdle)} = ${result.memory.peakAboveIdleInFileSizes.toFixed(2)}× the file (goal ≤ 3×: ${result.goals[0]?.met ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  the first upload after start: peak ${mb(cold.peakRssBytes - started.rssBytes)} above the started process (MediaInfo's memory grows once)`,
  );
  console.log(`  written to ${file}`);
} finally {
  await gateway.stop();
  await emulator.stop();
  await database.drop();
  rmSync(scratch, { recursive: true, force: true });
}
