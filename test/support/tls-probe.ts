import { connect, type ConnectionOptions } from 'node:tls';

export interface Handshake {
  ok: boolean;
  protocol?: string | null;
  cipher?: string;
  error?: string;
}

/** One TLS handshake to 127.0.0.1:port with the given versions and ciphers; no HTTP is sent. */
export function handshake(port: number, ca: string, options: Pick<ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'> = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...options });
    socket.once('secureConnect', () => {
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().standardName });
      socket.destroy();
    });
    socket.once('error', (error) => resolve({ ok: false, error: error.message }));
  });
}
