'use strict';
// Starts a real `imago serve` on loopback with a throw-away data dir, creates accounts with
// `imago admin account create`, and builds the official SDK clients pointed at it.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const Ecs = require('@alicloud/ecs20140526');
const { $OpenApiUtil } = require('@alicloud/openapi-core');
const RPCClient = require('@alicloud/pop-core').RPCClient;

const repo = path.resolve(__dirname, '..', '..');

function imagoCommand() {
  const dll = process.env.IMAGO_DLL || path.join(repo, 'src', 'Imago', 'bin', 'Release', 'net10.0', 'imago.dll');
  if (!fs.existsSync(dll)) {
    throw new Error(`${dll} not found: build the solution first (dotnet build Imago.slnx -c Release)`);
  }
  return ['dotnet', [dll]];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function admin(dataDir, args) {
  const [exe, pre] = imagoCommand();
  return execFileSync(exe, [...pre, 'admin', ...args, '--data', dataDir], { encoding: 'utf8', timeout: 120_000 });
}

async function waitHealthy(url, child, deadlineMs) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) {
      throw new Error(`imago serve exited with ${child.exitCode}`);
    }
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('imago serve did not become healthy');
}

/** Spawns `imago serve` on the given ports and data dir and waits until it is healthy; returns the child and its log. */
async function spawnServe(url, dataDir, nbdPort, serveArgs) {
  const [exe, pre] = imagoCommand();
  const child = spawn(exe, [...pre, 'serve', '--urls', url, '--data', dataDir, '--nbd', `127.0.0.1:${nbdPort}`, ...serveArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { child, log: '' };
  child.stdout.on('data', (d) => { state.log += d; });
  child.stderr.on('data', (d) => { state.log += d; });
  try {
    await waitHealthy(url, child, 120_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${state.log}`);
  }
  return state;
}

/**
 * A running service with two accounts. Call stop() when done. `serveArgs` are extra `imago serve` options
 * (e.g. ['--transfer-rate', '2']); crash() kills the process with SIGKILL and restart() starts it again on the
 * same data dir and ports (clients made before keep working). `beforeServe(dataDir, admin)` runs after the
 * accounts exist and before serve starts: for admin commands that need the service stopped (marketplace publish).
 */
async function startService({ serveArgs = [], beforeServe } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imago-sdk-'));
  const accounts = {};
  for (const name of ['alice', 'bob']) {
    accounts[name] = JSON.parse(admin(dataDir, ['account', 'create', name, '--json']));
  }
  if (beforeServe) await beforeServe(dataDir, (args) => admin(dataDir, args));
  const [apiPort, nbdPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${apiPort}`;
  let state = await spawnServe(url, dataDir, nbdPort, serveArgs);
  let earlierLogs = '';
  return {
    url, dataDir, nbdPort, accounts,
    log: () => earlierLogs + state.log,
    async crash() {
      if (state.child.exitCode === null && state.child.signalCode === null) {
        const exited = new Promise((r) => state.child.once('exit', r));
        state.child.kill('SIGKILL');
        await exited;
      }
    },
    async restart() {
      await this.crash();
      earlierLogs += state.log;
      state = await spawnServe(url, dataDir, nbdPort, serveArgs);
    },
    async stop() {
      const { child } = state;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** @alicloud/ecs20140526 (V3 ACS3-HMAC-SHA256 by default; signatureAlgorithm 'v2' forces V1). */
function ecsClient(service, account, options = {}) {
  return new Ecs.default(new $OpenApiUtil.Config({
    accessKeyId: account.AccessKeyId,
    accessKeySecret: account.AccessKeySecret,
    endpoint: service.url.replace('http://', ''),
    protocol: 'http',
    regionId: 'cn-hangzhou',
    ...options,
  }));
}

/** @alicloud/pop-core RPCClient (V1 HMAC-SHA1; GET by default, {method:'POST'} for a form body). */
function popClient(service, account) {
  return new RPCClient({
    accessKeyId: account.AccessKeyId,
    accessKeySecret: account.AccessKeySecret,
    endpoint: service.url,
    apiVersion: '2014-05-26',
  });
}

/** qemu-io against an NBD export of the service; returns stdout. */
function qemuIo(service, exportName, commands, { readOnly = false, mayFail = false } = {}) {
  const args = ['-f', 'raw', ...(readOnly ? ['-r'] : [])];
  for (const c of commands) args.push('-c', c);
  args.push(`nbd://127.0.0.1:${service.nbdPort}/${exportName}`);
  try {
    return execFileSync('qemu-io', args, { encoding: 'utf8', timeout: 120_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // A failed pattern check exits non-zero; a caller that expects it reads what qemu-io said.
    if (mayFail && e.status !== null) return `${e.stdout}${e.stderr}`;
    throw e;
  }
}

/** Polls fn until it returns a truthy value (bounded). */
async function until(fn, what, { timeoutMs = 60_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** `imago admin ...` against a running service's data dir (bucket and account commands touch no lock). */
function adminCommand(service, args) {
  return admin(service.dataDir, args);
}

module.exports = { Ecs, startService, ecsClient, popClient, qemuIo, until, adminCommand, imagoCommand };
