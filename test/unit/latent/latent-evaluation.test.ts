import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../../src/core/evaluate/evaluate';
import { parseConfig } from '../../../src/core/evaluate/config';
import { CULTURAL_MAP_INDICATORS, culturalMapColumns, indicatorValues } from '../../../src/core/read/presets/cultural-map-wvs7';
import { fitCulturalMap, placeOnMap } from '../../../src/core/stats/cultural-map';
import { Prng } from '../../../src/core/stats/prng';
import type { EvaluationReport } from '../../../src/core/report/model';
import { renderReport } from '../../../src/core/report/render';

// A small WVS-like data set: 5 countries, each with a secular (s) and self-expression (e) level
// that shifts the map's columns, survey weights, 8% missing codes; two other items (Q1, Q2).
const MAP_COLUMNS = ['Q8', 'Q14', 'Q15', 'Q17', 'Q45', 'Q46', 'Q57', 'Q154', 'Q155', 'Q164', 'Q182', 'Q184', 'Q209', 'Q254'];
const COUNTRIES: [string, number, number][] = [
  ['AAA', -1, -0.8],
  ['BBB', -0.3, 0.6],
  ['CCC', 0.4, -0.5],
  ['DDD', 1, 0.9],
  ['EEE', 0.1, 0.1],
];
type Row = Record<string, number | string>;

function generate(seed: number, perCountry: number, constantWeight: boolean): Row[] {
  const rng = new Prng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.nextFloat())) * Math.cos(2 * Math.PI * rng.nextFloat());
  const scale = (mean: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(mean + normal())));
  const bin = (p: number) => (rng.nextFloat() < p ? 1 : 2);
  const rows: Row[] = [];
  for (const [c, s, e] of COUNTRIES) {
    for (let i = 0; i < perCountry; i++) {
      const row: Row = {
        B_COUNTRY_ALPHA: c,
        W_WEIGHT: constantWeight ? 1 : 0.5 + rng.nextFloat(),
        Q1: scale(2.5 + s, 1, 4),
        Q2: scale(2.5 - e, 1, 4),
        Q8: bin(0.5 + 0.3 * s),
        Q14: bin(0.4 + 0.2 * s),
        Q15: bin(0.5 - 0.3 * s),
        Q17: bin(0.4 - 0.2 * s),
        Q45: scale(1.8 + 0.6 * s, 1, 3),
        Q46: scale(2 - 0.6 * e, 1, 4),
        Q57: bin(0.3 + 0.2 * e),
        Q154: 1 + rng.nextInt(4),
        Q155: scale(2.5 + e, 1, 4),
        Q164: scale(6 - 3 * s, 1, 10),
        Q182: scale(5 + 3 * e, 1, 10),
        Q184: scale(5 + 2.5 * s, 1, 10),
        Q209: scale(2 - 0.7 * e, 1, 3),
        Q254: scale(2 + 0.8 * s, 1, 4),
      };
      for (const col of MAP_COLUMNS) if (rng.nextFloat() < 0.08) row[col] = -1 - rng.nextInt(2);
      rows.push(row);
    }
  }
  return rows;
}

function writeCsv(path: string, rows: Row[], columns: string[]): void {
  writeFileSync(path, [columns.join(','), ...rows.map((r) => columns.map((c) => String(r[c])).join(','))].join('\n') + '\n');
}

const ALL_COLUMNS = ['B_COUNTRY_ALPHA', 'W_WEIGHT', 'Q1', 'Q2', ...MAP_COLUMNS];

