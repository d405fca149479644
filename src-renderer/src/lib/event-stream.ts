// Reads the bridge's Server-Sent Events with fetch rather than EventSource, because EventSource
// cannot send the token header. Reconnects with a growing pause when the stream drops (the bridge
// restarted, the laptop slept), until stopped.
import type { JobEvent } from '../../../src-main/protocol/messages';

/** Splits SSE text into the `data:` payloads of complete events; returns the unfinished rest. */
export function takeEvents(buffer: string, onData: (data: string) => void): string {
  let rest = buffer;
  for (let end = rest.indexOf('\n\n'); end >= 0; end = rest.indexOf('\n\n')) {
    const block = rest.slice(0, end);
    rest = rest.slice(end + 2);
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (data) onData(data);
  }
  return rest;
}

export function followEventStream<T = JobEvent>(url: string, headers: Record<string, string>, onEvent: (event: T) => void): () => void {
  const controller = new AbortController();
  let pause = 500;

  const connect = async (): Promise<void> => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(url, { headers, signal: controller.signal, credentials: 'same-origin' });
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        pause = 500;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer = takeEvents(buffer + value, (data) => {
            try {
              onEvent(JSON.parse(data) as T);
            } catch {
              // a frame that is not JSON is not ours: skip it
            }
          });
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 8000);
    }
  };
  void connect();
  return () => controller.abort();
}
