'use strict';
/**
 * The gRPC server the grpc workload talks to, in its own process (as the other servers are): one unary method
 * carrying raw bytes on 127.0.0.1:0; sends its port to the parent over IPC and exits when the parent
 * disconnects.
 */
const grpc = require('@grpc/grpc-js');
const { ECHO_SERVICE } = require('./lib/grpc-echo.js');

const server = new grpc.Server();
server.addService(ECHO_SERVICE, { echo: (call, done) => done(null, call.request) });
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.send({ port });
});
process.on('disconnect', () => server.forceShutdown());
