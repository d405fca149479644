// No error reaches the app's window in terminal words. Every EngineError the app's processes can
// make (src-main outside the terminal-only commands) whose hint or message names a --flag, an
// `npm run` script or a command in backticks must either carry its window wording (`gui`), or be
// one the window words itself (src-renderer's errors.ts: its advice per code). Found by reading
// the sources, so a new error with a CLI hint fails here until it is worded for the window. And
// whatever reaches the window, the renderer never shows a terminal hint, for every error code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { ERROR_CODES, isErrorCode } from '../src-main/engine/common/errors';
import { readable } from '../src-renderer/src/lib/errors';

const root = join(import.meta.dirname, '..');
/** What the window must never show: the renderer's own test for a terminal hint, and a --flag. */
const CLI = /(^|[\s(“"])--[a-z]|\bnpm run\b|`[^`]+`/;

/**
 * Code only the terminal runs: the CLI's commands, and modules only they call (the PURE
 * converter's flags, the quality metrics of `npm run eval`). Each is named, not guessed.
 */
const TERMINAL_ONLY = [
  'src-main/cli/',
  'src-main/engine/pure/package/convert-pure.ts', // npm run convert -- pure
  'src-main/engine/pure/package/checkpoint-config.ts', // npm run convert -- pure --checkpoint
  'src-main/engine/quality/', // npm run eval / metrics
];

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) yield path;
  }
}

/** The literal text of an expression (strings, templates' fixed parts, both arms of a ?:). */
function literalText(node: ts.Node | undefined): string {
  if (!node) return '';
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  if (ts.isConditionalExpression(node)) return `${literalText(node.whenTrue)} ${literalText(node.whenFalse)}`;
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression);
  if (ts.isBinaryExpression(node)) return `${literalText(node.left)}${literalText(node.right)}`;
  return '';
}

interface Site {
  where: string;
  code: string;
  message: string;
  hint: string;
  gui: boolean;
}

/** Every `new EngineError(code, message, hint, options)` in the app's processes. */
function errorSites(): Site[] {
  const sites: Site[] = [];
  for (const file of sources(join(root, 'src-main'))) {
    const rel = relative(root, file).split('\\').join('/');
    if (TERMINAL_ONLY.some((prefix) => rel.startsWith(prefix))) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) && node.expression.getText(source) === 'EngineError' && node.arguments?.length) {
        const [code, message, hint, options] = node.arguments;
        sites.push({
          where: `${rel}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`,
          code: literalText(code),
          message: literalText(message),
          hint: literalText(hint),
          gui: options !== undefined && /\bgui\b/.test(options.getText(source)),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}

describe('errors the window shows', () => {
  test('every app error with a terminal hint or message has window wording', () => {
    const sites = errorSites();
    assert.ok(sites.length > 100, `found the errors (${sites.length})`);
    const unworded: string[] = [];
    for (const site of sites) {
      if (site.gui || !(CLI.test(site.hint) || CLI.test(site.message))) continue;
      // The window's own advice for the code stands in for a terminal hint; a terminal message has none.
      const shown = isErrorCode(site.code) ? readable({ code: site.code, message: site.message, hint: site.hint }) : undefined;
      const ok = shown !== undefined && !CLI.test(site.message) && shown.hint !== undefined && !CLI.test(shown.hint);
      if (!ok) unworded.push(`${site.where} ${site.code}: ${CLI.test(site.message) ? site.message : site.hint}`);
    }
    assert.deepEqual(unworded, [], 'give these a `gui` wording (GuiWording in errors.ts, GUI_HINTS for model errors)');
  });

  test('for every error code, a terminal hint is never shown: the window’s advice or nothing', () => {
    for (const code of ERROR_CODES) {
      for (const hint of ['Pass --overwrite to replace it.', 'Run `npm run models -- pull x`.', 'Use a smaller tile (--tile 128).']) {
        const shown = readable({ code, message: 'Something happened.', hint });
        assert.ok(shown.hint === undefined || !CLI.test(shown.hint), `${code}: ${shown.hint}`);
      }
    }
  });
});
