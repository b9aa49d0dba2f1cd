import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's Socket Mode side, on the fake Slack's own HTTP server: `apps.connections.open` (in
 * fake-slack.ts) hands out `ws://…/link/?ticket=…`, a connection here gets the `hello` Slack
 * sends, and a test pushes envelopes (`slash_commands`, `interactive`, `events_api`) and waits for
 * the app's acknowledgement `{ envelope_id, payload? }`, as Slack documents the protocol.
 *
 * Like Slack, it keeps every connection the app opens (an app may hold several): it can ask for a
 * refresh (`{"type":"disconnect","reason":"refresh_requested"}`, after which Slack expects a new
 * connection before the old one goes), drop connections without a close handshake, and refuse
 * new ones for a while, to show what the app does during an outage.
 */

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, any>;
  /** Which connection (1-based, in the order they were opened) carried the ack. */
  connection: number;
}

/** What happened to the connections, in order: `open 2`, `close 1`. */
export type ConnectionEvent = `open ${number}` | `close ${number}`;

const APP_ID = 'A0PEERLOOP';

export class FakeSocketMode {
  /** Every ack received, in order. */
  readonly acks: SocketAck[] = [];
  /** How many connections the app has opened so far. */
  connections = 0;
  /** Opens and closes of connections, in order. */
  readonly history: ConnectionEvent[] = [];
  /** While true, new WebSocket connections are refused (the upgrade is dropped), as during an outage. */
  refuseConnections = false;

  private readonly wss = new WebSocketServer({ noServer: true });
  /** Open connections by number. */
  private readonly open = new Map<number, WebSocket>();
  private readonly ackWaiters = new Map<string, (ack: SocketAck) => void>();
  private connectedWaiters: { after: number; resolve: () => void }[] = [];
  private envelopeCounter = 0;
  private ticketCounter = 0;

  /** Serves upgrades on `/link/` of this server. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!(req.url ?? '').startsWith('/link/') || this.refuseConnections) {
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

  /** The number of the newest open connection, if any. */
  get current(): number | undefined {
    return [...this.open.keys()].at(-1);
  }

  /** How many connections are open right now. */
  get openCount(): number {
    return this.open.size;
  }

  /** Resolves once a connection numbered above `after` (default: any) is open and has been sent `hello`. */
  waitForConnection(timeoutMs = 10_000, after = 0): Promise<void> {
    if ([...this.open.keys()].some((n) => n > after)) return Promise.resolve();
    return withTimeout(new Promise<void>((resolve) => this.connectedWaiters.push({ after, resolve })), timeoutMs, 'no Socket Mode connection');
  }

  /** Resolves once no connection is open. */
  async waitForNoConnection(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.open.size > 0) {
      if (Date.now() > deadline) throw new Error('a Socket Mode connection is still open');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Pushes one envelope (on the newest connection unless `on` names one) and resolves with the
   * app's ack for it, on whichever connection it comes back.
   */
  async send(type: EnvelopeType, payload: Record<string, unknown>, timeoutMs = 10_000, on?: number): Promise<SocketAck> {
    if (on === undefined) await this.waitForConnection(timeoutMs);
    const number = on ?? this.current!;
    const socket = this.open.get(number);
    if (socket === undefined) throw new Error(`connection ${number} is not open`);
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
    socket.send(JSON.stringify(envelope));
    return withTimeout(acked, timeoutMs, `no ack for ${envelopeId}`);
  }

  /**
   * Slack's periodic refresh: tells the newest connection `disconnect` / `refresh_requested`
   * and leaves it open (Slack closes it some seconds later; `closeConnection` does that here).
   * Returns the number of the connection asked.
   */
  requestRefresh(reason = 'refresh_requested'): number {
    const number = this.current;
    if (number === undefined) throw new Error('no connection to refresh');
    this.open.get(number)!.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-fake' } }));
    return number;
  }

  /** Closes one connection with a proper close handshake, as Slack does after a refresh. */
  closeConnection(number: number): void {
    this.open.get(number)?.close(1000);
  }

  /** Drops every connection without a close frame, as a network failure does. */
  dropAll(): void {
    for (const socket of this.open.values()) socket.terminate();
  }

  close(): void {
    for (const socket of this.open.values()) socket.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.connections += 1;
    const number = this.connections;
    this.open.set(number, ws);
    this.history.push(`open ${number}`);
    ws.on('message', (data) => {
      let message: Omit<SocketAck, 'connection'>;
      try {
        message = JSON.parse(String(data)) as SocketAck;
      } catch {
        return;
      }
      if (typeof message.envelope_id !== 'string') return;
      const ack = { ...message, connection: number };
      this.acks.push(ack);
      this.ackWaiters.get(message.envelope_id)?.(ack);
      this.ackWaiters.delete(message.envelope_id);
    });
    ws.on('close', () => {
      this.open.delete(number);
      this.history.push(`close ${number}`);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open.size,
        debug_info: { host: 'applink-fake', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: APP_ID },
      }),
    );
    const ready = this.connectedWaiters.filter((w) => number > w.after);
    this.connectedWaiters = this.connectedWaiters.filter((w) => number <= w.after);
    for (const waiter of ready) waiter.resolve();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
