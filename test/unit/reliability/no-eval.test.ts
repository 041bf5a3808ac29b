/**
 * No code is ever made from strings: no `eval`, no `Function` constructor, no string argument to
 * `setTimeout` / `setInterval`, in the sources (src/, webview/) nor in the shipped bundles
 * (out/extension.js, out/worker.js, out/cli.js, out/sufficient-worker.js, out/webview*.js), which
 * also hold the third-party libraries. Comments, strings and regular expressions are skipped, so a
 * library that merely mentions "eval" in a message is not flagged. A bundled library that really
 * does it must be listed in ALLOWED with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Code with comments removed and the contents of strings, templates and regular expressions blanked
 * (their delimiters kept), so patterns only match code. Line breaks are kept for line numbers.
 */
export function codeOnly(src: string): string {
  const out: string[] = [];
  let i = 0;
  const n = src.length;
  /** Last significant code character: decides whether `/` starts a regular expression. */
  let last = '';
  let lastWord = '';
  /** Open template literals' brace depths: `${` enters code, the matching `}` returns to the template. */
  const templates: number[] = [];
  let depth = 0;
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  const REGEX_AFTER = /[(,=:[!&|?{};+\-*%<>~^]/;
  const REGEX_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

  const template = (): void => {
    // At a backtick or just after the `}` that closes `${ ... }`: copy up to the end or the next `${`.
    let j = i;
    while (j < n) {
      const c = src[j];
      if (c === '\\') j += 2;
      else if (c === '`') {
        out.push(blank(src.slice(i, j)), '`');
        i = j + 1;
        last = '`';
        return;
      } else if (c === '$' && src[j + 1] === '{') {
        out.push(blank(src.slice(i, j)), '${');
        i = j + 2;
        templates.push(depth);
        depth++;
        last = '{';
        return;
      } else j++;
    }
    out.push(blank(src.slice(i)));
    i = n;
  };

  while (i < n) {
    const c = src[i];
    const d = src[i + 1];
    if (c === '/' && d === '/') {
      const e = src.indexOf('\n', i);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === '/' && d === '*') {
      const e = src.indexOf('*/', i + 2);
      const end = e < 0 ? n : e + 2;
      out.push(blank(src.slice(i, end)));
      i = end;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out.push(c, blank(src.slice(i + 1, j)), c);
      i = j + 1;
      last = c;
      continue;
    }
    if (c === '`') {
      out.push('`');
      i++;
      template();
      continue;
    }
    if (c === '/' && (last === '' || REGEX_AFTER.test(last) || REGEX_KEYWORDS.has(lastWord))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== '\n') {
        const x = src[j];
        if (x === '\\') j++;
        else if (x === '[') inClass = true;
        else if (x === ']') inClass = false;
        else if (x === '/' && !inClass) break;
        j++;
      }
      out.push('/', blank(src.slice(i + 1, j)), '/');
      i = j + 1;
      last = '/x';
      lastWord = '';
      continue;
    }
    if (c === '{') depth++;
    if (c === '}') {
      depth--;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        out.push('}');
        i++;
        template();
        continue;
      }
    }
    out.push(c);
    if (!/\s/.test(c)) {
      if (/[\w$]/.test(c)) {
        lastWord = /[\w$]/.test(last) ? lastWord + c : c;
      } else lastWord = '';
      last = c;
    }
    i++;
  }
  return out.join('');
}

const PATTERNS: [string, RegExp][] = [
  ['eval', /(?<![\w$.])eval(?![\w$])(?!\s*:)/g],
  ['global eval', /\b(?:window|globalThis|self|global)\s*\.\s*eval\b/g],
  ['new Function', /\bnew\s+Function\s*\(/g],
  ['Function(...)', /(?<!new\s+)(?<![\w$.])Function\s*\(/g],
  ['setTimeout/setInterval with a string', /(?<![\w$.])(?:setTimeout|setInterval)\s*\(\s*["'`]/g],
];

export interface Finding {
  file: string;
  line: number;
  what: string;
  text: string;
}

export function findCodeFromStrings(src: string, file: string): Finding[] {
  const code = codeOnly(src);
  const found: Finding[] = [];
  for (const [what, re] of PATTERNS) {
    for (const m of code.matchAll(re)) {
      const line = code.slice(0, m.index).split('\n').length;
      found.push({ file, line, what, text: src.split('\n')[line - 1].trim().slice(0, 160) });
    }
  }
  return found;
}

/**
 * Bundled third-party code that does construct functions from strings, with why it is acceptable.
 * Keyed by bundle and the exact source line (trimmed, first 160 characters).
 */
const ALLOWED: { file: string; text: RegExp; reason: string }[] = ['out/cli.js', 'out/worker.js'].map((file) => ({
  file,
  text: /^var evil = eval;$/,
  // @stdlib/utils-eval, reached from @stdlib/math-base-special-gammainc through
  // @stdlib/math-base-tools-sum-series -> @stdlib/assert-has-generator-support, which evaluates the
  // constant '"use strict"; (function* () {})' once to test for generator support. No data and no
  // user text ever reaches it; it runs in node (CLI, extension worker), never in the webview.
  reason: '@stdlib/assert-has-generator-support feature test on a constant string',
}));

function sources(dir: string, exts: string[]): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

test('the scanner finds code made from strings, and only in code', () => {
  const bad = ['eval("1 + 1")', 'x = new Function("a", "return a")', 'Function("return this")()', 'setTimeout("tick()", 10)', 'setInterval(`go()`, 5)', 'const f = (0, eval)', 'globalThis.eval(s)', 'a = `${eval(s)}`'];
  for (const src of bad) assert.equal(findCodeFromStrings(src, 'x.js').length, 1, src);
  const fine = [
    '// eval("x") in a comment',
    '/* new Function("a") */',
    'const s = "eval(x) and new Function()";',
    "const t = 'setTimeout(\"x\")';",
    'const u = `Function(${a})`;',
    'const r = /eval\\(/;',
    'obj.eval(x); medieval(y); evaluate(z); myFunction(1); isFunction(f)',
    'setTimeout(() => tick(), 10); setInterval(run, 5)',
    'const o = { eval: 1 }',
    'if (typeof x === "function") a = b / c / d;',
  ];
  for (const src of fine) assert.deepEqual(findCodeFromStrings(src, 'x.js'), [], src);
});

test('no eval, Function constructor or string timer in src/ and webview/', () => {
  const files = [...sources('src', ['.ts']), ...sources('webview', ['.ts', '.js'])];
  assert.ok(files.length > 20, `${files.length} source files`);
  const found = files.flatMap((f) => findCodeFromStrings(readFileSync(f, 'utf8'), f));
  assert.deepEqual(found, []);
});

test('no eval, Function constructor or string timer in the built bundles, third-party code included', () => {
  const bundles = readdirSync('out').filter((f) => /^(extension|worker|cli|sufficient-worker|webview.*)\.js$/.test(f));
  for (const required of ['extension.js', 'worker.js', 'cli.js', 'webview.js']) assert.ok(bundles.includes(required), `out/${required} is built (npm run build)`);
  const found = bundles
    .flatMap((f) => findCodeFromStrings(readFileSync(join('out', f), 'utf8'), join('out', f)))
    .filter((x) => !ALLOWED.some((a) => a.file === x.file && a.text.test(x.text)));
  assert.deepEqual(found, []);
});
