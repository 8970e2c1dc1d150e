import {
  coreServices,
  createServiceFactory,
  type LoggerService,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';

/** Every line any plugin logs, with its metadata, as text (for leak checks). */
export class RecordingLogger implements RootLoggerService {
  constructor(
    readonly lines: string[] = [],
    private readonly meta: Record<string, unknown> = {},
    readonly entries: Array<{ level: string; message: string; meta: Record<string, unknown> }> = [],
  ) {}

  private record(level: string, message: string, meta?: unknown) {
    this.entries.push({ level, message, meta: { ...this.meta, ...(meta as object) } });
    let extra = '';
    try {
      extra = JSON.stringify({ ...this.meta, ...(meta as object) });
    } catch {
      extra = String(meta);
    }
    this.lines.push(`${level} ${message} ${extra}`);
  }

  error(message: string, meta?: Error | object) {
    this.record('error', message, meta instanceof Error ? { name: meta.name, message: meta.message, stack: meta.stack } : meta);
  }
  warn(message: string, meta?: Error | object) {
    this.record('warn', message, meta instanceof Error ? { name: meta.name, message: meta.message, stack: meta.stack } : meta);
  }
  info(message: string, meta?: Error | object) {
    this.record('info', message, meta);
  }
  debug(message: string, meta?: Error | object) {
    this.record('debug', message, meta);
  }
  child(meta: Record<string, unknown>): LoggerService {
    return new RecordingLogger(this.lines, { ...this.meta, ...meta }, this.entries);
  }
}

export function recordingRootLogger(logger: RecordingLogger) {
  return createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => logger,
  });
}
