// `ws` comes with @slack/socket-mode (its WebSocket client); the fake Slack serves Socket Mode with its server.
declare module 'ws' {
  import type { Server } from 'node:http';
  export class WebSocket {
    send(data: string): void;
    close(): void;
    terminate(): void;
    on(event: 'message', listener: (data: Buffer) => void): this;
    on(event: 'close', listener: () => void): this;
  }
  export class WebSocketServer {
    constructor(options: { server: Server; path?: string });
    clients: Set<WebSocket>;
    on(event: 'connection', listener: (socket: WebSocket) => void): this;
    close(callback?: () => void): void;
  }
}
