import type * as Native from '../index';

/** The platforms a release ships a prebuilt binary for (npm/<platform>/). */
const PREBUILT = [
  'linux-x64-gnu',
  'linux-arm64-gnu',
  'linux-x64-musl',
  'linux-arm64-musl',
  'darwin-arm64',
  'darwin-x64',
  'win32-x64-msvc',
];

/** This machine in napi-rs's platform naming: `linux-x64-gnu`, `darwin-arm64`, ... */
export function platformName(): string {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
      ?.header;
    return `linux-${arch}-${header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

/**
 * The addon, through the generated loader (the platform package, or a local build in this
 * repository). When neither loads, the error says which package this machine needs and how to
 * build the addon where no prebuilt binary exists.
 */
function load(): typeof Native {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../index') as typeof Native;
  } catch (error) {
    const platform = platformName();
    const pkg = `@mcp-actions-rs/plugin-mcp-actions-backend-${platform}`;
    const hint = PREBUILT.includes(platform)
      ? `Its prebuilt binary is the optional dependency ${pkg}: reinstall so that your package manager ` +
        `installs it (it is skipped when the lockfile was made on another platform and optional ` +
        `dependencies were filtered).`
      : `No prebuilt binary exists for ${platform} (prebuilt: ${PREBUILT.join(', ')}). Build it from ` +
        `source with Rust 1.95: in a clone of the plugin's repository at this version run ` +
        `\`npm ci && npm run build:native\` and copy the mcp-actions-backend.${platform}.node it ` +
        `writes into ${__dirname.replace(/[\\/]dist$/, '')}.`;
    throw new Error(
      `@mcp-actions-rs/plugin-mcp-actions-backend: cannot load the native engine for ${platform} ` +
        `(Node ${process.version}). ${hint} Cause: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export const McpEngine = load().McpEngine;
export type McpEngine = Native.McpEngine;
