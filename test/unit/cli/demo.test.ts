// End-to-end tests of the command line (out/cli.js, as users run it) on the bundled demo and on
// bad input. The demo's data are synthetic (demo/generate.mjs); the assertions are the story the
// demo exists to tell (arXiv 2601.15755): fine-tuned wins on marginals, loses on structure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EvaluationReport } from '../../../src/core/report/model';
import { assertCoherent } from '../core/coherence';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'out', 'cli.js');

function replens(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let demo: EvaluationReport | undefined;
function demoReport(): EvaluationReport {
  if (!demo) {
    const r = replens(['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '50', '--permutations', '199', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    demo = JSON.parse(r.stdout) as EvaluationReport;
  }
  return demo;
}

const run = (name: string) => demoReport().runs.find((r) => r.name === name)!;

test('demo: the fine-tuned run wins on marginals and loses on structure', () => {
  const ft = run('finetuned');
  const persona = run('persona');
  const base = run('base');
  assert.ok(ft.marginal.summary.representativeness.value! > persona.marginal.summary.representativeness.value!);
  assert.ok(ft.marginal.summary.representativeness.value! > base.marginal.summary.representativeness.value!);
  for (const method of ['pearson', 'spearman']) {
    assert.ok(ft.structure.individual[method].comparison.pearson! < persona.structure.individual[method].comparison.pearson!, method);
  }
  // Items sampled independently: far from the human structure, nearer the independent-marginals floor than the ceiling.
  const ceiling = ft.baselines.find((b) => b.name === 'human-split-half')!.structure.pearson.pearson!;
  assert.ok(ft.structure.individual.pearson.comparison.pearson! < ceiling - 0.2);
  // The unsteered base model has no structure at all and is the worst on marginals.
  assert.ok(Math.abs(base.structure.individual.pearson.comparison.pearson!) < 0.2);
});

test('demo: reference points bracket the runs and the report is complete data', () => {
  const r = demoReport();
  assert.equal(r.schemaVersion, 3);
  assert.equal(r.reference.respondents, 4800);
  assert.equal(r.reference.weighted, true);
  for (const x of r.runs) {
    assert.equal(x.items.length, 24);
    assert.deepEqual(x.baselines.map((b) => b.name), ['independent-marginals', 'uniform-random', 'human-split-half']);
    const split = x.baselines[2];
    assert.ok(split.marginal.representativeness! > 0.95 && split.structure.pearson.pearson! > 0.9);
    const g = x.structure.group!;
    assert.equal(g.groups.length, 6);
    assert.ok(g.null.high! < g.ceiling.pearson!);
    assert.ok(x.marginal.summary.representativeness.ci!.low! <= x.marginal.summary.representativeness.ci!.high!);
  }
  // Refusals written as text are counted as invalid answers, per item, never dropped silently.
  const base = run('base');
  assert.ok(base.marginal.items.every((i) => i.invalidCount > 0));
  assert.ok(r.diagnostics.some((d) => d.code === 'data.invalid-answer' && d.file!.endsWith('base.csv') && d.line! > 1 && d.column! > 1));
  // Weak items point at their header cell and at the prompt template that produced the run.
  const weak = run('persona').weakItems;
  assert.ok(weak.length > 0);
  for (const w of weak) {
    assert.ok(w.locations.some((l) => l.file.endsWith('persona.csv') && l.line === 1));
    assert.ok(w.locations.some((l) => l.file.endsWith('persona.txt')));
  }
  // No NaN anywhere: JSON.parse would have failed on NaN, and numbers are finite or null.
  const walk = (v: unknown): void => {
    if (typeof v === 'number') assert.ok(Number.isFinite(v));
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(r);
});

test('demo: every {value, ci} is coherent (the interval contains its value); the brief\'s incoherent pairs are fixed', () => {
  const r = demoReport();
  assertCoherent(r);
  // Before: fine-tuned representativeness 0.989 [0.983, 0.988] and structure 0.624 [0.426, 0.564].
  const ft = run('finetuned');
  const rep = ft.marginal.summary.representativeness;
  assert.equal(rep.ci!.method, 'basic');
  assert.ok(rep.ci!.low! <= rep.value! && rep.value! <= rep.ci!.high!);
  // The sample and the paper's percentile interval are kept as their own fields.
  assert.ok(rep.percentile!.high! < rep.sample!, 'the percentile interval still lies below its sample: kept as it is, not the headline');
  const st = ft.structure.individual.pearson.agreementValidOnly;
  assert.ok(st.percentile!.high! < st.sample!);
  assert.equal(st.sample, ft.structure.individual.pearson.comparison.pearson);
});

test('demo: the persona run is below random answering, and says so', () => {
  const persona = run('persona');
  const v = persona.marginal.summary.representativeness.verdict!;
  assert.equal(v.code, 'below-floor');
  assert.equal(v.text, 'below random answering');
  assert.equal(v.floor!.baseline, 'uniform-random');
  assert.equal(v.floor!.value, persona.baselines.find((b) => b.name === 'uniform-random')!.population.representativeness);
  assert.ok(persona.marginal.summary.representativeness.ci!.high! < v.floor!.value);
  // The fine-tuned run reaches the human ceiling on marginals; the base model has no structure.
  assert.equal(run('finetuned').marginal.summary.representativeness.verdict!.code, 'at-ceiling');
  assert.equal(run('base').structure.individual.pearson.agreement.verdict!.code, 'at-floor');
  // The CLI prints the verdicts.
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-verdict-'));
  const out = replens(['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '50', '--permutations', '19', '--out', path.join(dir, 'r.json'), '--quiet']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^persona\s+1200\s+0\.0%\s+0\.9\d\d \[0\.9\d\d, 0\.9\d\d\]\s+BELOW FLOOR/m);
  assert.match(out.stdout, /^persona: representativeness below random answering;/m);
  assert.match(out.stdout, /^\s+hint: Refusals \("As an AI, I don't have personal opinions"\)/m);
});

test('a run compared with its own data: the CLI warns loudly', () => {
  const r = replens(['evaluate', '--reference', 'demo/reference.csv', '--codebook', 'demo/codebook.json', '--run', 'itself=demo/reference.csv', '--bootstrap', '0', '--permutations', '0', '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: Run itself has the same answer distribution as the reference on every item.*\[reference\.same-as-run\]/);
  assert.match(r.stderr, /replens: WARNING: Run itself has the same answer distribution/);
});

test('the same seed gives the same report; every format renders', () => {
  const a = replens(['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '20', '--permutations', '99', '--seed', '7', '--quiet']);
  const b = replens(['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '20', '--permutations', '99', '--seed', '7', '--quiet']);
  const strip = (s: string) => ({ ...JSON.parse(s), createdAt: '' });
  assert.deepEqual(strip(a.stdout), strip(b.stdout));
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-'));
  for (const fmt of ['md', 'csv', 'html']) {
    const out = path.join(dir, `report.${fmt}`);
    const r = replens(['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '10', '--permutations', '9', '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /finetuned\s+1200/);
    const text = readFileSync(out, 'utf8');
    if (fmt === 'md') assert.match(text, /^# Representativeness report/);
    if (fmt === 'csv') assert.match(text.split('\n')[1], /^finetuned,headline,representativeness,/);
    if (fmt === 'html') {
      // Standalone and offline: data embedded, nothing loaded from elsewhere, network forbidden by CSP.
      assert.ok(text.includes('id="report-data"'));
      // The markup outside the two inline script blocks (whose code may mention tags in strings).
      const markup = text.replace(/<script[^>]*>[\s\S]*?<\/script>/gi, '<script></script>');
      assert.equal((markup.match(/<script/gi) ?? []).length, 2);
      assert.ok(!/<(script|link|img|iframe)[^>]+(src|href)=/i.test(markup));
      assert.ok(!/@import|url\(\s*['"]?https?:/i.test(text));
      assert.match(text, /Content-Security-Policy" content="default-src 'none';/);
    }
  }
});

test('exit codes: 1 when a --fail-under gate fails, 2 with a located message on bad input or an unknown weight', () => {
  const gate = replens(['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '0', '--permutations', '0', '--fail-under', 'marginal=0.95', '--quiet']);
  assert.equal(gate.code, 1);
  assert.match(gate.stderr, /fail-under: run persona marginal representativeness 0\.9\d\d < 0\.95/);

  const dir = mkdtempSync(path.join(tmpdir(), 'replens-bad-'));
  const ragged = path.join(dir, 'run.csv');
  writeFileSync(ragged, 'Q1,Q2\n1,2\n"3,4\n');
  const quote = replens(['evaluate', '--reference', 'demo/reference.csv', '--run', ragged, '--bootstrap', '0', '--quiet']);
  assert.match(quote.stderr, new RegExp(`${ragged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:1: (error|warning): .*quote`, 'i'));

  const missing = replens(['evaluate', '--reference', path.join(dir, 'nope.csv'), '--run', ragged]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.csv.*error/);

  const config = path.join(dir, 'representativeness.json');
  writeFileSync(config, '{\n  "reference": "r.csv",\n  "runs": [ "x.csv" ,, ]\n}\n');
  const bad = replens(['evaluate', '--config', config]);
  assert.equal(bad.code, 2);
  assert.ok(bad.stderr.includes(`${config}:3:`), bad.stderr);

  // A weight typo in the config: located on the config's "weight" value (not reference.csv:1:1);
  // the report is written, but results without the asked-for weight exit 2, so CI cannot pass on them.
  const typo = JSON.parse(readFileSync(path.join(ROOT, 'demo/representativeness.json'), 'utf8'));
  typo.reference.path = path.join(ROOT, 'demo/reference.csv');
  typo.reference.codebook = path.join(ROOT, 'demo/codebook.json');
  typo.reference.weight = 'W_WEIGTH';
  typo.runs = [{ name: 'persona', path: path.join(ROOT, 'demo/runs/persona.csv') }];
  typo.bootstrap = 0;
  typo.permutations = 0;
  const typoConfig = path.join(dir, 'typo.json');
  const typoText = JSON.stringify(typo, null, 2);
  writeFileSync(typoConfig, typoText);
  const out = path.join(dir, 'typo-report.json');
  const unweighted = replens(['evaluate', '--config', typoConfig, '--out', out, '--quiet']);
  assert.equal(unweighted.code, 2, unweighted.stderr);
  const before = typoText.slice(0, typoText.indexOf('"W_WEIGTH"')).split('\n');
  const where = `${typoConfig}:${before.length}:${before[before.length - 1].length + 1}`;
  assert.ok(unweighted.stderr.includes(`${where}: error: The weight column "W_WEIGTH" is not in reference.csv`), unweighted.stderr);
  assert.ok(!unweighted.stderr.includes('reference.csv:1:1'), unweighted.stderr);
  const written = JSON.parse(readFileSync(out, 'utf8')) as EvaluationReport;
  assert.equal(written.diagnostics.find((d) => d.code === 'data.unknown-weight')?.file, typoConfig, 'the report locates it on the config too');

  const usage = replens(['evaluate', '--reference', 'demo/reference.csv']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--run/);
});

test('--group-by gives the same group-level structure as the config\'s groupBy', () => {
  const flags = ['--reference', 'demo/reference.csv', '--codebook', 'demo/codebook.json', '--weight', 'W_WEIGHT', '--run', 'persona=demo/runs/persona.csv', '--bootstrap', '5', '--permutations', '19', '--quiet'];
  const r = replens(['evaluate', ...flags, '--group-by', 'B_COUNTRY_ALPHA:persona_country']);
  assert.equal(r.code, 0, r.stderr);
  const g = (JSON.parse(r.stdout) as EvaluationReport).runs[0].structure.group!;
  assert.deepEqual(g.groupBy, { reference: 'B_COUNTRY_ALPHA', run: 'persona_country' });
  // Closed form, independent of resampling: equal to the config-driven evaluation of the same run.
  const viaConfig = run('persona').structure.group!;
  assert.ok(Math.abs(g.comparison.pearson! - viaConfig.comparison.pearson!) < 1e-12);
});

test('subgroups: a group selecting everyone scores like the whole run; named groups are scored', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-groups-'));
  const config = JSON.parse(readFileSync(path.join(ROOT, 'demo/representativeness.json'), 'utf8'));
  config.reference.path = path.join(ROOT, 'demo/reference.csv');
  config.reference.codebook = path.join(ROOT, 'demo/codebook.json');
  config.runs = [{ name: 'persona', path: path.join(ROOT, 'demo/runs/persona.csv') }];
  config.groups = { everyone: { reference: 'B_COUNTRY_ALPHA in [DEU, SWE, USA, BRA, NGA, JPN]', run: 'persona_country in [DEU, SWE, USA, BRA, NGA, JPN]' }, Nigeria: { reference: 'B_COUNTRY_ALPHA = NGA', run: 'persona_country = NGA' }, nobody: 'Q240 in 11..12' };
  config.bootstrap = 0;
  config.permutations = 0;
  const file = path.join(dir, 'representativeness.json');
  writeFileSync(file, JSON.stringify(config));
  const r = replens(['evaluate', '--config', file, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as EvaluationReport;
  const x = report.runs[0];
  const everyone = x.groups.find((g) => g.name === 'everyone')!;
  assert.equal(everyone.runRespondents, 1200);
  assert.equal(everyone.referenceRespondents, 4800);
  // Same rows, same closed forms as the whole run (1e-12: only summation order may differ).
  assert.ok(Math.abs(everyone.marginal.representativeness! - x.marginal.summary.representativeness.value!) < 1e-12);
  assert.ok(Math.abs(everyone.structure.pearson.pearson! - x.structure.individual.pearson.comparison.pearson!) < 1e-12);
  const ng = x.groups.find((g) => g.name === 'Nigeria')!;
  assert.equal(ng.runRespondents, 200);
  assert.equal(ng.referenceRespondents, 800);
  assert.ok(!x.groups.some((g) => g.name === 'nobody'));
  assert.ok(report.diagnostics.some((d) => d.code === 'group.empty' && d.message.includes('nobody')));
});

test('--out refuses to overwrite an input file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'replens-out-'));
  const runFile = path.join(dir, 'run.csv');
  writeFileSync(runFile, readFileSync(path.join(ROOT, 'demo/runs/persona.csv')));
  const before = readFileSync(runFile, 'utf8');
  const r = replens(['evaluate', '--reference', 'demo/reference.csv', '--run', runFile, '--out', runFile, '--format', 'json']);
  assert.equal(r.code, 2);
  assert.equal(readFileSync(runFile, 'utf8'), before);
  assert.ok(existsSync(runFile));
});

test('a memory limit the reference does not fit refuses it with a clear message, from the flag and from the config', () => {
  // The demo reference: 4,800 rows x 25 items + weight + group, well over 10 kB of columns.
  const flag = replens(['evaluate', '--config', 'demo/representativeness.json', '--bootstrap', '0', '--permutations', '0', '--max-memory', '0.01', '--quiet']);
  assert.equal(flag.code, 2, flag.stderr);
  assert.match(flag.stderr, /reference\.csv.*error: The file \(\d+ kB\) is too large to read with the memory available: .* more than the limit of 10 kB\..*--max-memory.*\[file\.too-large\]/);

  const dir = mkdtempSync(path.join(tmpdir(), 'replens-memory-'));
  const config = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'representativeness.json'), 'utf8'));
  const abs = (p: string) => path.join(ROOT, 'demo', p);
  const file = path.join(dir, 'representativeness.json');
  const write = (limit: unknown) =>
    writeFileSync(file, JSON.stringify({ ...config, maxMemoryMB: limit, reference: { ...config.reference, path: abs(config.reference.path), codebook: abs(config.reference.codebook) }, runs: config.runs.map((r: { path: string }) => ({ ...r, path: abs(r.path), producedBy: [] })), bootstrap: 0, permutations: 0 }));
  write(0.01);
  const fromConfig = replens(['evaluate', '--config', file, '--quiet']);
  assert.equal(fromConfig.code, 2);
  assert.match(fromConfig.stderr, /\[file\.too-large\]/);
  write(50);
  assert.equal(replens(['evaluate', '--config', file, '--quiet']).code, 0, 'a limit the files fit in changes nothing');
  write(-1);
  const bad = replens(['evaluate', '--config', file, '--quiet']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"maxMemoryMB" must be a positive number of megabytes/);
});

test('--polychoric-bootstrap sets the polychoric interval\'s replicates: the same point estimates, an interval from that many, none with 0', () => {
  const args = ['evaluate', '--config', 'demo/representativeness.json', '--association', 'pearson,polychoric', '--items', 'Q1,Q6,Q46,Q57,Q164,Q182', '--bootstrap', '12', '--permutations', '9', '--quiet'];
  const reports = ['5', '0'].map((k) => {
    const r = replens([...args, '--polychoric-bootstrap', k]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as EvaluationReport;
  });
  const [five, none] = reports;
  assert.equal(five.settings.polychoricBootstrap, 5);
  assert.equal(none.settings.polychoricBootstrap, 0);
  for (let i = 0; i < five.runs.length; i++) {
    const a = five.runs[i].structure.individual.polychoric.agreement;
    const b = none.runs[i].structure.individual.polychoric.agreement;
    assert.equal(a.sample, b.sample, 'the same point estimate');
    assert.equal(b.value, b.sample, 'without replicates, the headline is the sample');
    assert.equal(a.ci!.replicates, 5);
    assert.equal(b.ci, null, 'no interval with 0 replicates');
    // Pearson's interval is from all 12 either way.
    assert.equal(five.runs[i].structure.individual.pearson.agreement.ci!.replicates, 12);
    assert.deepEqual(five.runs[i].structure.individual.pearson.agreement, none.runs[i].structure.individual.pearson.agreement);
  }
  assert.ok(none.notes.some((n) => /no interval \(polychoricBootstrap 0\)/.test(n)));
  assert.ok(five.notes.some((n) => /uses 5 bootstrap replicates/.test(n)));
  const bad = replens([...args, '--polychoric-bootstrap=-1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--polychoric-bootstrap must be a whole number >= 0/);
});
