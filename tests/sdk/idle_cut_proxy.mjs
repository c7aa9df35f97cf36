// A loopback TCP proxy that cuts any connection on which no byte has moved
// (either way) for `idleMs`, like Cloudflare, Hugging Face Spaces and other
// reverse proxies do with slow answers. For the fake-streaming tests.
//   const proxy = await startIdleCutProxy(targetPort, 10000);
//   ... fetch(`${proxy.url}/...`) ...; proxy.cuts counts cut connections
//   await proxy.close();
// Also runnable: node idle_cut_proxy.mjs <target-port> [idle-ms] [listen-port]
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export function startIdleCutProxy(targetPort, idleMs, listenPort = 0) {
  const sockets = new Set();
  const state = { cuts: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    let timer;
    const cut = () => {
      state.cuts += 1;
      client.destroy();
      upstream.destroy();
    };
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(cut, idleMs);
    };
    touch();
    for (const [from, to] of [[client, upstream], [upstream, client]]) {
      from.on('data', (data) => {
        touch();
        to.write(data);
      });
      from.on('end', () => to.end());
      from.on('error', () => to.destroy());
      from.on('close', () => {
        clearTimeout(timer);
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        get cuts() { return state.cuts; },
        close() {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(r));
        },
      });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [target, idle = '10000', listen = '0'] = process.argv.slice(2);
  if (!target) {
    console.error('usage: node idle_cut_proxy.mjs <target-port> [idle-ms] [listen-port]');
    process.exit(2);
  }
  const proxy = await startIdleCutProxy(Number(target), Number(idle), Number(listen));
  console.log(`idle-cut proxy on ${proxy.url} -> 127.0.0.1:${target}, cutting after ${idle} ms idle`);
}
