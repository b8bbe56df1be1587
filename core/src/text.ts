/**
 * Text that reaches a terminal. Input data (a JSONL line, a field value quoted in an error) may hold
 * control characters: ESC and OSC sequences recolour, retitle or rewrite the terminal, CR and
 * backspace overwrite what was printed, bidi overrides reorder it. Everything we print that may
 * carry input goes through `escapeControl`.
 */

// C0 controls but tab and line feed, DEL, C1 controls, and the bidi embedding/override/isolate marks.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- as above, line feed included
const CONTROL_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Replaces control characters with visible escapes (`\x1b`, `\u202e`). Tabs stay; line feeds stay
 * unless `newlines: false` (one input-derived value must stay on one line).
 */
export function escapeControl(text: string, options: { newlines?: boolean } = {}): string {
  return text.replace(options.newlines === false ? CONTROL_OR_NEWLINE : CONTROL, escapeChar);
}
