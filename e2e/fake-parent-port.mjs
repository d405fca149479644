// Loaded with `node --import` before out/main/worker.js: gives a plain Node child process the
// `process.parentPort` that Electron's utilityProcess provides, carried over the fork IPC channel,
// so the bundled worker entry can be tested where Electron cannot start.
process.parentPort = {
  on(event, listener) {
    if (event === 'message') process.on('message', (data) => listener({ data }));
    return this;
  },
  postMessage(message) {
    process.send?.(message);
  },
};
