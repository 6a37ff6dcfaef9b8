// An Aedes broker (in-memory persistence, defaults) on 127.0.0.1:<port>, run as its own process
// by mqtt-throughput.ts and mqtt-load.ts so that its RSS and CPU can be read apart from the benchmark's.
// Prints "listening <port>" when ready; stops on SIGTERM.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2] ?? 0);
const broker = await Aedes.createBroker();
// Nagle off, as mqfleet's gateway and the kit's Mosquitto (set_tcp_nodelay): on loopback the MSS
// is 64 KiB, so with Nagle a delivery smaller than that waits for the subscriber's delayed ACK.
const server = createServer((socket) => {
  socket.setNoDelay(true);
  broker.handle(socket);
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
