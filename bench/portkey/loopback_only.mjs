// Preloaded into the Portkey gateway (node --import) by the benchmark: its
// start-server.js listens on every interface and has no host option, and the
// benchmark may only serve on loopback. Every listen() that names no host (or
// the wildcard) is bound to 127.0.0.1 instead.
import net from 'node:net';

const listen = net.Server.prototype.listen;
const WILDCARDS = new Set([undefined, null, '', '0.0.0.0', '::']);

net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    const options = { ...args[0] };
    if (options.path === undefined && WILDCARDS.has(options.host)) options.host = '127.0.0.1';
    return listen.call(this, options, ...args.slice(1));
  }
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string' || WILDCARDS.has(args[1])) {
      const rest = typeof args[1] === 'string' || args[1] === undefined || args[1] === null ? args.slice(2) : args.slice(1);
      return listen.call(this, args[0], '127.0.0.1', ...rest);
    }
  }
  return listen.call(this, ...args);
};
