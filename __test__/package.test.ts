import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What an adopter's node_modules holds: the package as `npm pack` makes it from `files`
// (the release's main tarball is staged from the same list). A stack trace through its source
// maps must name files that are there.

const root = resolve(__dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'mcp-pack-'));
const unpacked = join(scratch, 'package');
let tarball = '';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

beforeAll(() => {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', scratch], { cwd: root, encoding: 'utf8' }),
  );
  tarball = join(scratch, packed[0].filename);
  execFileSync('tar', ['-xzf', tarball, '-C', scratch]);
}, 60_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships a source map beside every compiled file, and each file points at its own', () => {
    const scripts = walk(join(unpacked, 'dist')).filter(f => f.endsWith('.js'));
    expect(scripts.map(f => relative(unpacked, f))).toContain('dist/index.js');
    for (const script of scripts) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(script, 'utf8'))?.[1];
      expect(url, script).toBe(`${script.split('/').pop()}.map`);
      expect(existsSync(join(dirname(script), url!)), `${script} -> ${url}`).toBe(true);
    }
  });

  it('finds every source-map entry inside the package', () => {
    const maps = walk(unpacked).filter(f => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThanOrEqual(10);
    const missing: string[] = [];
    let entries = 0;
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(readFileSync(map, 'utf8')) as {
        sources: string[];
        sourceRoot?: string;
      };
      for (const source of sources) {
        entries += 1;
        const path = resolve(dirname(map), sourceRoot ?? '', source);
        const inside = !relative(unpacked, path).startsWith('..');
        if (!inside || !existsSync(path)) missing.push(`${relative(unpacked, map)}: ${source}`);
      }
    }
    expect(missing).toEqual([]);
    expect(entries).toBe(maps.length);
  });

  it('holds what package.json promises and nothing of the repository beside it', () => {
    const files = walk(unpacked).map(f => relative(unpacked, f));
    for (const needed of [
      'package.json',
      'index.js',
      'index.d.ts',
      'config.d.ts',
      'README.md',
      'dist/index.d.ts',
      'plugin/index.ts',
      // The MCP Apps views the engine reads at startup, built, without their sources.
      'views/dist/entity-card.html',
      'views/dist/entity-table.html',
      'views/dist/result.html',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter(f => f.startsWith('migrations/')).length).toBeGreaterThan(0);
    expect(files.filter(f => /^(src|tests|__test__|target|node_modules|views\/src|views\/host)\//.test(f) || f.endsWith('.node'))).toEqual([]);
  });
});
