import type { CallbackAnswer, CallbackInput } from '@charanim/tasks';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import { readBodyUpTo } from './bounded-body.ts';
import { storableCallbackText } from './callback-body.ts';
import { jsonResponse } from './json-response.ts';

export const WEBHOOK_PATH = '/webhooks/kie';
/** The query parameter that names our task in a callback URL. */
const TASK_PARAMETER = 'task';

/** The callback URL for one task: it names our task, so a callback finds it without kie.ai's id. */
export function callbackUrl(webhookUrl: string, taskId: string): string {
  return `${webhookUrl}?${TASK_PARAMETER}=${encodeURIComponent(taskId)}`;
}
/** kie.ai's callbacks are a few KB; anything far larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;

export interface KieWebhookOptions {
  /** The task core's ingestion of one callback. */
  ingest(input: CallbackInput): Promise<CallbackAnswer>;
  logger: Logger;
  onOutcome?: (outcome: string) => void;
}

/** `POST /webhooks/kie`: kie.ai's completion callbacks, handed to the task core. */
export function useKieWebhook(ingester: KieWebhookOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== WEBHOOK_PATH) return;
      const answer = (status: number, outcome: string) =>
        endResponse(jsonResponse(fetchAPI, status, { outcome }));
      if (request.method !== 'POST') return answer(405, 'method_not_allowed');
      const tooLarge = () => {
        const response = jsonResponse(fetchAPI, 413, { outcome: 'too_large' });
        // The rest of the body is left unread: closing the connection stops Node reading it.
        response.headers.set('connection', 'close');
        endResponse(response);
      };
      // Counted as the ingester counts the bodies it cannot read.
      const malformed = () => {
        ingester.logger.info(
          { reason: 'malformed' },
          'callback refused: its body is not JSON the gateway can store',
        );
        ingester.onOutcome?.('malformed');
        answer(400, 'malformed');
      };
      const declared = Number(request.headers.get('content-length') ?? 0);
      if (declared > MAX_BODY_BYTES) return tooLarge();
      let bytes: Buffer | undefined;
      try {
        bytes = await readBodyUpTo(request, MAX_BODY_BYTES);
      } catch (error) {
        // The sender broke the request off: nobody is left to answer.
        ingester.logger.debug({ err: error }, 'callback body not read');
        return malformed();
      }
      if (!bytes) return tooLarge();
      const rawBody = storableCallbackText(bytes);
      if (rawBody === undefined) return malformed();
      try {
        const result = await ingester.ingest({
          rawBody,
          timestamp: request.headers.get('x-webhook-timestamp') ?? undefined,
          signature: request.headers.get('x-webhook-signature') ?? undefined,
          localTaskId: url.searchParams.get(TASK_PARAMETER) ?? undefined,
        });
        ingester.logger.debug(result, 'callback');
        ingester.onOutcome?.(result.outcome);
        answer(result.status, result.outcome);
      } catch (error) {
        // Not applied: kie.ai may send it again and the poller reads the task regardless.
        ingester.logger.error({ err: error }, 'callback failed');
        answer(503, 'retry_later');
      }
    },
  };
}
