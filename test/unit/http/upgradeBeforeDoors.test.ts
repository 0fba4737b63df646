import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { HttpServer } from '../../../daemon/http/httpServer.js';
import { testContext } from '../../helpers/context.js';

/** Sends a WebSocket upgrade and reads whatever comes back until the server closes the socket. */
function upgrade(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /voice HTTP/1.1\r\nHost: hub\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'
        + 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    });
    let text = '';
    socket.on('data', (d: Buffer) => { text += d.toString(); });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

test('an upgrade that arrives before any front door is attached gets 503 starting and is closed, not left hanging', async () => {
  const http = new HttpServer(testContext({ http: { host: '127.0.0.1', port: 0 } }));
  await http.start();
  try {
    const answer = await upgrade(http.port);
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /Retry-After: 1/);
    assert.match(answer, /"status":"starting"/);
  } finally {
    await http.stop();
  }
});

test('once a door listens for upgrades, the HTTP server leaves the answer to it', async () => {
  const http = new HttpServer(testContext({ http: { host: '127.0.0.1', port: 0 } }));
  await http.start();
  http.server.on('upgrade', (_req, socket) => { socket.end('HTTP/1.1 418 I\'m a teapot\r\nConnection: close\r\n\r\n'); });
  try {
    const answer = await upgrade(http.port);
    assert.match(answer, /^HTTP\/1\.1 418 /);
    assert.doesNotMatch(answer, /503/);
  } finally {
    await http.stop();
  }
});
