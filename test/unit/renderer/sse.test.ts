import { describe, expect, it } from 'vitest';
import { loadRenderer } from './load-renderer';

interface SseModule {
  createSseParser(onMessage: (data: string) => void): { push(chunk: string): void };
}
const { createSseParser } = await loadRenderer<SseModule>('api/sse.ts');

function collect() {
  const messages: string[] = [];
  const parser = createSseParser((data) => messages.push(data));
  return { messages, parser };
}

describe('createSseParser', () => {
  it('emits one message per blank-line-terminated block, with the space after the colon removed', () => {
    const { messages, parser } = collect();
    parser.push('data: {"a":1}\n\ndata: {"b":2}\n\n');
    expect(messages).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('joins a message split across chunks at any point, including inside the field name', () => {
    const text = 'data: first\n\nda' + 'ta: second\n\n';
    for (let cut = 0; cut <= text.length; cut += 1) {
      const { messages, parser } = collect();
      parser.push(text.slice(0, cut));
      parser.push(text.slice(cut));
      expect(messages, `cut at ${cut}`).toEqual(['first', 'second']);
    }
  });

  it('does not emit a message until its terminating blank line arrives', () => {
    const { messages, parser } = collect();
    parser.push('data: pending\n');
    expect(messages).toEqual([]);
    parser.push('\n');
    expect(messages).toEqual(['pending']);
  });

  it('joins several data lines of one message with newlines', () => {
    const { messages, parser } = collect();
    parser.push('data: line one\ndata: line two\ndata:line three\n\n');
    expect(messages).toEqual(['line one\nline two\nline three']);
  });

  it('accepts CRLF and lone CR line endings, even when a CRLF is split between chunks', () => {
    const { messages, parser } = collect();
    parser.push('data: crlf\r');
    parser.push('\n\r\n');
    parser.push('data: cr\r\r');
    parser.push('data: after\n\n');
    expect(messages).toEqual(['crlf', 'cr', 'after']);
  });

  it('ignores comments (heartbeats), other fields and empty blocks', () => {
    const { messages, parser } = collect();
    parser.push(': hb 1\n\nevent: warden\nid: 7\nretry: 1000\ndata: payload\n\n\n\n: hb 2\n\n');
    expect(messages).toEqual(['payload']);
  });

  it('keeps a field without a colon as an empty value and only the first space', () => {
    const { messages, parser } = collect();
    parser.push('data\ndata:  two spaces\n\n');
    expect(messages).toEqual(['\n two spaces']);
  });
});
