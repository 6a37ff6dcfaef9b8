// An Aedes broker (in-memory persistence, defaults) on 127.0.0.1:<port>, run as its own process
// by mqtt-throughput.ts so that its RSS and CPU can be read apart from the benchmark's.
// Prints "listening <port>" when ready; stops on SIGTERM.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2] ?? 0);
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
