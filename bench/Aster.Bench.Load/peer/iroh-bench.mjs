#!/usr/bin/env node
// iroh-bench.mjs: the iroh side of the Aster for .NET transport benchmarks (bench/Aster.Bench.Load, `transport`).
// It drives @aster-rpc/transport 0.1.2 (the reference's native addon, iroh 0.97): relays, discovery and port mapping
// off, one UDP socket on 127.0.0.1. It speaks the benchmark protocol of Hosting/TransportProtocol.cs:
//   ALPN aster-bench/sink: per stream an 8-byte LE length N, then N bytes; answer the 8-byte count received, FIN.
//   ALPN aster-bench/echo: per stream read to FIN (≤ 64 KiB), write it back, FIN.
//
//   serve                      stdout: {"endpointId","addr"}; serves both ALPNs until stdin closes or SIGTERM; a
//                              "stats" line on stdin is answered with {"cpuUs"}: the process's CPU time so far.
//   bulk --id H --addr A --bytes N [--rounds R]
//                              one warm connection; an untimed 1 MiB transfer, then R timed transfers of N bytes in
//                              1 MiB writes on a new stream each, timed from first write to the count's arrival;
//                              each line carries cpuUs, this (sending) process's CPU time during the transfer.
//   handshake --id H --addr A [--warmup 20] [--count 200]
//                              connect (handshake done, peer id checked by iroh) and close, one at a time.
//   echo --id H --addr A [--size 64] [--seconds 3] [--warmup-seconds 1]
//                              64-byte echo on a new stream per round trip, one in flight, on one connection.
// Every client role prints one JSON line per measurement: {"bench","impl":"iroh",...} and exits 0.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const addon = createRequire(import.meta.url)('@aster-rpc/transport');
const { IrohNode } = addon;
const SINK = 'aster-bench/sink';
const ECHO = 'aster-bench/echo';
const CHUNK = 1024 * 1024;

const log = (line) => process.stderr.write(`[iroh-bench ${process.pid}] ${line}\n`);
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

function options(args) {
  const opts = {};
  for (let i = 0; i < args.length; i += 2) {
    const name = /^--([a-z-]+)$/.exec(args[i])?.[1];
    if (!name || i + 1 >= args.length) throw new Error(`bad argument: ${args[i]}`);
    opts[name] = args[i + 1];
  }
  return opts;
}

const nodeConfig = () => ({
  relayMode: 'disabled',
  clearRelayTransports: true,
  clearIpTransports: true,
  bindAddr: '127.0.0.1:0',
  portmapperConfig: 'disabled',
  enableLocalDiscovery: false,
});

async function serve() {
  const node = await IrohNode.memoryWithAlpns([SINK, ECHO].map((a) => Buffer.from(a)), nodeConfig());
  const addr = /direct_addresses: \["([^"]+)"/.exec(node.nodeAddr())?.[1];
  emit({ endpointId: node.nodeId(), addr, addon: addon.version() });
  const stop = () => {
    setTimeout(() => process.exit(0), 1000).unref();
    node.close().finally(() => process.exit(0));
  };
  let pending = '';
  process.stdin.on('data', (data) => {
    pending += data.toString();
    let newline;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const command = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (command === 'stats') {
        const cpu = process.cpuUsage();
        emit({ cpuUs: cpu.user + cpu.system });
      }
    }
  });
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (;;) {
    let conn;
    try {
      conn = await node.acceptAster();
    } catch (e) {
      log(`accept-end ${e.message}`);
      return;
    }
    serveConnection(conn);
  }
}

async function serveConnection(conn) {
  const sink = conn.alpn() === SINK;
  for (;;) {
    let bi;
    try {
      bi = await conn.acceptBi();
    } catch {
      return; // connection closed
    }
    (sink ? sinkStream(bi) : echoStream(bi)).catch((e) => log(`stream error ${e.message}`));
  }
}

async function sinkStream(bi) {
  const send = bi.takeSend();
  const recv = bi.takeRecv();
  const expected = Number(Buffer.from(await recv.readExact(8)).readBigInt64LE(0));
  let received = 0;
  while (received < expected) {
    const chunk = await recv.readExact(Math.min(CHUNK, expected - received));
    received += chunk.length;
  }
  await recv.readToEnd(0); // the FIN
  const answer = Buffer.alloc(8);
  answer.writeBigInt64LE(BigInt(received));
  await send.writeAll(answer);
  await send.finish();
}

async function echoStream(bi) {
  const send = bi.takeSend();
  const data = await bi.takeRecv().readToEnd(64 * 1024);
  await send.writeAll(data);
  await send.finish();
}

