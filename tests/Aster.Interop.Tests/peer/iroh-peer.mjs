#!/usr/bin/env node
// iroh-peer.mjs: a real iroh 0.97 endpoint on loopback for the Aster for .NET interop tests.
// It drives @aster-rpc/transport 0.1.2 (the reference TypeScript binding's native addon). Relays, discovery and
// port mapping are off and the node binds one UDP socket on 127.0.0.1, so it works offline.
//
//   serve  [--alpn P]... [--port N] [--secret HEX64] [--max-bytes N]
//          stdout: one JSON line {"endpointId","addr","alpns","asterTicket"}; then echoes every bidirectional
//          stream (read to FIN, write back, FIN). Events go to stderr. Exits 0 on SIGTERM/SIGINT.
//   dial   --id HEX64 --addr IP:PORT [--alpn P] [--sizes 0,5,1200] [--parallel N] [--secret HEX64] [--timeout-ms N]
//          one stream per size with random bytes, N streams at a time (1 by default); stdout: one JSON result line;
//          exit 0 only if every echo matched.
//   tickets
//          stdout: one JSON line {"ready":true,"addon":…}; then one JSON answer per JSON request line on stdin:
//          {"op":"encode","info":{…}} -> {"ok":true,"string":"aster1…","wire":"hex"}
//          {"op":"decode","string":"aster1…"} -> {"ok":true,"info":{…},"wire":"hex"}; failures {"ok":false,"error":…}.
//          "info" is the addon's AsterTicketInfo: endpointId, relayAddr?, directAddrs, credentialType?, credentialDataHex?

import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const addon = createRequire(import.meta.url)('@aster-rpc/transport');
const { IrohNode } = addon;

const log = (line) => process.stderr.write(`[iroh-peer ${process.pid}] ${line}\n`);
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

function options(args) {
  const opts = { alpn: [] };
  for (let i = 0; i < args.length; i += 2) {
    const name = /^--([a-z-]+)$/.exec(args[i])?.[1];
    if (!name || i + 1 >= args.length) throw new Error(`bad argument: ${args[i]}`);
    if (name === 'alpn') opts.alpn.push(args[i + 1]);
    else opts[name] = args[i + 1];
  }
  return opts;
}

function nodeConfig(port, secret) {
  if (secret !== undefined && !/^[0-9a-fA-F]{64}$/.test(secret)) throw new Error('--secret needs 64 hex characters');
  return {
    relayMode: 'disabled', // with relays on, creation waits for a relay and never finishes offline
    clearRelayTransports: true,
    clearIpTransports: true, // drop the wildcard sockets; bindAddr adds back exactly one
    bindAddr: `127.0.0.1:${port}`,
    portmapperConfig: 'disabled',
    enableLocalDiscovery: false,
    ...(secret ? { secretKey: Buffer.from(secret, 'hex') } : {}),
  };
}

async function serve(opts) {
  const alpns = opts.alpn.length > 0 ? opts.alpn : ['aster/1'];
  const maxBytes = Number(opts['max-bytes'] ?? 64 * 1024 * 1024);
  const node = await IrohNode.memoryWithAlpns(alpns.map((a) => Buffer.from(a)), nodeConfig(Number(opts.port ?? 0), opts.secret));
  // nodeAddr() is Rust debug text: CoreNodeAddr { endpoint_id: "…", relay_url: None, direct_addresses: ["ip:port"] }
  const addr = /direct_addresses: \["([^"]+)"/.exec(node.nodeAddr())?.[1];
  const asterTicket = addon.asterTicketToString({ endpointId: node.nodeId(), directAddrs: [addr] });
  log(`ready addon=${addon.version()} endpoint=${node.nodeId()} addr=${addr} alpns=${alpns.join(',')}`);
  emit({ endpointId: node.nodeId(), addr, alpns, asterTicket });

  const stop = () => {
    log('stopping');
    setTimeout(() => process.exit(0), 1000).unref();
    node.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  for (;;) {
    let conn;
    try {
      conn = await node.acceptAster();
    } catch (e) {
      log(`accept-end reason=${e.message}`);
      return;
    }
    echo(conn, maxBytes);
  }
}