/** The indicators written out by hand from the codebook (README "Latent structure"), null = missing. */
function handIndicators(r: Row): (number | null)[] {
  const q = (c: string) => r[c] as number;
  const ok = (c: string, lo: number, hi: number) => q(c) >= lo && q(c) <= hi;
  const m = (c: string) => (q(c) === 1 ? 1 : 0);
  const post = (c: string) => (q(c) === 2 || q(c) === 4 ? 1 : 0);
  return [
    ok('Q164', 1, 10) ? 11 - q('Q164') : null,
    ['Q8', 'Q14', 'Q15', 'Q17'].every((c) => ok(c, 1, 2)) ? m('Q8') + m('Q14') - m('Q15') - m('Q17') : null,
    ok('Q184', 1, 10) ? q('Q184') : null,
    ok('Q254', 1, 4) ? q('Q254') : null,
    ok('Q45', 1, 3) ? q('Q45') : null,
    ok('Q154', 1, 4) && ok('Q155', 1, 4) ? 1 + post('Q154') + post('Q155') : null,
    ok('Q46', 1, 4) ? 5 - q('Q46') : null,
    ok('Q182', 1, 10) ? q('Q182') : null,
    ok('Q209', 1, 3) ? (q('Q209') === 1 ? 1 : 0) : null,
    ok('Q57', 1, 2) ? (q('Q57') === 1 ? 1 : 0) : null,
  ];
}

function handMeans(rows: Row[], weighted: boolean): number[][] {
  return COUNTRIES.map(([c]) => {
    const members = rows.filter((r) => r.B_COUNTRY_ALPHA === c);
    return Array.from({ length: 10 }, (_, j) => {
      let sw = 0;
      let swx = 0;
      for (const r of members) {
        const v = handIndicators(r)[j];
        if (v === null) continue;
        const w = weighted ? (r.W_WEIGHT as number) : 1;
        sw += w;
        swx += w * v;
      }
      return swx / sw;
    });
  });
}

async function run(files: { reference: Row[]; referenceColumns?: string[]; runs: { name: string; rows: Row[]; columns?: string[] }[] }, extra: Record<string, unknown> = {}): Promise<EvaluationReport> {
  const dir = mkdtempSync(join(tmpdir(), 'replens-latent-'));
  writeCsv(join(dir, 'reference.csv'), files.reference, files.referenceColumns ?? ALL_COLUMNS);
  for (const r of files.runs) writeCsv(join(dir, `${r.name}.csv`), r.rows, r.columns ?? ALL_COLUMNS.filter((c) => c !== 'W_WEIGHT'));
  const text = JSON.stringify({
    reference: { path: 'reference.csv', preset: 'wvs7' },
    runs: files.runs.map((r) => ({ name: r.name, path: `${r.name}.csv` })),
    groupBy: 'B_COUNTRY_ALPHA',
    association: ['pearson'],
    bootstrap: 20,
    permutations: 0,
    seed: 4,
    ...extra,
  });
  const { config, diagnostics } = parseConfig(text, join(dir, 'representativeness.json'));
  assert.deepEqual(diagnostics, []);
  return evaluate(config!);
}

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('indicator recodes on hand-made rows (WVS7 codes, missing and invalid codes)', () => {
  const indicators = culturalMapColumns('wvs7');
  assert.deepEqual(indicators.map((i) => i.definition.id), CULTURAL_MAP_INDICATORS.map((d) => d.id));
  // Row 0: traditional answers; row 1: secular / self-expressive; row 2: missing and invalid codes.
  const rows: Record<string, string[]> = {
    Q164: ['10', '1', '-1'],
    Q8: ['2', '1', '1'],
    Q14: ['2', '1', '1'],
    Q15: ['1', '2', '3'],
    Q17: ['1', '2', '2'],
    Q184: ['1', '10', '11'],
    Q254: ['1', '4', ''],
    Q45: ['1', '3', '-2'],
    Q154: ['1', '2', '2'],
    Q155: ['3', '4', '5'],
    Q46: ['4', '1', 'NA'],
    Q182: ['1', '10', '0'],
    Q209: ['3', '1', '2'],
    Q57: ['2', '1', '1.0'],
  };
  const values = indicators.map((ind) => Array.from(indicatorValues(ind, (c) => rows[c], 3)));
  const expected: Record<string, [number, number, number]> = {
    god: [1, 10, NaN],
    autonomy: [-2, 2, NaN],
    abortion: [1, 10, NaN],
    pride: [1, 4, NaN],
    authority: [1, 3, NaN],
    postmaterialism: [1, 3, NaN],
    happiness: [1, 4, NaN],
    homosexuality: [1, 10, NaN],
    petition: [0, 1, 0],
    trust: [0, 1, 1],
  };
  indicators.forEach((ind, j) => assert.deepEqual(values[j], expected[ind.definition.id], ind.definition.id));
  // Mixed choices: one post-materialist, one materialist = 2.
  const pm = indicators.find((i) => i.definition.id === 'postmaterialism')!;
  assert.deepEqual(Array.from(indicatorValues(pm, (c) => ({ Q154: ['4', '3'], Q155: ['1', '2'] })[c], 2)), [2, 2]);
});

