// Addresses, as the services judge where they listen (session-service exposure.ts, api-gateway
// https.ts), and the start of a listening server.
import type { EventEmitter } from 'node:events';

/** Addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Resolves once `server` (after its listen()) is listening; rejects with its error if it cannot.
 * Neither listener stays behind: from then on the server's 'error' events (a failed accept, EMFILE
 * when the process is out of file descriptors) are the caller's to hear, and one nobody hears ends
 * the process.
 */
export function listening(server: EventEmitter): Promise<void> {
  return new Promise((resolve, reject) => {
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    server.once('listening', onListening);
    server.once('error', onError);
  });
}
