import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's Socket Mode side, on the fake Slack's own HTTP server: `apps.connections.open` (in
 * fake-slack.ts) hands out `ws://…/link/?ticket=…`, a connection here gets the `hello` Slack
 * sends, and a test pushes envelopes (`slash_commands`, `interactive`, `events_api`) and waits for
 * the app's acknowledgement `{ envelope_id, payload? }`, as Slack documents the protocol.
 */

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, any>;
}

const APP_ID = 'A0PEERLOOP';

export class FakeSocketMode {
  /** Every ack received, in order. */
  readonly acks: SocketAck[] = [];
  /** How many connections the app has opened so far. */
  connections = 0;

  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private readonly ackWaiters = new Map<string, (ack: SocketAck) => void>();
  private connectedWaiters: (() => void)[] = [];
  private envelopeCounter = 0;
  private ticketCounter = 0;

  /** Serves upgrades on `/link/` of this server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!(req.url ?? '').startsWith('/link/')) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  /** The URL apps.connections.open answers with. */
  newConnectionUrl(baseUrl: string): string {
    this.ticketCounter += 1;
    return `${baseUrl.replace(/^http/, 'ws')}/link/?ticket=ticket-${this.ticketCounter}&app_id=${APP_ID}`;
  }

  /** Resolves once the app is connected and has been sent `hello`. */
  waitForConnection(timeoutMs = 10_000): Promise<void> {
    if (this.socket !== undefined) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.connectedWaiters.push(resolve)), timeoutMs, 'no Socket Mode connection');
  }

  /** Sends one envelope and resolves with the app's ack for it. */
  async send(type: EnvelopeType, payload: Record<string, unknown>, timeoutMs = 10_000): Promise<SocketAck> {
    await this.waitForConnection(timeoutMs);
    this.envelopeCounter += 1;
    const envelopeId = `envelope-${this.envelopeCounter}`;
    const acked = new Promise<SocketAck>((resolve) => this.ackWaiters.set(envelopeId, resolve));
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
    };
    this.socket!.send(JSON.stringify(envelope));
    return withTimeout(acked, timeoutMs, `no ack for ${envelopeId}`);
  }

  close(): void {
    this.socket?.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.connections += 1;
    this.socket = ws;
    ws.on('message', (data) => {
      let message: SocketAck;
      try {
        message = JSON.parse(String(data)) as SocketAck;
      } catch {
        return;
      }
      if (typeof message.envelope_id !== 'string') return;
      this.acks.push(message);
      this.ackWaiters.get(message.envelope_id)?.(message);
      this.ackWaiters.delete(message.envelope_id);
    });
    ws.on('close', () => {
      if (this.socket === ws) this.socket = undefined;
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: APP_ID },
      }),
    );
    const waiters = this.connectedWaiters;
    this.connectedWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
