/**
 * Generates docs/configuration.md from the config schema: every option's path, type and default
 * come from the zod schema (core/src/config/schema.ts), its description from the JSDoc comment on
 * the field in the section files. test/core/config-docs.test.ts fails when the committed file
 * differs from what this renders.
 *
 *   npx tsx tools/config-docs.ts          # rewrite docs/configuration.md
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { z } from 'zod';
import { configSchema } from '../core/src/config/schema.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const sectionsDir = path.join(repoRoot, 'core/src/config/sections');
export const CONFIG_DOCS_PATH = path.join(repoRoot, 'docs/configuration.md');

/** A parsed section file and the other section files it imports names from. */
interface SourceFile {
  source: ts.SourceFile;
  /** Imported name → file it comes from. */
  imports: Map<string, string>;
}

const parsed = new Map<string, SourceFile>();

function parseFile(file: string): SourceFile {
  let entry = parsed.get(file);
  if (!entry) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const imports = new Map<string, string>();
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const spec = statement.moduleSpecifier.text;
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings))
        for (const el of bindings.elements) imports.set(el.name.text, target);
    }
    entry = { source, imports };
    parsed.set(file, entry);
  }
  return entry;
}

interface Located {
  node: ts.Expression;
  file: string;
}

/** Finds the initializer of a top-level variable, following imports between section files. */
function findVariable(name: string, file: string): Located | undefined {
  const { source, imports } = parseFile(file);
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const decl of statement.declarationList.declarations) {
      if (ts.isIdentifier(decl.name) && decl.name.text === name && decl.initializer)
        return { node: decl.initializer, file };
    }
  }
  const from = imports.get(name);
  return from ? findVariable(name, from) : undefined;
}

/** The object literal that defines a schema's fields: through z.object(...), chained calls and variables. */
function objectLiteralOf(located: Located | undefined): { node: ts.ObjectLiteralExpression; file: string } | undefined {
  if (!located) return undefined;
  const { node, file } = located;
  if (ts.isObjectLiteralExpression(node)) return { node, file };
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
    return objectLiteralOf({ node: node.expression, file });
  }
  if (ts.isIdentifier(node)) return objectLiteralOf(findVariable(node.text, file));
  if (ts.isCallExpression(node)) {
    const callee = node.expression;
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'z') {
      // z.object({...}) / z.strictObject({...}) define fields; z.preprocess(fn, schema) wraps one.
      const arg = callee.name.text === 'preprocess' ? node.arguments[1] : node.arguments[0];
      return arg ? objectLiteralOf({ node: arg, file }) : undefined;
    }
    if (ts.isPropertyAccessExpression(callee)) return objectLiteralOf({ node: callee.expression, file });
  }
  return undefined;
}

interface Field {
  doc: string;
  value: Located;
}

