'use strict';
/**
 * The HTTP server the undici workload talks to, run in its own process (like MariaDB and Redis are) so that
 * its work does not share the measured event loop. Listens on 127.0.0.1:0 and sends its port to the parent
 * over IPC; exits when the parent disconnects.
 */
const { createServer } = require('node:http');

const body = Buffer.from('ok');
const server = createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.setHeader('content-length', body.length);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port });
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
});
