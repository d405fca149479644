// A stand-in for the preload's window.pureStudio, injected with page.addInitScript, for testing
// the connected page in a plain browser (the real bridge needs Electron: see electron.spec.ts).
// It hands out one path, answers restore() with job "j1" and a first progress event, and lets
// the test finish the job with window.finishJob(). Plain JS: it runs in the page as it is.
(() => {
  const listeners = new Set();
  const emit = (event) => listeners.forEach((listener) => listener(event));
  const input = '/photos/grandma-1962.jpg';

  window.pureStudio = {
    version: '9.9.9',
    openPhoto: async () => input,
    restore: async () => {
      setTimeout(() => emit({ type: 'progress', jobId: 'j1', progress: { stage: 'restoring', fraction: 0.42, tilesDone: 5, tilesTotal: 12, etaSeconds: 20 } }), 10);
      return 'j1';
    },
    cancel: async () => {},
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  window.finishJob = () =>
    emit({
      type: 'done',
      jobId: 'j1',
      result: {
        input,
        output: '/photos/grandma-1962-restored.jpg',
        engine: 'realesrgan-x4plus',
        provider: 'cpu',
        inputSize: { width: 600, height: 400 },
        outputSize: { width: 2400, height: 1600 },
        tiles: 12,
        timings: { decodeMs: 10, loadModelMs: 900, inferenceMs: 30000, encodeMs: 200, totalMs: 31110 },
      },
    });
})();