test('cultural map of the pipeline: positions equal fitCulturalMap on hand-computed weighted group means', async () => {
  const reference = generate(11, 160, false);
  const model = generate(12, 80, true);
  const report = await run({ reference, runs: [{ name: 'model', rows: model }] }, { permutations: 99 });
  const map = report.runs[0].latent!.culturalMap!;
  assert.ok(map, report.runs[0].latent!.culturalMapUnavailable);
  assert.equal(map.indicators.length, 10);
  assert.deepEqual(map.missingIndicators, []);
  const humanMeans = handMeans(reference, true);
  const solution = fitCulturalMap(humanMeans, { dimension1: [0, 1, 2, 3, 4], dimension2: [5, 6, 7, 8, 9] });
  assert.deepEqual(map.referenceGroups.map((g) => g.group), COUNTRIES.map((c) => c[0]));
  map.referenceGroups.forEach((g, i) => g.position.forEach((v, a) => close(v, solution.scores[i][a])));
  const modelPositions = placeOnMap(solution, handMeans(model, false));
  map.points.forEach((p, i) => {
    p.referenceMeans.forEach((v, j) => close(v!, humanMeans[i][j]));
    p.run!.forEach((v, a) => close(v, modelPositions[i]![a]));
    close(p.distance!, Math.hypot(modelPositions[i]![0] - solution.scores[i][0], modelPositions[i]![1] - solution.scores[i][1]));
  });
  // The construction puts secular countries right and self-expressive ones up.
  const pos = Object.fromEntries(map.referenceGroups.map((g) => [g.group, g.position]));
  assert.ok(pos.DDD[0] > pos.AAA[0] && pos.DDD[1] > pos.AAA[1]);
  // Intervals, floor and ceiling are defined and ordered.
  const md = map.agreement.meanDistance;
  assert.ok(md.ci && md.ci.low! <= md.ci.high!);
  assert.ok(map.floor.meanDistance! > 0 && map.floor.procrustesCorrelation === null);
  assert.ok(map.ceiling.meanDistance! > 0 && map.ceiling.meanDistance! < map.floor.meanDistance!);
  assert.ok(map.ceiling.procrustesCorrelation! > 0.9);
  // The shape's floor: vegan::protest's null over the run's own positions (procrustesNull, tested
  // against vegan with the same permutations in cultural-map.test.ts), p as vegan writes it.
  const nul = map.agreement.procrustesNull!;
  assert.equal(nul.permutations, report.settings.permutations);
  assert.ok(nul.low! <= nul.mean! && nul.mean! <= nul.high! && nul.high! <= 1);
  assert.ok(nul.p! >= 1 / (nul.permutations + 1) && nul.p! <= 1);
  assert.deepEqual(map.agreement.procrustesVerdict.floor, { baseline: 'group-permutation-null', value: nul.mean });
  assert.deepEqual(map.agreement.procrustesVerdict.ceiling, { baseline: 'human-split-half', value: map.ceiling.procrustesCorrelation });
  assert.deepEqual(map.agreement.meanDistance.verdict!.floor, { baseline: 'independent-marginals', value: map.floor.meanDistance });
  // Q154 / Q155 are not items of the wvs7 preset, but the map read them.
  assert.ok(!report.reference.items.includes('Q154'));
  assert.ok(JSON.stringify(report).indexOf('NaN') < 0);
});

test('a run identical to the reference: distance 0, Procrustes correlation 1, factor congruence 1', async () => {
  const reference = generate(21, 120, true);
  const report = await run({ reference, runs: [{ name: 'same', rows: reference }] });
  const latent = report.runs[0].latent!;
  const map = latent.culturalMap!;
  for (const p of map.points) assert.equal(p.distance, 0);
  assert.equal(map.agreement.meanDistance.value, 0);
  close(map.agreement.procrustes!.correlation, 1, 1e-12);
  const f = latent.factors!;
  assert.ok(f, latent.factorsUnavailable);
  assert.ok(f.factors >= 1);
  close(f.congruence.overall!, 1, 1e-9);
  for (const phi of f.congruence.perFactor) close(phi!, 1, 1e-9);
  for (const m of f.movers) close(m.distance, 0, 1e-7);
  assert.equal(f.items.length, 2 + 12);
});

