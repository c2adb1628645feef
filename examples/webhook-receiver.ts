/**
 * A webhook receiver for jobs with a webhook target: verifies the Standard Webhooks signature and
 * handles each run once, however often it is delivered.
 *
 *   WEBHOOK_SECRET=whsec_... PORT=8787 node --import tsx examples/webhook-receiver.ts
 *
 * Answers 200 for a webhook handled now or before (a duplicate), 400 for a malformed request, 401
 * for a bad signature or a stale timestamp, 500 when handling failed (the scheduler retries).
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { verifyWebhook, type WebhookPayload, WebhookVerificationError } from '../lib/index.ts';

/** Options of createWebhookReceiver(). */
export interface WebhookReceiverOptions {
  /** The target's signing secret, or the current and the next one during a rotation. */
  secret: string | string[];
  /** Handles one run's webhook. Throwing answers 500, so the scheduler delivers it again. */
  handle?: (payload: WebhookPayload, id: string) => void | Promise<void>;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
}

/** A node:http request listener that verifies, de-duplicates and handles webhooks. */
export function createWebhookReceiver(options: WebhookReceiverOptions): http.RequestListener & { seen: Set<string> } {
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  // Ids of webhooks handled. In production this is a table with a unique key on the id, written in
  // the same transaction as the handling: it survives restarts, is shared by every instance of the
  // receiver, and two concurrent deliveries of one id cannot both pass. Entries may be pruned once
  // older than the scheduler's retry window.
  const seen = new Set<string>();

  const listener = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const answer = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') {
      return answer(400, { error: 'webhooks are POST, PUT or PATCH requests' });
    }
    // The raw bytes are verified: parsing JSON first and serializing it again would change them.
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) return answer(400, { error: `the body is larger than ${maxBodyBytes} bytes` });
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);

    let id: string;
    try {
      ({ id } = verifyWebhook(options.secret, req.headers, body));
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      const malformed = error.reason === 'missing_header' || error.reason === 'invalid_header';
      return answer(malformed ? 400 : 401, { error: error.message });
    }
    if (seen.has(id)) return answer(200, { id, duplicate: true });

    let payload: WebhookPayload;
    try {
      payload = JSON.parse(body.toString('utf8')) as WebhookPayload;
    } catch {
      return answer(400, { error: 'the body is not JSON' });
    }
    try {
      await options.handle?.(payload, id);
    } catch (error) {
      return answer(500, { error: `handling failed: ${(error as Error).message}` });
    }
    seen.add(id);
    return answer(200, { id, duplicate: false });
  };

  return Object.assign(
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      listener(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end();
        console.error('webhook receiver:', error);
      });
    },
    { seen },
  );
}

// Run as a program (not when a test imports createWebhookReceiver).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) {
    console.error('Set WEBHOOK_SECRET to the target’s signing secret (whsec_...).');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8787);
  const receiver = createWebhookReceiver({
    secret,
    handle: (payload) => {
      console.log(
        `${payload.job.name} run ${payload.run_id} for ${payload.scheduled_for} (attempt ${payload.attempt})`,
      );
    },
  });
  http.createServer(receiver).listen(port, () => console.log(`webhook receiver on http://localhost:${port}/`));
}
