// The gateway's listeners: MQTT over TCP, TLS, WebSocket and secure WebSocket. Each turns an
// accepted client into one ClientStream (a duplex byte stream), so the connection code never
// knows which transport a client came through.
//
// A listener is on only when it is configured (MQFLEET_LISTENERS; default mqtt, plus mqtts when
// a certificate is given). Gateway i listens on each listener's port + i.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { createSecureContext, createServer as createTlsServer, TLSSocket } from 'node:tls';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  ConfigError,
  listenerPort,
  listening,
  type Config,
  type ListenerKind,
  type Logger,
} from '@mqfleet/core';

/**
 * Connections the kernel completes and queues for accept() (capped by net.core.somaxconn). When a
 * fleet reconnects at once (a reconnect storm: every client's SYN within milliseconds) Node's
 * default of 511 overflowed while the gateway was busy ending the old connections, and each
 * refused SYN came back only after the client's retransmission delay (1, 3, 7, 15 s): with 19,900
 * devices the last CONNACK came after 32 s while the gateway was mostly idle (bench/mqtt-load.ts,
 * storm). Nginx and EMQX raise theirs for the same reason.
 */
const LISTEN_BACKLOG = 8192;

/** What a connection reads from and writes to, whatever the transport. */
export type ClientStream = Duplex & {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
};

/** WebSocket paths MQTT clients connect to (MQTT.js and paho use /mqtt; some use /). */
export const WEBSOCKET_PATHS = ['/mqtt', '/'];
/** The WebSocket subprotocol [MQTT-6.0.0-3, MQTT-6.0.0-4]. */
export const WEBSOCKET_SUBPROTOCOL = 'mqtt';
/** A WebSocket message may hold one maximum-size packet plus this much of the next ones. */
const WEBSOCKET_MESSAGE_SLACK = 65536;

export interface Listener {
  kind: ListenerKind;
  port: number;
  server: Server;
}

/**
 * MQTT over a WebSocket: binary data frames only [MQTT-6.0.0-1]; a packet may span frames and a
 * frame may hold several packets [MQTT-6.0.0-2] (the parser reads a byte stream, frames do not
 * matter). A text frame closes the connection (1003, unsupported data).
 */
export class WebSocketStream extends Duplex {
  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string | undefined,
    readonly remotePort: number | undefined,
    /** Over TLS (wss). */
    readonly secure = false,
  ) {
    super();
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        ws.close(1003, 'MQTT needs binary frames');
        this.destroy();
        return;
      }
      const chunk = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      if (!this.push(chunk)) ws.pause();
    });
    ws.on('close', () => {
      this.push(null);
      this.destroy();
    });
    ws.on('error', (err) => this.destroy(err));
  }

  override _read(): void {
    this.ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.ws.readyState !== this.ws.OPEN) {
      callback(new Error('WebSocket is not open'));
      return;
    }
    this.ws.send(chunk, { binary: true }, (err) => callback(err ?? null));
  }

  override _final(callback: (error?: Error | null) => void): void {
    // end(): the WebSocket closing handshake; 'close' follows when the client answers.
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.ws.readyState !== this.ws.CLOSED) this.ws.terminate();
    callback(error);
  }
}

function readTlsFile(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${variable}: cannot read ${path}: ${(err as Error).message}`);
  }
}

interface TlsOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/** The certificate, key and optional client CA; a bad file is a start error naming its variable. */
export function tlsOptions(config: Config): TlsOptions {
  const files = config.tls;
  if (!files) throw new ConfigError('TLS listeners need MQFLEET_TLS_CERT_FILE and MQFLEET_TLS_KEY_FILE');
  const options: TlsOptions = {
    cert: readTlsFile('MQFLEET_TLS_CERT_FILE', files.certFile),
    key: readTlsFile('MQFLEET_TLS_KEY_FILE', files.keyFile),
    // With a CA, clients must present a certificate it signed (mutual TLS).
    requestCert: files.caFile !== undefined,
    rejectUnauthorized: files.caFile !== undefined,
  };
  if (files.caFile) options.ca = readTlsFile('MQFLEET_TLS_CA_FILE', files.caFile);
  try {
    createSecureContext(options);
  } catch (err) {
    throw new ConfigError(
      `MQFLEET_TLS_CERT_FILE / MQFLEET_TLS_KEY_FILE${files.caFile ? ' / MQFLEET_TLS_CA_FILE' : ''} (${files.certFile}, ${files.keyFile}) are not a usable certificate and key: ${(err as Error).message}`,
    );
  }
  return options;
}

function refuseUpgrade(socket: Duplex, status: string, why: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${why}\n`);
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  return header ? header.split(',').map((p) => p.trim()) : [];
}

