/**
 * A Server-Sent Events parser over a fetch body (WHATWG "event stream interpretation"). EventSource cannot
 * send an Authorization header, so the kit reads the stream itself. Messages are handed over one at a time
 * and awaited, so they are applied strictly in order.
 */

export interface SseMessage {
  /** The `id` field of this message, if it had one. */
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseHandlers {
  onMessage(message: SseMessage): void | Promise<void>;
  /** A comment line (`: text`), e.g. heartbeats. */
  onComment(text: string): void;
  /** Any bytes arrived: the stream is alive. */
  onActivity(): void;
}

const MAX_BUFFER = 1024 * 1024;

export async function readSse(body: ReadableStream<Uint8Array>, handlers: SseHandlers): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];

  const line = async (text: string): Promise<void> => {
    if (text === '') {
      if (data.length > 0) {
        const message: SseMessage = { id, event: event || 'message', data: data.join('\n') };
        id = undefined;
        event = '';
        data = [];
        await handlers.onMessage(message);
      } else {
        id = undefined;
        event = '';
      }
      return;
    }
    if (text.startsWith(':')) {
      handlers.onComment(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      handlers.onActivity();
      buffer += decoder.decode(value, { stream: true });
      if (buffer.length > MAX_BUFFER) throw new Error('The event stream sent an oversized line.');
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone '\r' at the end may be the first half of '\r\n': wait for more.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) break;
        const text = buffer.slice(0, match.index);
        buffer = buffer.slice(match.index + match[0].length);
        await line(text);
      }
    }
  } finally {
    // Frees the connection when we stop early (a bad message, an abort); a no-op after a clean end.
    await reader.cancel().catch(() => undefined);
  }
}
