import net from "node:net";

/** A reply the fake server sends: RESP2 encodings of JS values. */
export type Reply = null | number | string | Buffer | Error | { status: string } | Reply[];

export interface RecordedCommand {
  name: string;
  args: Buffer[];
  /** The arguments as UTF-8 text (binary vectors are garbled here; use `args`). */
  text: string[];
}

/**
 * A tiny RESP2 server on 127.0.0.1 that records every command a real ioredis client sends and
 * answers with canned replies: the RediSearch engine is verified at the command level with it,
 * since no server with RediSearch vectors can run on this machine.
 */
export class RespServer {
  readonly commands: RecordedCommand[] = [];
  #server: net.Server;
  #handler: (cmd: RecordedCommand) => Reply | undefined;
  port = 0;

  constructor(handler: (cmd: RecordedCommand) => Reply | undefined) {
    this.#handler = handler;
    this.#server = net.createServer((socket) => {
      let buffer = Buffer.alloc(0);
      socket.on("data", (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        for (;;) {
          const parsed = parseCommand(buffer);
          if (!parsed) break;
          buffer = buffer.subarray(parsed.consumed);
          const text = parsed.args.map((a) => a.toString("utf8"));
          const cmd = { name: text[0]!.toUpperCase(), args: parsed.args.slice(1), text: text.slice(1) };
          if (!["INFO", "CLIENT", "HELLO", "SELECT", "QUIT"].includes(cmd.name)) this.commands.push(cmd);
          socket.write(encode(this.#reply(cmd)));
          if (cmd.name === "QUIT") socket.end();
        }
      });
      socket.on("error", () => {});
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
    return `redis://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Commands with this name, in order. */
  named(name: string): RecordedCommand[] {
    return this.commands.filter((c) => c.name === name);
  }

  #reply(cmd: RecordedCommand): Reply {
    const custom = this.#handler(cmd);
    if (custom !== undefined) return custom;
    switch (cmd.name) {
      case "INFO":
        return "# Server\r\nredis_version:7.4.0\r\nloading:0\r\n";
      case "QUIT":
      case "CLIENT":
      case "SELECT":
        return { status: "OK" };
      default:
        return new Error(`ERR unknown command '${cmd.name}'`);
    }
  }
}

function parseCommand(buffer: Buffer): { args: Buffer[]; consumed: number } | null {
  if (buffer.length === 0 || buffer[0] !== 0x2a) return null;
  let pos = 0;
  const line = () => {
    const end = buffer.indexOf("\r\n", pos);
    if (end < 0) return null;
    const out = buffer.subarray(pos, end).toString();
    pos = end + 2;
    return out;
  };
  const head = line();
  if (head === null) return null;
  const count = Number(head.slice(1));
  const args: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const size = line();
    if (size === null) return null;
    const n = Number(size.slice(1));
    if (buffer.length < pos + n + 2) return null;
    args.push(Buffer.from(buffer.subarray(pos, pos + n)));
    pos += n + 2;
  }
  return { args, consumed: pos };
}

function encode(reply: Reply): Buffer {
  if (reply === null) return Buffer.from("$-1\r\n");
  if (typeof reply === "number") return Buffer.from(`:${reply}\r\n`);
  if (reply instanceof Error) return Buffer.from(`-${reply.message}\r\n`);
  if (Array.isArray(reply)) return Buffer.concat([Buffer.from(`*${reply.length}\r\n`), ...reply.map(encode)]);
  if (Buffer.isBuffer(reply) || typeof reply === "string") {
    const bytes = Buffer.isBuffer(reply) ? reply : Buffer.from(reply);
    return Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n")]);
  }
  return Buffer.from(`+${reply.status}\r\n`);
}
