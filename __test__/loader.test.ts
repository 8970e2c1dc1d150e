import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { platformName } from '../plugin/native';

// How the shim finds the addon: the generated loader (index.js) takes the local build here
// and the platform package when installed; when neither exists the error names what to install.

const root = resolve(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'mcp-loader-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('native engine loader', () => {
  it('names this machine the way the platform packages are named', () => {
    const expected =
      process.platform === 'linux'
        ? `linux-${process.arch}-${execFileSync('ldd', ['--version'], { encoding: 'utf8' }).includes('musl') ? 'musl' : 'gnu'}`
        : `${process.platform}-${process.arch}`;
    expect(platformName()).toBe(process.platform === 'win32' ? `${expected}-msvc` : expected);
  });

  it('loads the local build in this repository', () => {
    const out = execFileSync(process.execPath, [
      '-e',
      `const { McpEngine } = require(${JSON.stringify(join(root, 'dist/native.js'))});
       process.stdout.write(typeof McpEngine)`,
    ]);
    expect(out.toString()).toBe('function');
  });

  it('fails with the package to install when the platform binary is missing', () => {
    // An installed main package without its platform package: the loader, the shim, no .node.
    const pkg = join(scratch, 'node_modules/@mcp-actions-rs/plugin-mcp-actions-backend');
    cpSync(join(root, 'index.js'), join(pkg, 'index.js'));
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    cpSync(join(root, 'dist/native.js'), join(pkg, 'dist/native.js'));
    const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(pkg, 'dist/native.js'))})`], {
      encoding: 'utf8',
      env: { ...process.env, NODE_PATH: '' },
    });
    expect(run.status).toBe(1);
    const platform = platformName();
    expect(run.stderr).toContain(
      `@mcp-actions-rs/plugin-mcp-actions-backend: cannot load the native engine for ${platform} (Node ${process.version}).`,
    );
    expect(run.stderr).toContain(
      `Its prebuilt binary is the optional dependency @mcp-actions-rs/plugin-mcp-actions-backend-${platform}`,
    );
    expect(run.stderr).toContain('Cause: Cannot find native binding.');
  });
});
