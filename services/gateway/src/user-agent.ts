import { readFileSync } from 'node:fs';

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

/**
 * The User-Agent every request to kie.ai carries unless KIE_USER_AGENT says otherwise: the CDN in
 * front of kie.ai refuses default library ones, and the version tells kie.ai's support who calls.
 */
export const DEFAULT_USER_AGENT = `charanim-gateway/${version}`;
