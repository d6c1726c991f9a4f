import { mkdirSync } from 'node:fs';
import { characters } from '@charanim/db';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.ts';

/**
 * GraphiQL in a real browser, as a person uses it: the key in the Headers tab, a createCharacter
 * typed into the editor and run, then taskUpdated run until the result pane shows SUCCESS.
 */

const BROWSER_KEY = 'browser-test-key-8d1f4b6a2c9e7035';
const SCREENSHOT = new URL('../artifacts/graphiql.png', import.meta.url);

let t: TestGateway;
let browser: Browser;

beforeAll(async () => {
  t = await startTestGateway({ env: { GATEWAY_API_KEYS: `browser:${BROWSER_KEY}` } });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Replaces the text of a GraphiQL editor as typing would; one line, so no auto-indent or auto-close. */
async function replaceText(page: Page, editor: string, text: string) {
  await page.locator(`${editor} .monaco-editor .view-lines`).filter({ visible: true }).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Puts an operation into the query editor and runs it, once GraphiQL has read it. */
async function run(page: Page, operation: string) {
  await replaceText(page, '.graphiql-query-editor', operation);
  await tabStateHolds(page, `"operationName":"${/^\w+ (\w+)/.exec(operation)?.[1]}"`);
  await page.locator('.graphiql-execute-button').click();
}

/**
 * GraphiQL runs what its tab state holds, which takes an edit a moment after the editor shows it,
 * when it also saves the tab to localStorage: run before that and the request carries the old
 * headers or operation name.
 */
async function tabStateHolds(page: Page, text: string) {
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('graphiql:tabState') ?? ''))
    .toContain(text);
}

/** Waits until the result pane shows `text`, and answers what it shows. */
async function resultShowing(page: Page, text: string): Promise<string> {
  const pane = page.locator('.graphiql-response');
  await expect
    .poll(async () => readable(await pane.textContent()), { timeout: 20_000 })
    .toContain(text);
  return readable(await pane.textContent());
}

/** Monaco lays text out with no-break spaces and wraps long lines. */
const readable = (text: string | null) => (text ?? '').replace(/\u00a0/g, ' ');

describe('GraphiQL in a browser', () => {
  it('creates a character from a URL and follows its task to SUCCESS', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(t.graphqlUrl);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();

    await page.getByRole('button', { name: 'Headers' }).click();
    await replaceText(
      page,
      '.graphiql-editor-tool',
      JSON.stringify({ authorization: `Bearer ${BROWSER_KEY}` }),
    );
    await tabStateHolds(page, BROWSER_KEY);

    await run(
      page,
      'mutation Create { createCharacter(input: { videoUrl: "https://videos.example.com/graphiql-fox.mp4", prompt: "A fox made in GraphiQL" }) { __typename ... on CreateCharacterSuccess { task { id state } } ... on Error { message } } }',
    );
    const created = await resultShowing(page, '"__typename": "CreateCharacterSuccess"');
    const id = /"id":\s*"([^"]+)"/.exec(created)?.[1] as string;
    expect(id).toBeTruthy();

    await run(
      page,
      `subscription Follow { taskUpdated(id: "${id}") { state character { characterId prompt } } }`,
    );
    const finished = await resultShowing(page, '"state": "SUCCESS"');
    const characterId = /"characterId":\s*"(char_\w+)"/.exec(finished)?.[1];
    const stored = await t.gateway.database.db.select().from(characters);
    expect(stored.find((row) => row.prompt === 'A fox made in GraphiQL')?.characterId).toBe(
      characterId,
    );

    // Laid out for a person to read, now that it has run.
    await page.getByRole('button', { name: /^Prettify/ }).click();
    mkdirSync(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname });
  });
});
