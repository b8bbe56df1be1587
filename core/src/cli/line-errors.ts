/**
 * Per-line errors on stderr (`file:line: message`), as `prepare`, `reward` and `judge` print them:
 * control characters escaped (input text must not drive the terminal), the first 20 printed, the
 * rest counted and summarised at the end (a binary file must not print thousands of lines).
 */
import { escapeControl } from '../text.js';

/** Line errors printed before the rest are only counted. */
export const SHOWN_LINE_ERRORS = 20;

export class LineErrorReporter {
  private count = 0;
  private readonly hidden = new Map<string, number>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly limit = SHOWN_LINE_ERRORS,
  ) {}

  /** Reports one error; `kind` groups the hidden ones in the summary (e.g. the rejection reason). */
  report(location: string, message: string, kind = 'error'): void {
    this.count += 1;
    if (this.count <= this.limit) {
      this.write(`${escapeControl(location, { newlines: false })}: ${escapeControl(message, { newlines: false })}`);
      return;
    }
    this.hidden.set(kind, (this.hidden.get(kind) ?? 0) + 1);
  }

  /** Errors reported so far. */
  get total(): number {
    return this.count;
  }

  /** Prints the summary of what was not shown; `where` says where every error is (a file, the output). */
  finish(where?: string): void {
    const hidden = this.count - Math.min(this.count, this.limit);
    if (hidden === 0) return;
    const kinds = [...this.hidden].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${n}`);
    const byKind = kinds.length > 1 || kinds[0]?.startsWith('error ') === false ? ` (${kinds.join(', ')})` : '';
    this.write(
      `... and ${hidden} more line error(s) not shown${byKind}, ${this.count} in all${where ? `; ${where}` : ''}`,
    );
  }
}