test('a missing indicator is a located diagnostic and the map uses the others; too few gives a reason', async () => {
  const reference = generate(31, 100, false);
  const model = generate(32, 50, true);
  const without = ALL_COLUMNS.filter((c) => c !== 'Q184');
  const report = await run({ reference, referenceColumns: without, runs: [{ name: 'model', rows: model }] });
  const d = report.diagnostics.filter((x) => x.code === 'map.indicator-missing');
  assert.equal(d.length, 1);
  assert.match(d[0].message, /abortion.*Q184/);
  assert.ok(d[0].file!.endsWith('reference.csv') && d[0].line === 1 && d[0].column === 1);
  const map = report.runs[0].latent!.culturalMap!;
  assert.equal(map.indicators.length, 9);
  assert.deepEqual(map.missingIndicators.map((m) => m.id), ['abortion']);
  assert.ok(report.notes.some((n) => /uses 9 of 10 indicators/.test(n)));

  // Run without Q164, Q45, Q254 as well: one traditional/secular indicator (autonomy) is left.
  const fewer = ALL_COLUMNS.filter((c) => !['W_WEIGHT', 'Q164', 'Q45', 'Q254'].includes(c));
  const report2 = await run({ reference, referenceColumns: without, runs: [{ name: 'model', rows: model, columns: fewer }] });
  const latent = report2.runs[0].latent!;
  assert.equal(latent.culturalMap, null);
  assert.match(latent.culturalMapUnavailable!, /at least 2 indicators per dimension; present: 1/);
  const runDiag = report2.diagnostics.filter((x) => x.code === 'map.indicator-missing' && x.file?.endsWith('model.csv'));
  assert.equal(runDiag.length, 3);
});

test('a run without the group column is one point against the pooled human point; config names other columns', async () => {
  const reference = generate(41, 100, false);
  const model = generate(42, 50, true);
  const renamed = reference.map((r) => ({ ...r, F063: r.Q164 }));
  const report = await run(
    { reference: renamed, referenceColumns: [...ALL_COLUMNS.filter((c) => c !== 'Q164'), 'F063'], runs: [{ name: 'pooled', rows: model.map((r) => ({ ...r, F063: r.Q164 })), columns: [...ALL_COLUMNS.filter((c) => !['W_WEIGHT', 'B_COUNTRY_ALPHA', 'Q164'].includes(c)), 'F063'] }] },
    { culturalMap: { items: { god: 'F063', trust: null } } },
  );
  const map = report.runs[0].latent!.culturalMap!;
  assert.ok(map, report.runs[0].latent!.culturalMapUnavailable);
  assert.equal(map.pooled, true);
  assert.equal(map.points.length, 1);
  assert.deepEqual(map.indicators.map((i) => i.id), ['god', 'autonomy', 'abortion', 'pride', 'authority', 'postmaterialism', 'happiness', 'homosexuality', 'petition']);
  assert.deepEqual(map.indicators[0].columns, { column: 'F063' });
  assert.equal(map.floor.meanDistance, 0);
  assert.ok(map.points[0].distance! >= 0);
});

test('config: culturalMap and factors are parsed; bad entries are located', () => {
  const good = parseConfig(JSON.stringify({ reference: 'r.csv', runs: ['a.csv'], factors: 3, culturalMap: { items: { autonomy: { independence: 'A029', determination: 'A039', religiousFaith: 'A040', obedience: 'A042' }, happiness: null } } }), '/tmp/c.json');
  assert.deepEqual(good.diagnostics, []);
  assert.equal(good.config!.factors, 3);
  assert.deepEqual(good.config!.culturalMap!.items.autonomy, { independence: 'A029', determination: 'A039', religiousFaith: 'A040', obedience: 'A042' });
  assert.equal(good.config!.culturalMap!.items.happiness, null);
  const text = '{\n  "reference": "r.csv",\n  "runs": ["a.csv"],\n  "culturalMap": { "items": { "godd": "F063", "postmaterialism": { "first": "E003" } } }\n}';
  const bad = parseConfig(text, '/tmp/c.json');
  const codes = bad.diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
  assert.deepEqual(codes, ['config.unknown-key@4:31', 'config.value@4:66']);
  assert.equal(bad.config, null);
});

