import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Operations are typed against graphql-env.d.ts, not against schema.graphql itself: a stale copy
// would type-check them against a schema the gateway no longer serves.
const committed = fileURLToPath(new URL('../src/graphql-env.d.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'graphql-env-'));
try {
  const fresh = join(scratch, 'graphql-env.d.ts');
  execFileSync('gql.tada', ['generate', 'output', '--output', fresh], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (readFileSync(fresh, 'utf8') !== readFileSync(committed, 'utf8')) {
    process.stderr.write(
      'examples/client/src/graphql-env.d.ts is out of date with schema.graphql: run `npm run generate -w @charanim/client` and commit it\n',
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