async function dial(opts, alpn) {
  if (!opts.id || !opts.addr) throw new Error('needs --id and --addr');
  const node = await IrohNode.memoryWithAlpns([], nodeConfig());
  return { node, conn: await node.connectNodeAddr(opts.id, Buffer.from(alpn), [opts.addr], null) };
}

async function transfer(conn, total, chunk) {
  const start = performance.now();
  const bi = await conn.openBi();
  const send = bi.takeSend();
  const recv = bi.takeRecv();
  const header = Buffer.alloc(8);
  header.writeBigInt64LE(BigInt(total));
  await send.writeAll(header);
  for (let sent = 0; sent < total; sent += CHUNK) {
    await send.writeAll(sent + CHUNK <= total ? chunk : chunk.subarray(0, total - sent));
  }
  await send.finish();
  const count = Number(Buffer.from(await recv.readToEnd(8)).readBigInt64LE(0));
  if (count !== total) throw new Error(`sink counted ${count} of ${total} bytes`);
  return (performance.now() - start) / 1000;
}

async function bulk(opts) {
  const total = Number(opts.bytes ?? 64 * 1024 * 1024);
  const rounds = Number(opts.rounds ?? 1);
  const { node, conn } = await dial(opts, SINK);
  const chunk = Buffer.alloc(CHUNK, 0xa5);
  await transfer(conn, CHUNK, chunk);
  for (let round = 1; round <= rounds; round++) {
    const cpu = process.cpuUsage();
    const seconds = await transfer(conn, total, chunk);
    const used = process.cpuUsage(cpu);
    emit({ bench: 'bulk', impl: 'iroh', round, bytes: total, seconds, mbps: total / seconds / 1e6, mtu: conn.currentMtu?.() ?? null, cpuUs: used.user + used.system });
  }
  conn.close(0, 'done');
  await node.close();
}

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function handshake(opts) {
  const warmup = Number(opts.warmup ?? 20);
  const count = Number(opts.count ?? 200);
  const node = await IrohNode.memoryWithAlpns([], nodeConfig());
  const samples = [];
  for (let i = 0; i < warmup + count; i++) {
    const start = performance.now();
    const conn = await node.connectNodeAddr(opts.id, Buffer.from(ECHO), [opts.addr], null);
    const ms = performance.now() - start;
    if (i >= warmup) samples.push(ms * 1000);
    conn.close(0, 'done');
  }
  samples.sort((a, b) => a - b);
  emit({ bench: 'handshake', impl: 'iroh', count, p50Us: percentile(samples, 0.5), p90Us: percentile(samples, 0.9), p99Us: percentile(samples, 0.99) });
  await node.close();
}

async function echo(opts) {
  const size = Number(opts.size ?? 64);
  const seconds = Number(opts.seconds ?? 3);
  const warmupSeconds = Number(opts['warmup-seconds'] ?? 1);
  const { node, conn } = await dial(opts, ECHO);
  const payload = Buffer.alloc(size, 0x5a);
  const once = async () => {
    const bi = await conn.openBi();
    const send = bi.takeSend();
    const recv = bi.takeRecv();
    await send.writeAll(payload);
    await send.finish();
    const back = await recv.readToEnd(size + 1);
    if (back.length !== size) throw new Error(`echo returned ${back.length} bytes`);
  };
  for (const end = performance.now() + warmupSeconds * 1000; performance.now() < end;) await once();
  const samples = [];
  const start = performance.now();
  for (const end = start + seconds * 1000; performance.now() < end;) {
    const t = performance.now();
    await once();
    samples.push((performance.now() - t) * 1000);
  }
  const elapsed = (performance.now() - start) / 1000;
  samples.sort((a, b) => a - b);
  emit({ bench: 'echo', impl: 'iroh', ops: samples.length, seconds: elapsed, rate: samples.length / elapsed, p50Us: percentile(samples, 0.5), p99Us: percentile(samples, 0.99) });
  conn.close(0, 'done');
  await node.close();
}

const [mode, ...rest] = process.argv.slice(2);
const modes = { serve, bulk, handshake, echo };
if (!modes[mode]) {
  process.stderr.write('usage: node iroh-bench.mjs serve|bulk|handshake|echo [options] (see the header of this file)\n');
  process.exit(2);
}
modes[mode](options(rest)).then(() => { if (mode !== 'serve') process.exit(0); }, (e) => {
  log(`fatal ${e.message}`);
  process.exit(1);
});
