/**
 * Input problems and other findings that a user must be able to see and locate.
 *
 * Every reader and every stage of the evaluation reports what it skipped or changed as an
 * `InputDiagnostic` instead of throwing or silently dropping data. Locations are 1-based lines and
 * columns as an editor shows them, at the place where the problem starts (an unclosed quote: where
 * it opens). Columns count UTF-16 code units, as VS Code's `Position.character` does, plus one.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface InputDiagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `csv.unclosed-quote`, `data.invalid-answer`. */
  code: string;
  /** One sentence a user understands, with the numbers that matter. */
  message: string;
  /** Path of the file the problem is in, as given by the user. */
  file?: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column (UTF-16 code units + 1). */
  column?: number;
  /** 1-based exclusive end column on the same line, when the problem spans a token. */
  endColumn?: number;
  /** The item (survey question id) the problem concerns, when there is one. */
  item?: string;
}

/** Thrown when a problem makes it impossible to go on with a file; carries a located diagnostic. */
export class InputError extends Error {
  readonly diagnostic: InputDiagnostic;
  constructor(diagnostic: Omit<InputDiagnostic, 'severity'> & { severity?: Severity }) {
    super(formatDiagnostic({ severity: 'error', ...diagnostic }));
    this.name = 'InputError';
    this.diagnostic = { severity: 'error', ...diagnostic };
  }
}

/** `file:line:column: severity: message [code]`, the format compilers use and editors link. */
export function formatDiagnostic(d: InputDiagnostic): string {
  let where = d.file ?? '';
  if (d.line !== undefined) where += `${where ? ':' : ''}${d.line}`;
  if (d.line !== undefined && d.column !== undefined) where += `:${d.column}`;
  return `${where ? where + ': ' : ''}${d.severity}: ${d.message} [${d.code}]`;
}

/** Collects diagnostics with a cap per code so a file with a million bad cells stays readable. */
export class DiagnosticBag {
  readonly items: InputDiagnostic[] = [];
  private readonly perCode = new Map<string, number>();
  constructor(private readonly maxPerCode = 200) {}

  add(d: InputDiagnostic): void {
    const seen = (this.perCode.get(d.code) ?? 0) + 1;
    this.perCode.set(d.code, seen);
    if (seen <= this.maxPerCode) this.items.push(d);
  }

  /** How many diagnostics of each code were reported, including those past the cap. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.perCode);
  }

  /** Diagnostics plus one summary line per code whose occurrences were capped. */
  all(): InputDiagnostic[] {
    const out = [...this.items];
    for (const [code, n] of this.perCode) {
      if (n > this.maxPerCode) {
        const first = this.items.find((d) => d.code === code);
        out.push({
          severity: first?.severity ?? 'warning',
          code,
          file: first?.file,
          message: `${n - this.maxPerCode} more problems of this kind (${n} in all) were not listed one by one.`,
        });
      }
    }
    return out;
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}