function jsDocText(node: ts.Node): string {
  return ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((d) => (typeof d.comment === 'string' ? d.comment : (d.comment ?? []).map((c) => c.text).join('')))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Fields of an object literal, spreads (`...rlRunFields`) included. */
function fieldsOf(literal: { node: ts.ObjectLiteralExpression; file: string }): Map<string, Field> {
  const fields = new Map<string, Field>();
  for (const prop of literal.node.properties) {
    if (ts.isPropertyAssignment(prop) && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) {
      fields.set(prop.name.text, { doc: jsDocText(prop), value: { node: prop.initializer, file: literal.file } });
    } else if (ts.isSpreadAssignment(prop)) {
      const spread = objectLiteralOf({ node: prop.expression, file: literal.file });
      if (spread) for (const [k, v] of fieldsOf(spread)) fields.set(k, v);
    }
  }
  return fields;
}

/** The JSDoc of the field at `configPath` (e.g. ppo.safety_gate.floor), found by following the schema's source. */
function describe(configPath: string[]): string {
  const [section, ...keys] = configPath;
  if (keys.length === 0) {
    // A top-level option that is not a section (e.g. `algorithm`): its doc is in schema.ts.
    const top = objectLiteralOf(findVariable('configSchema', path.join(sectionsDir, '..', 'schema.ts')));
    return (top && fieldsOf(top).get(section!)?.doc) ?? '';
  }
  const file = path.join(sectionsDir, `${section === 'judge' ? 'reward' : section}.ts`);
  let literal = objectLiteralOf(findVariable(`${section}Schema`, file));
  let doc = '';
  for (const key of keys) {
    const field = literal && fieldsOf(literal).get(key);
    if (!field) return '';
    doc = field.doc;
    literal = objectLiteralOf(field.value);
  }
  return doc;
}

type AnySchema = z.ZodType & { _zod: { def: Record<string, unknown> & { type: string } } };

/** Unwraps defaults, optionals and pipes down to the schema that holds the value's shape. */
function core(schema: AnySchema): { schema: AnySchema; nullable: boolean; optional: boolean } {
  let s = schema;
  let nullable = false;
  let optional = false;
  for (;;) {
    const def = s._zod.def;
    if (def.type === 'nullable') nullable = true;
    if (def.type === 'optional') optional = true;
    if (['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch'].includes(def.type)) {
      s = def.innerType as AnySchema;
    } else if (def.type === 'pipe') {
      // z.preprocess(fn, schema) keeps the shape in `out`; schema.transform(fn) keeps it in `in`.
      const out = def.out as AnySchema;
      s = out._zod.def.type === 'transform' ? (def.in as AnySchema) : out;
    } else {
      return { schema: s, nullable, optional };
    }
  }
}

function typeOf(schema: AnySchema): string {
  const { schema: s, nullable } = core(schema);
  const def = s._zod.def;
  let type: string;
  switch (def.type) {
    case 'number':
      type = (s as unknown as { format?: string | null }).format?.includes('int') ? 'integer' : 'number';
      break;
    case 'enum':
      type = Object.values(def.entries as Record<string, string>)
        .map((v) => `\`${v}\``)
        .join(' \\| ');
      break;
    case 'literal':
      type = (def.values as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
      break;
    case 'array':
      type = `${typeOf(def.element as AnySchema)}[]`;
      break;
    case 'tuple':
      type = `[${(def.items as AnySchema[]).map(typeOf).join(', ')}]`;
      break;
    case 'union':
      type = (def.options as AnySchema[]).map(typeOf).join(' \\| ');
      break;
    case 'record':
      type = 'object';
      break;
    default:
      type = def.type;
  }
  return nullable ? `${type} \\| null` : type;
}

interface Row {
  path: string;
  type: string;
  default: string;
  description: string;
}

function valueAt(value: unknown, keys: string[]): unknown {
  let v = value;
  for (const key of keys) v = v === undefined || v === null ? undefined : (v as Record<string, unknown>)[key];
  return v;
}

function formatDefault(value: unknown, optional: boolean): string {
  if (value === undefined) return optional ? '(unset)' : '(required)';
  return `\`${JSON.stringify(value)}\``;
}

/** Leaf options of the schema with their defaults, depth first in declaration order. */
export function configRows(): Row[] {
  const defaults = configSchema.parse({});
  const rows: Row[] = [];
  const walk = (schema: AnySchema, keys: string[]): void => {
    const { schema: inner, optional } = core(schema);
    if (inner._zod.def.type === 'object' && keys.length < 6) {
      for (const [key, child] of Object.entries(inner._zod.def.shape as Record<string, AnySchema>))
        walk(child, [...keys, key]);
      return;
    }
    rows.push({
      path: keys.join('.'),
      type: typeOf(schema),
      default: formatDefault(valueAt(defaults, keys), optional),
      description: describe(keys).replace(/\|/g, '\\|'),
    });
  };
  for (const [key, child] of Object.entries(
    (configSchema as unknown as AnySchema)._zod.def.shape as Record<string, AnySchema>,
  )) {
    if (key === 'plugins') continue;
    walk(child, [key]);
  }
  return rows;
}

export function renderConfigDocs(): string {
  const rows = configRows();
  const sections = [...new Set(rows.map((r) => r.path.split('.')[0]!))];
  const lines = [
    '# Configuration',
    '',
    '<!-- Generated by `npx tsx tools/config-docs.ts` from core/src/config; a test keeps it in sync. Do not edit by hand. -->',
    '',
    'medrl reads `medrl.config.ts` (or `.mts`, `.js`, `.mjs`, `.cjs`, `.json`, `.yaml`, `.yml`), `.medrlrc*`, or the',
    '`medrl` key of `package.json`, searched from the current directory up to the project root; `--config <file>`',
    'names one explicitly. Relative paths in the config resolve from its directory. Unknown keys are errors, and every',
    'error names the option path and what was expected. `medrl config` prints the resolved config with secrets redacted.',
    '',
    '`plugins` (default: the four built-in plugins `@medrl/plugin-rules`, `@medrl/plugin-judge-mock`,',
    '`@medrl/plugin-judge-deepseek`, `@medrl/plugin-checkpoint-hf`) lists plugin objects, classes, package names or',
    'paths, `[name, options]` pairs and presets; see [plugins.md](plugins.md).',
    '',
  ];
  for (const section of sections) {
    lines.push(`## \`${section}\``, '', '| option | type | default | description |', '| --- | --- | --- | --- |');
    for (const row of rows.filter((r) => r.path.split('.')[0] === section)) {
      lines.push(`| \`${row.path}\` | ${row.type} | ${row.default} | ${row.description || '—'} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  writeFileSync(CONFIG_DOCS_PATH, renderConfigDocs());
  console.log(`wrote ${path.relative(repoRoot, CONFIG_DOCS_PATH)} (${configRows().length} options)`);
}