/** The HTTP(S) server of a WebSocket listener: upgrades on /mqtt and / with subprotocol mqtt. */
function webSocketServer(
  server: HttpServer,
  maxPacketSize: number,
  accept: (stream: ClientStream) => void,
): void {
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: maxPacketSize + WEBSOCKET_MESSAGE_SLACK,
    // The server selects "mqtt" [MQTT-6.0.0-4].
    handleProtocols: (protocols) => (protocols.has(WEBSOCKET_SUBPROTOCOL) ? WEBSOCKET_SUBPROTOCOL : false),
  });
  server.on('request', (req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
    res.end(`MQTT over WebSocket: connect with subprotocol "mqtt" to ${WEBSOCKET_PATHS.join(' or ')}\n`);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!WEBSOCKET_PATHS.includes(path)) {
      refuseUpgrade(socket, '404 Not Found', `MQTT is served on ${WEBSOCKET_PATHS.join(' and ')}`);
      return;
    }
    // The client must offer "mqtt" [MQTT-6.0.0-3]; without it the handshake is refused.
    if (!offeredProtocols(req).includes(WEBSOCKET_SUBPROTOCOL)) {
      refuseUpgrade(socket, '400 Bad Request', 'the WebSocket subprotocol "mqtt" is required');
      return;
    }
    const tcp = req.socket as Socket;
    tcp.setNoDelay(true);
    wss.handleUpgrade(req, socket, head, (ws) => {
      accept(new WebSocketStream(ws, tcp.remoteAddress, tcp.remotePort, tcp instanceof TLSSocket));
    });
  });
}

/** Creates and starts the configured listeners; accept gets each new client's stream. */
export async function openListeners(
  config: Config,
  logger: Logger,
  accept: (stream: ClientStream, kind: ListenerKind) => void,
): Promise<Listener[]> {
  const tls = config.listeners.some((k) => k === 'mqtts' || k === 'wss') ? tlsOptions(config) : undefined;
  const listeners: Listener[] = [];
  try {
    for (const kind of config.listeners) {
      let server: Server;
      switch (kind) {
        case 'mqtt':
          // noDelay: Node sets TCP_NODELAY on the handle as it accepts, before the Socket exists.
          server = createTcpServer({ noDelay: true }, (socket) => accept(socket, kind));
          break;
        case 'mqtts': {
          const tlsServer = createTlsServer(tls!, (socket: TLSSocket) => {
            socket.setNoDelay(true);
            accept(socket, kind);
          });
          tlsServer.on('tlsClientError', (err) =>
            logger.debug('TLS handshake failed', { listener: kind, err: err.message }),
          );
          server = tlsServer;
          break;
        }
        case 'ws':
        case 'wss': {
          const http = kind === 'ws' ? createHttpServer() : createHttpsServer(tls!);
          if (kind === 'wss')
            http.on('tlsClientError', (err: Error) =>
              logger.debug('TLS handshake failed', { listener: kind, err: err.message }),
            );
          webSocketServer(http, config.maxPacketSize, (stream) => accept(stream, kind));
          server = http;
          break;
        }
      }
      server.listen({ port: listenerPort(config, kind), host: config.host, backlog: LISTEN_BACKLOG });
      await listening(server).catch((err: Error) => {
        throw new Error(`${kind} listener on ${config.host}:${listenerPort(config, kind)}: ${err.message}`);
      });
      // A listening server reports a failed accept as 'error' (EMFILE when the process is out of
      // file descriptors, during a connection flood): unheard it would end the process, and
      // with it every connection. It goes on listening; what failed is logged.
      server.on('error', (err: NodeJS.ErrnoException) =>
        logger.warn('listener could not accept a connection', {
          listener: kind,
          code: err.code,
          err: err.message,
        }),
      );
      const port = (server.address() as { port: number }).port;
      listeners.push({ kind, port, server });
    }
  } catch (err) {
    for (const l of listeners) l.server.close();
    throw err;
  }
  return listeners;
}

/** Stops accepting; resolves once every listener's remaining connections are gone. */
export async function closeListeners(listeners: Listener[]): Promise<void> {
  await Promise.all(
    listeners.map(async ({ server }) => {
      if (!server.listening) return;
      const closed = once(server, 'close');
      server.close();
      // Idle HTTP keep-alive connections of the WebSocket listeners would hold close() forever.
      (server as Partial<HttpServer>).closeIdleConnections?.();
      await closed;
    }),
  );
}

/**
 * The listener a client came through, from its stream (read by /metrics when Prometheus scrapes:
 * a connection keeps no field for it).
 */
export function transportOf(stream: ClientStream): ListenerKind {
  if (stream instanceof WebSocketStream) return stream.secure ? 'wss' : 'ws';
  return stream instanceof TLSSocket ? 'mqtts' : 'mqtt';
}