test('CLI summary, Markdown and HTML show the latent structure (map distance, Procrustes, congruence)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'replens-latent-cli-'));
  writeCsv(join(dir, 'reference.csv'), generate(51, 80, false), ALL_COLUMNS);
  const model = generate(52, 40, true);
  writeCsv(join(dir, 'model.csv'), model, ALL_COLUMNS.filter((c) => c !== 'W_WEIGHT'));
  writeFileSync(join(dir, 'representativeness.json'), JSON.stringify({ reference: { path: 'reference.csv', preset: 'wvs7' }, runs: ['model.csv'], groupBy: 'B_COUNTRY_ALPHA', association: ['pearson'], bootstrap: 10, permutations: 99 }));
  const root = path.resolve(__dirname, '../../../..');
  const r = spawnSync(process.execPath, [path.join(root, 'out/cli.js'), 'evaluate', '--config', join(dir, 'representativeness.json'), '--format', 'json', '--out', join(dir, 'report.json'), '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [head, row, ...rest] = r.stdout.split('\n');
  assert.match(head, /map distance\s+map Procrustes r\s+factor congruence/);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as EvaluationReport;
  const map = report.runs[0].latent!.culturalMap!;
  assert.ok(row.includes(map.agreement.meanDistance.value!.toFixed(3)) && row.includes(map.agreement.procrustes!.correlation.toFixed(3)));
  assert.ok(rest.some((l) => l.startsWith('(independent-marginals)') && l.includes(map.floor.meanDistance!.toFixed(3))));
  // The map's verdicts in words under the table, the shape's floor with it.
  const nul = map.agreement.procrustesNull!;
  assert.equal(nul.permutations, 99);
  assert.ok(rest.some((l) => l.includes(`map distance ${map.agreement.meanDistance.verdict!.text}`)), rest.join('\n'));
  assert.ok(rest.some((l) => l.includes(`map shape ${map.agreement.procrustesVerdict.text} (floor: groups permuted, mean ${nul.mean!.toFixed(3)}; p `)), rest.join('\n'));
  const md = renderReport(report, 'md');
  assert.match(md, /### Latent structure/);
  assert.ok(md.includes(`| floor: independent marginals (distance); groups permuted (Procrustes) | ${map.floor.meanDistance!.toFixed(3)} | ${nul.mean!.toFixed(3)}; percentiles ${nul.low!.toFixed(3)} to ${nul.high!.toFixed(3)}; p `));
  assert.ok(md.includes(`| verdict | ${map.agreement.meanDistance.verdict!.text} | ${map.agreement.procrustesVerdict.text} | | |`));
  assert.match(md, /Tucker congruence overall/);
  const html = renderReport(report, 'html');
  assert.match(html, /<section id="latent-structure"/);
  assert.match(html, /<td>AAA<\/td><td>\(/);
  // Without JavaScript the static tables show; with it, the panel's renderer draws the view instead.
  assert.match(html, /<noscript><section id="latent-structure"/);
  // CSV: the latent numbers one a row, in the report's columns (`measure` names the number).
  const csv = renderReport(report, 'csv').trimEnd().split('\n').map((l) => l.split(','));
  const cols = csv[0];
  const col = (name: string) => cols.indexOf(name);
  const find = (kind: string, measure: string, item = '') => csv.find((c) => c[col('kind')] === kind && c[col('measure')] === measure && c[col('item')] === item);
  const meanDistance = find('map', 'meanDistance')!;
  assert.equal(Number(meanDistance[col('value')]), map.agreement.meanDistance.value);
  assert.equal(Number(meanDistance[col('percentileLow')]), map.agreement.meanDistance.ci!.low);
  assert.equal(Number(meanDistance[col('floor')]), map.floor.meanDistance);
  assert.equal(meanDistance[col('ciLow')], '', 'no basic interval for the map');
  assert.equal(meanDistance[col('verdict')], map.agreement.meanDistance.verdict!.code);
  const procrustes = find('map', 'procrustesCorrelation')!;
  assert.equal(Number(procrustes[col('value')]), map.agreement.procrustes!.correlation);
  assert.equal(Number(procrustes[col('floor')]), nul.mean, 'the shape\'s floor: the permutation null\'s mean');
  assert.equal(Number(procrustes[col('ceiling')]), map.ceiling.procrustesCorrelation);
  assert.equal(procrustes[col('verdict')], map.agreement.procrustesVerdict.code);
  const nullRow = find('map', 'procrustesNull')!;
  assert.deepEqual([nullRow[col('value')], nullRow[col('percentileLow')], nullRow[col('percentileHigh')], nullRow[col('n')], nullRow[col('p')]].map(Number), [nul.mean, nul.low, nul.high, 99, nul.p]);
  assert.equal(Number(find('map', 'ceilingMeanDistance')![col('percentileHigh')]), map.ceiling.meanDistanceHigh);
  const p0 = map.points[0];
  assert.equal(Number(find('map-point', 'axis2', p0.group)![col('model')]), p0.run![1]);
  assert.equal(Number(find('map-point', 'distance', p0.group)![col('value')]), p0.distance);
  assert.equal(csv.filter((c) => c[col('kind')] === 'map-human-group').length, 2 * map.referenceGroups.length);
  const f = report.runs[0].latent!.factors!;
  assert.equal(Number(find('factor-congruence', 'overall')![col('value')]), f.congruence.overall);
  assert.equal(Number(find('factor-loading', 'F1', f.items[0])![col('reference')]), f.reference.loadings[0][0]);
  assert.equal(csv.filter((c) => c[col('kind')] === 'factor-loading').length, f.items.length * (f.factors + 1));
  assert.ok(csv.every((c) => c.length === cols.length), 'every row has every column');
});

test('demo: the persona run spreads the countries far beyond the humans, the fine-tuned run pulls them towards the centre, the base run puts every country in one place', async () => {
  const root = path.resolve(__dirname, '../../../..');
  const file = path.join(root, 'demo/representativeness.json');
  const { config } = parseConfig(readFileSync(file, 'utf8'), file);
  const report = await evaluate({ ...config!, bootstrap: 0, permutations: 0 });
  const map = Object.fromEntries(report.runs.map((r) => [r.name, r.latent!.culturalMap!]));
  // No permutations, no floor for the shape: said, no verdict.
  assert.equal(map.persona.agreement.procrustesNull, null);
  assert.equal(map.persona.agreement.procrustesVerdict.code, 'undefined');
  assert.equal(map.persona.agreement.procrustesVerdict.text, 'no floor to compare with ("permutations": 0)');
  const spread = (ps: ([number, number] | null)[]) => Math.sqrt(ps.reduce((s, p) => s + p![0] ** 2 + p![1] ** 2, 0) / ps.length);
  const human = spread(map.persona.points.map((p) => p.reference));
  assert.equal(map.persona.indicators.length, 5);
  assert.ok(spread(map.persona.points.map((p) => p.run)) > 2 * human);
  const base = map.base.points.map((p) => p.run!);
  const centre = [0, 1].map((a) => base.reduce((s, p) => s + p[a], 0) / base.length);
  // Root mean square distance of the base run's countries from their own centre: a cluster.
  assert.ok(spread(base.map((p) => [p[0] - centre[0], p[1] - centre[1]])) < 0.5 * human);
  // Fine-tuned: each country halfway to the pooled answers, so the configuration keeps its shape
  // (Procrustes, which rescales, well above the base run's) at about half the size.
  const finetuned = spread(map.finetuned.points.map((p) => p.run));
  assert.ok(finetuned < 0.85 * human && finetuned > 0.3 * human, `fine-tuned spread ${finetuned} vs human ${human}`);
  assert.ok(map.finetuned.agreement.meanDistance.value! < map.persona.agreement.meanDistance.value!);
  assert.ok(map.base.agreement.procrustes!.correlation < map.finetuned.agreement.procrustes!.correlation);
});
