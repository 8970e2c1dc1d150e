import { coreServices, createServiceFactory, type LoggerService } from '@backstage/backend-plugin-api';

/** Every line a backend logs, audit events included (they go through its loggers), as JSON. */
export class CapturedLines {
  readonly lines: string[] = [];

  /** A root logger service that records instead of printing (the backend's only sink). */
  factory() {
    const lines = this.lines;
    const text = (value: unknown): unknown =>
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
    const make = (fields: Record<string, unknown>): LoggerService => {
      const record = (level: string) => (message: string, meta?: Error | Record<string, unknown>) => {
        const extra =
          meta instanceof Error
            ? { error: text(meta) }
            : Object.fromEntries(Object.entries(meta ?? {}).map(([k, v]) => [k, text(v)]));
        lines.push(JSON.stringify({ level, message, ...fields, ...extra }));
      };
      return {
        error: record('error'),
        warn: record('warn'),
        info: record('info'),
        debug: record('debug'),
        child: meta => make({ ...fields, ...meta }),
      };
    };
    return createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => make({}) as never,
    });
  }
}
