import type { DataErrorCode } from './errors.js';
import type { ExampleRow, Finding, Severity } from './findings.js';

const MAX_EXAMPLES = 5;

/** Collects findings keyed by code and field, counting every hit and keeping the first examples. */
export class FindingCollector {
  private readonly byKey = new Map<string, Finding>();

  add(
    code: DataErrorCode,
    severity: Severity,
    message: string,
    example: ExampleRow | undefined,
    opts: { field?: string; count?: number } = {},
  ): void {
    const key = `${code}\u0000${opts.field ?? ''}`;
    let f = this.byKey.get(key);
    if (!f) {
      f = {
        code,
        severity,
        message,
        ...(opts.field !== undefined ? { field: opts.field } : {}),
        count: 0,
        examples: [],
      };
      this.byKey.set(key, f);
    }
    f.count += opts.count ?? 1;
    if (example && f.examples.length < MAX_EXAMPLES) f.examples.push(example);
  }

  /** Merges findings collected elsewhere (another worker, another pass). */
  merge(findings: readonly Finding[], lineOffset: (file: string) => number = () => 0): void {
    for (const f of findings) {
      for (const [i, ex] of f.examples.entries()) {
        this.add(
          f.code as DataErrorCode,
          f.severity,
          f.message,
          { ...ex, line: ex.line + lineOffset(ex.file) },
          { field: f.field, count: i === 0 ? f.count : 0 },
        );
      }
      if (f.examples.length === 0)
        this.add(f.code as DataErrorCode, f.severity, f.message, undefined, {
          field: f.field,
          count: f.count,
        });
    }
  }

  list(): Finding[] {
    const rank = { error: 0, warning: 1, info: 2 };
    return [...this.byKey.values()].sort((a, b) => rank[a.severity] - rank[b.severity] || b.count - a.count);
  }
}
