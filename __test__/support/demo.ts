import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from './backend';

export interface RunningDemo {
  /** `http://localhost:{port}` */
  base: string;
  /** The MCP endpoint. */
  url: string;
  /** What the demo printed so far (its banner, its log). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The README's demo backend, started as a user starts it (`node dev/backend.js` with
 * dev/app-config.yaml, the built package from dist/), plus any `--config` files given.
 */
export async function startDemo(token: string, configs: string[] = []): Promise<RunningDemo> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['backend.js', '--config', 'app-config.yaml', ...configs.flatMap(c => ['--config', c])],
    {
      cwd: resolve(__dirname, '../../dev'),
      env: { ...process.env, PORT: String(port), MCP_DEMO_TOKEN: token, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`demo did not start:\n${output}`)), 45_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('MCP endpoint:')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', code => fail(new Error(`demo exited with ${code}:\n${output}`)));
  });
  const base = `http://localhost:${port}`;
  return {
    base,
    url: `${base}/api/mcp-actions/v1`,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise(r => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
