import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isAlive, isOurs, stopProcess } from '../../../src/stack/processes.js';
import { freePort } from '../../../src/stack/ports.js';
import { createServer } from 'node:net';

describe('process control', () => {
  it('recognises a process as ours only when its command line carries the marker', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '-Dmarker=yes']);
    await once(child, 'spawn');
    try {
      expect(isOurs(child.pid!, '-Dmarker=yes')).toBe(true);
      expect(isOurs(child.pid!, '-Dmarker=other')).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('stops a process that ignores SIGTERM by escalating to SIGKILL', async () => {
    const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"]);
    await once(child.stdout!, 'data');
    const exited = once(child, 'exit');
    await stopProcess(child.pid!, 200);
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');
    expect(isAlive(child.pid!)).toBe(false);
  });
});

describe('freePort', () => {
  it('returns a loopback port that can be bound', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    server.close();
    expect(port).toBeGreaterThan(0);
  });
});
