import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client connected to the gateway at `url` (its HTTP base), once it is accepted. */
export async function connect(url: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = createClient({
      url: `${url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      on: {
        connected: () => resolve(client),
        error: reject,
      },
    });
  });
}
