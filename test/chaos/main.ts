/**
 * `npm run test:chaos` runs the full chaos suite (300 creates, 3 SIGKILLs);
 * `npm run test:chaos -- --quick` the short one CI runs. Exits 1 on any violation.
 */
import { describeReport, runChaos, violations } from './chaos.ts';

const quick = process.argv.includes('--quick');
const seedArgument = process.argv.find((arg) => arg.startsWith('--seed='));
const seed = seedArgument ? Number(seedArgument.slice('--seed='.length)) : Date.now() % 1_000_000;

console.log(`chaos suite (${quick ? 'quick' : 'full'}), seed ${seed}`);
const report = await runChaos({
  creates: quick ? 80 : 300,
  concurrency: quick ? 8 : 16,
  kills: 3,
  repeatShare: 0.2,
  thinkMs: quick ? 300 : 400,
  forgedShare: 0.1,
  seed,
  taskTimeoutMs: quick ? 20_000 : 30_000,
  log: (line) => console.log(line),
});
for (const line of describeReport(report)) console.log(line);
const count = violations(report);
console.log(count === 0 ? 'chaos: no violations' : `chaos: ${count} violations`);
process.exit(count === 0 ? 0 : 1);