async function echo(conn, maxBytes) {
  const remote = conn.remoteNodeId(); // authenticated by TLS from the client's certificate
  log(`conn remote=${remote} alpn=${conn.alpn()}`);
  for (let n = 1; ; n++) {
    let bi;
    try {
      bi = await conn.acceptBi();
    } catch (e) {
      log(`conn-end remote=${remote} streams=${n - 1} reason=${e.message}`);
      return;
    }
    (async () => {
      const send = bi.takeSend();
      const data = await bi.takeRecv().readToEnd(maxBytes);
      await send.writeAll(data);
      await send.finish();
      log(`stream remote=${remote} n=${n} echoed=${data.length}`);
    })().catch((e) => log(`stream remote=${remote} n=${n} error=${e.message}`));
  }
}

async function dial(opts) {
  if (!opts.id || !opts.addr) throw new Error('dial needs --id and --addr');
  const alpn = opts.alpn[0] ?? 'aster/1';
  const sizes = (opts.sizes ?? '0,5,1200,100000').split(',').map(Number);
  setTimeout(() => done({ ok: false, error: 'timeout' }), Number(opts['timeout-ms'] ?? 30000)).unref();
  const node = await IrohNode.memoryWithAlpns([], nodeConfig(0, opts.secret));
  const conn = await node.connectNodeAddr(opts.id, Buffer.from(alpn), [opts.addr], null);
  const parallel = Math.max(1, Number(opts.parallel ?? 1));
  let mismatches = 0;
  let bytes = 0;
  const one = async (size) => {
    const payload = randomBytes(size);
    const bi = await conn.openBi();
    const send = bi.takeSend();
    const recv = bi.takeRecv();
    const written = (async () => {
      await send.writeAll(payload);
      await send.finish();
    })();
    const back = await recv.readToEnd(size + 1); // room for one extra byte, so an over-long echo shows
    await written;
    if (!back.equals(payload)) mismatches += 1;
    bytes += size;
  };
  for (let i = 0; i < sizes.length; i += parallel) {
    await Promise.all(sizes.slice(i, i + parallel).map(one));
  }
  const result = { ok: mismatches === 0, self: node.nodeId(), remote: conn.remoteNodeId(), alpn, streams: sizes.length, parallel, bytes, mismatches };
  conn.close(0, 'normal close');
  await node.close();
  done(result);
}

function done(result) {
  emit(result);
  process.exit(result.ok ? 0 : 1);
}

async function tickets() {
  emit({ ready: true, addon: addon.version() });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    try {
      const request = JSON.parse(line);
      if (request.op === 'encode') {
        const info = withoutNulls(request.info);
        emit({ ok: true, string: addon.asterTicketToString(info), wire: addon.asterTicketEncode(info).toString('hex') });
      } else if (request.op === 'decode') {
        const info = addon.asterTicketFromString(request.string);
        emit({ ok: true, info, wire: addon.asterTicketEncode(info).toString('hex') });
      } else {
        emit({ ok: false, error: `unknown op ${request.op}` });
      }
    } catch (e) {
      emit({ ok: false, error: e.message });
    }
  }
}

// The addon's optional fields must be absent (undefined), not null.
const withoutNulls = (obj) => Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined));

const [mode, ...rest] = process.argv.slice(2);
const modes = { serve, dial, tickets };
if (!modes[mode]) {
  process.stderr.write('usage: node iroh-peer.mjs serve|dial|tickets [options] (see the header of this file)\n');
  process.exit(2);
}
modes[mode](options(rest)).catch((e) => {
  log(`fatal ${e.message}`);
  if (mode === 'dial') done({ ok: false, error: e.message });
  process.exit(1);
});
