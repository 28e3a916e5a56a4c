/**
 * A minimal Server-Sent Events parser for a fetch body stream (EventSource cannot send an Authorization
 * header, so the console reads the stream itself). Feed it text chunks; it calls `onMessage` with the joined
 * `data:` lines of each complete message. Comments (`: hb …`) and other fields are ignored.
 */
export interface SseParser {
  push(chunk: string): void;
}

export function createSseParser(onMessage: (data: string) => void): SseParser {
  let buffer = '';
  let data: string[] = [];

  const line = (text: string): void => {
    if (text === '') {
      if (data.length > 0) onMessage(data.join('\n'));
      data = [];
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
  };

  return {
    push(chunk) {
      buffer += chunk;
      // A lone '\r' at the end may be the first half of '\r\n': keep it until the next chunk.
      const parts = buffer.split(/\r\n|\n|\r(?!$)/);
      buffer = parts.pop() ?? '';
      for (const part of parts) line(part);
    },
  };
}
