/** docs/configuration.md lists every option of the schema with its type and default (generated, then checked here). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS_PATH, configRows, renderConfigDocs } from '../../tools/config-docs.js';

describe('docs/configuration.md', () => {
  it('is what tools/config-docs.ts renders from the schema (run `npx tsx tools/config-docs.ts` after changing options)', () => {
    expect(readFileSync(CONFIG_DOCS_PATH, 'utf8')).toBe(renderConfigDocs());
  });

  it('describes every option', () => {
    expect(
      configRows()
        .filter((r) => r.description === '')
        .map((r) => r.path),
    ).toEqual([]);
  });

  it('covers the reward options with their real defaults', () => {
    const rows = new Map(configRows().map((r) => [r.path, r]));
    expect(rows.get('reward.onMissing')).toMatchObject({
      default: '`"renormalize"`',
      type: '`renormalize` \\| `drop` \\| `fail`',
    });
    expect(rows.get('reward.clip')).toMatchObject({ default: '`[-1,1]`', type: '[number, number] \\| null' });
    expect(rows.get('judge.weights.safety')?.default).toBe('`0.4`');
    expect(rows.get('ppo.learning_rate')?.default).toBe('`0.0000141`');
    expect(rows.get('judge.use')?.description).toMatch(/^`auto`/);
  });
});
