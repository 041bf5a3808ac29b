// "Never flatter a run", the numbers a reader takes away: answers without a valid code count
// against the run and say so (issue item 1), every estimate sits inside the interval it is shown
// with (item 6), and every score carries its verdict, its floor and ceiling labelled at their ticks
// (item 7). Each scenario opens a workspace of its own. Screenshots: test-results/verdicts-*.png.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame } from 'playwright-core';
import type { EvaluationReport, RunReport } from '../../src/core/report/model';
import type { Scenario, ScenarioContext } from './harness';
import { clickTab, cliReport, fmt, until } from './scenarios';
import { evaluateFromExplorer, fixture, makeWorkspace, newReport, openWorkspace, panelFrame, wvsReference } from './scenarios-trust';
import { chooseInPanel, expandFolder } from './workbench';
import { mulberry32 } from '../random';

/**
 * Runs drawn from the human reference itself (200 respondents resampled), written three ways: as
 * codes (clean), with Q1-Q3 written as their answer labels ("Agree") while the workspace has no
 * codebook to read them, and with 35% of all answers a refusal.
 */
function runsFromReference(ctx: ScenarioContext): Record<string, string> {
  const codebook = JSON.parse(fixture(ctx, 'codebook.json')) as { items: { id: string; labels?: Record<string, string> }[] };
  const labels = new Map(codebook.items.map((it) => [it.id, it.labels ?? {}]));
  const [head, ...rows] = fixture(ctx, 'reference.csv').trimEnd().split(/\r?\n/).map((l) => l.split(','));
  const first = head.indexOf('Q1');
  const items = head.slice(first);
  const write = (seed: number, cell: (item: string, code: string, u: number) => string) => {
    const u = mulberry32(seed);
    const out = [['persona_id', ...items].join(',')];
    for (let k = 0; k < 200; k++) {
      const r = rows[Math.floor(u() * rows.length)];
      out.push([`p${k}`, ...items.map((it, j) => cell(it, r[first + j], u()))].join(','));
    }
    return out.join('\n') + '\n';
  };
  return {
    'runs/clean.csv': write(7, (_, code) => code),
    'runs/labels.csv': write(7, (item, code) => (['Q1', 'Q2', 'Q3'].includes(item) ? (labels.get(item)?.[code] ?? code) : code)),
    'runs/refusals.csv': write(7, (_, code, u) => (u < 0.35 ? '"As an AI, I cannot answer that"' : code)),
  };
}

/** The bundled demo, in a folder of its own. */
function demoWorkspace(ctx: ScenarioContext, name: string): string {
  const files: Record<string, string> = {};
  const demo = path.join(ctx.repoRoot, 'demo');
  for (const rel of ['reference.csv', 'codebook.json', 'representativeness.json', 'runs/finetuned.csv', 'runs/persona.csv', 'runs/base.csv', 'prompts/finetuned.txt', 'prompts/persona.txt', 'prompts/base.txt']) {
    files[rel] = fs.readFileSync(path.join(demo, rel), 'utf8');
  }
  return makeWorkspace(ctx, name, files);
}

/** "0.920 [0.913, 0.928]" as the panel writes a headline. */
function withCi(v: { value: number | null; ci: { low: number | null; high: number | null } | null }): string {
  return `${fmt(v.value)}${v.ci ? ` [${fmt(v.ci.low)}, ${fmt(v.ci.high)}]` : ''}`;
}

interface ShownScore {
  key: string;
  value: string;
  verdict: string | null;
  verdictText: string;
  usable: string;
}

async function shownScores(frame: Frame, run: string): Promise<ShownScore[]> {
  return frame.locator(`.card[data-run="${run}"] .score`).evaluateAll((els) =>
    els.map((e) => ({
      key: (e as HTMLElement).dataset.key ?? '',
      value: (e.querySelector('.score-value')?.textContent ?? '').trim(),
      verdict: e.querySelector('.verdict')?.getAttribute('data-verdict') ?? null,
      verdictText: (e.querySelector('.verdict')?.textContent ?? '').trim(),
      usable: (e.querySelector('.usable')?.textContent ?? '').trim(),
    })),
  );
}

/**
 * Every "x [low, high]" the panel's document shows (cards, tables of every tab), as numbers. The
 * paper's numbers are written "sample x · replicates' percentiles a to b", never in this form.
 */
async function estimatesWithIntervals(frame: Frame): Promise<{ text: string; value: number; low: number; high: number }[]> {
  const text = await frame.locator('main#app').evaluate((e) => (e as HTMLElement).textContent ?? '');
  const out: { text: string; value: number; low: number; high: number }[] = [];
  // Three decimals, as the panel writes them: adjacent elements' texts run together in textContent.
  for (const m of text.matchAll(/(-?\d\.\d{3}) \[(-?\d\.\d{3}), (-?\d\.\d{3})\]/g)) out.push({ text: m[0], value: Number(m[1]), low: Number(m[2]), high: Number(m[3]) });
  return out;
}

/** The verdict's words for each headline of a run, from the CLI's report. */
function headlines(run: RunReport): { key: string; value: string; verdict: string | null; verdictText: string }[] {
  const out = [{ key: 'marginal', v: run.marginal.summary.representativeness }];
  const [method, s] = Object.entries(run.structure.individual)[0] ?? [];
  if (method && s) out.push({ key: `structure:${method}`, v: s.agreement });
  if (run.structure.group) out.push({ key: 'group', v: run.structure.group.agreement });
  return out.map(({ key, v }) => ({ key, value: withCi(v), verdict: v.verdict?.code ?? null, verdictText: v.verdict?.text ?? '' }));
}

export const verdictScenarios: Scenario[] = [
  {
    title: 'Verdicts: answers without a valid code count against the run, and the panel says so',
    async run(step, page, ctx) {
      // No codebook: the labels run's "Agree" cannot be read as a code.
      const dir = makeWorkspace(ctx, 'verdicts-invalid', {
        'reference.csv': wvsReference(ctx),
        ...runsFromReference(ctx),
        'representativeness.json':
          JSON.stringify(
            {
              reference: { path: 'reference.csv', weight: 'W_WEIGHT' },
              runs: [
                { name: 'clean', path: 'runs/clean.csv' },
                { name: 'labels', path: 'runs/labels.csv' },
                { name: 'refusals', path: 'runs/refusals.csv' },
              ],
              association: ['pearson'],
              bootstrap: 100,
              permutations: 99,
            },
            null,
            2,
          ) + '\n',
      });
      const cli: EvaluationReport = cliReport(ctx.repoRoot, path.join(dir, 'representativeness.json'));
      const run = (name: string) => cli.runs.find((r) => r.name === name)!;
      let frame!: Frame;

      await step('verdicts-01-labels-run-scores-below-clean', async () => {
        await openWorkspace(page, ctx, dir, 'reference.csv');
        await expandFolder(page, 'runs', 'labels.csv');
        await evaluateFromExplorer(page, 'labels.csv');
        frame = await newReport(page, null, 'labels');
        for (const name of ['clean', 'labels', 'refusals']) await frame.locator(`.card[data-run="${name}"]`).waitFor();
        const score = async (name: string) => (await shownScores(frame, name)).find((s) => s.key === 'marginal')!;
        const clean = await score('clean');
        const labels = await score('labels');
        const refusals = await score('refusals');
        // The headline counts the missing answers: the runs that did not answer score far below the
        // clean one (before, 0.957 and 0.949 against 0.955), and below random answering.
        assert.ok(Number(labels.value.split(' ')[0]) < Number(clean.value.split(' ')[0]) - 0.2, `labels ${labels.value} vs clean ${clean.value}`);
        assert.ok(Number(refusals.value.split(' ')[0]) < Number(clean.value.split(' ')[0]) - 0.15, `refusals ${refusals.value} vs clean ${clean.value}`);
        for (const [name, shown] of [['labels', labels], ['refusals', refusals]] as const) {
          assert.equal(shown.verdict, 'below-floor', `${name}: ${shown.verdictText}`);
          assert.equal(shown.verdictText, 'below random answering');
          const m = run(name).marginal.summary;
          assert.equal(shown.value, withCi(m.representativeness), `${name}: the panel shows the CLI's headline`);
          // The share without a valid answer beside the headline, with the humans' own.
          assert.ok(shown.usable.includes(`Answers without a valid code: ${(m.invalidShare! * 100).toFixed(1)}% (humans ${(m.referenceInvalidShare! * 100).toFixed(1)}%)`), shown.usable);
        }
        assert.notEqual(clean.verdict, 'below-floor', clean.verdictText);
      });

      await step('verdicts-02-hint-names-the-fix', async () => {
        const hints = await frame.locator('.card[data-run="labels"] .hints li').allInnerTexts();
        assert.deepEqual(hints, run('labels').hints);
        assert.ok(hints.some((t) => /look like labels/.test(t) && /codebook/.test(t)), hints.join(' | '));
        const refusalHints = await frame.locator('.card[data-run="refusals"] .hints li').allInnerTexts();
        assert.ok(refusalHints.some((t) => /Refusals/.test(t)), refusalHints.join(' | '));
        assert.equal(await frame.locator('.card[data-run="clean"] .hints').count(), 0, 'nothing to fix in the clean run');
      });

      await step('verdicts-03-worst-first-unusable-first', async () => {
        await frame.locator('.card[data-run="labels"]').click();
        await until('the labels run is shown', async () => ((await frame.locator('.card.active').getAttribute('data-run')) === 'labels') || 'not yet');
        frame = await panelFrame(page);
        await clickTab(frame, 'Marginals');
        await frame.locator('article.item').first().waitFor();
        const order = await frame.locator('article.item').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.item));
        const unusable = run('labels').marginal.items.filter((it) => it.n === 0).map((it) => it.item).sort();
        assert.deepEqual(unusable, ['Q1', 'Q2', 'Q3']);
        assert.deepEqual(order.slice(0, 3).sort(), unusable, `worst first: ${order.join(', ')}`);
        const first = frame.locator(`article.item[data-item="${order[0]}"]`);
        assert.equal(await first.locator('.badge.unusable').innerText(), 'unusable');
        assert.match(await first.locator('.validity').innerText(), /No valid answer: the item counts at the maximal distance \(1\)/);
        await first.scrollIntoViewIfNeeded();
      });
    },
  },

  {
    title: 'Verdicts: every estimate inside the interval it is shown with',
    async run(step, page, ctx) {
      const dir = demoWorkspace(ctx, 'verdicts-intervals');
      const cli: EvaluationReport = cliReport(ctx.repoRoot, path.join(dir, 'representativeness.json'));
      let frame!: Frame;
      const seen: string[] = [];
      const check = async (where: string) => {
        const found = await estimatesWithIntervals(frame);
        for (const e of found) assert.ok(e.low <= e.value && e.value <= e.high, `${where}: ${e.text} lies outside its own interval`);
        seen.push(`${where}: ${found.length}`);
        return found.length;
      };

      await step('verdicts-04-cards-match-the-headlines', async () => {
        await openWorkspace(page, ctx, dir, 'reference.csv');
        await expandFolder(page, 'runs', 'finetuned.csv');
        await evaluateFromExplorer(page, 'finetuned.csv');
        frame = await newReport(page, null, 'finetuned');
        for (const run of cli.runs) {
          const shown = await shownScores(frame, run.name);
          const want = headlines(run);
          // The cultural map's agreement comes last: its sample Procrustes r, no interval of its own.
          const map = shown.find((x) => x.key === 'map');
          assert.equal(map?.value, `${fmt(run.latent?.culturalMap?.agreement.procrustes?.correlation)} (no interval)`, `${run.name}: map agreement`);
          // ...read against its permutation null and split-half ceiling: the report's verdict.
          const shape = run.latent!.culturalMap!.agreement.procrustesVerdict;
          assert.deepEqual({ verdict: map?.verdict, verdictText: map?.verdictText }, { verdict: shape.code, verdictText: shape.text }, `${run.name}: map verdict`);
          assert.deepEqual(
            shown.filter((x) => x.key !== 'map').map((s) => ({ key: s.key, value: s.value, verdict: s.verdict, verdictText: s.verdictText })),
            want,
            `${run.name}: the cards show the report's headlines with their own intervals and verdicts`,
          );
        }
        // The demo's finetuned structure: 0.624 [0.426, 0.564] before (the paper's sample estimate
        // beside an interval about the resampled value).
        assert.ok((await check('cards')) >= 9);
        const paper = await frame.locator('.card[data-run="finetuned"] .paper').allInnerTexts();
        assert.ok(paper.every((t) => /^Paper's numbers \(valid answers only\): sample -?\d\.\d{3}( · replicates' 2\.5-97\.5th percentiles -?\d\.\d{3} to -?\d\.\d{3})?$/.test(t)), paper.join(' | '));
      });

      await step('verdicts-05-every-tab-and-subgroup', async () => {
        // Every tab's text is in the document; each is opened to be seen in the screenshots.
        for (const tab of ['Structure', 'Runs side by side']) {
          await clickTab(frame, tab);
          await sleepFrame(frame);
          await check(tab);
        }
        // A subgroup: its headlines (bias-corrected, basic intervals) with no verdict.
        await chooseInPanel(frame, 'group-select', 'Germany');
        await until('the Germany subgroup is shown', async () => (await frame.locator('.card .meta').first().innerText()).startsWith('Subgroup Germany') || 'not yet');
        const g = cli.runs[0].groups.find((x) => x.name === 'Germany')!;
        const shown = await shownScores(frame, cli.runs[0].name);
        assert.equal(shown[0].value, withCi(g.headline.representativeness));
        assert.match(shown[0].verdictText, /No verdict: floors and ceilings are measured for the whole run only/);
        await check('subgroup Germany');
        await chooseInPanel(frame, 'group-select', 'All respondents');
        assert.ok(seen.length >= 3, seen.join('; '));
      });
    },
  },

  {
    title: 'Verdicts: below the floor reads as below the floor, floor and ceiling at their ticks',
    async run(step, page, ctx) {
      const dir = demoWorkspace(ctx, 'verdicts-floor');
      const cli: EvaluationReport = cliReport(ctx.repoRoot, path.join(dir, 'representativeness.json'));
      const persona = cli.runs.find((r) => r.name === 'persona')!;
      let frame!: Frame;

      await step('verdicts-06-persona-below-random-answering', async () => {
        await openWorkspace(page, ctx, dir, 'reference.csv');
        await expandFolder(page, 'runs', 'persona.csv');
        await evaluateFromExplorer(page, 'persona.csv');
        frame = await newReport(page, null, 'persona');
        const m = persona.marginal.summary.representativeness;
        assert.equal(m.verdict?.code, 'below-floor', 'the demo persona run is under the random-answering floor');
        const marginal = frame.locator('.card[data-run="persona"] .score[data-key="marginal"]');
        const chip = marginal.locator('.verdict');
        assert.equal(await chip.innerText(), 'below random answering');
        assert.equal(await chip.getAttribute('data-verdict'), 'below-floor');
        // It reads as a warning, not as a neutral remark.
        const colours = await chip.evaluate((e) => {
          const s = getComputedStyle(e);
          return { colour: s.color, weight: s.fontWeight };
        });
        assert.ok(Number(colours.weight) >= 600, `bold: ${JSON.stringify(colours)}`);
        await marginal.scrollIntoViewIfNeeded();
      });

      await step('verdicts-07-floor-and-ceiling-at-their-ticks', async () => {
        for (const run of cli.runs) {
          for (const key of headlines(run).map((x) => x.key)) {
            const score = frame.locator(`.card[data-run="${run.name}"] .score[data-key="${key}"]`);
            const geometry = await score.evaluate((e) => {
              const box = (sel: string) => {
                const el = e.querySelector(sel);
                if (!el) return null;
                const r = el.getBoundingClientRect();
                return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, mid: (r.left + r.right) / 2 };
              };
              const ends = Array.from(e.querySelectorAll('.track-end'), (x) => Number(x.textContent));
              return { track: box('.track'), floor: box('.mark.floor'), ceiling: box('.mark.ceiling'), floorLabel: box('.mark-label.floor'), ceilingLabel: box('.mark-label.ceiling'), floorText: e.querySelector('.mark-label.floor')?.textContent ?? '', ceilingText: e.querySelector('.mark-label.ceiling')?.textContent ?? '', ends };
            });
            const v = key === 'marginal' ? run.marginal.summary.representativeness : key === 'group' ? run.structure.group!.agreement : run.structure.individual[key.split(':')[1]].agreement;
            const { track, floor, ceiling, floorLabel, ceilingLabel } = geometry;
            assert.ok(track && floor && ceiling && floorLabel && ceilingLabel, `${run.name} ${key}: track, ticks and labels`);
            assert.equal(geometry.floorText, `floor ${fmt(v.verdict!.floor!.value)}`);
            assert.equal(geometry.ceilingText, `ceiling ${fmt(v.verdict!.ceiling!.value)}`);
            // Each label spans its tick (not the end of the track), the floor's below the track, the ceiling's above.
            assert.ok(floorLabel.left - 1 <= floor.mid && floor.mid <= floorLabel.right + 1, `${run.name} ${key}: floor label at its tick`);
            assert.ok(ceilingLabel.left - 1 <= ceiling.mid && ceiling.mid <= ceilingLabel.right + 1, `${run.name} ${key}: ceiling label at its tick`);
            assert.ok(floorLabel.top >= track.bottom - 1 && ceilingLabel.bottom <= track.top + 1, `${run.name} ${key}: labels below and above the track`);
            // And the tick is where the value is, on the track's written stretch.
            const [low, high] = geometry.ends;
            const at = (x: number) => track.left + ((x - low) / (high - low)) * (track.right - track.left);
            assert.ok(Math.abs(floor.mid - at(v.verdict!.floor!.value)) < 2.5, `${run.name} ${key}: floor tick at ${v.verdict!.floor!.value} on ${low}..${high}`);
            assert.ok(Math.abs(ceiling.mid - at(v.verdict!.ceiling!.value)) < 2.5, `${run.name} ${key}: ceiling tick`);
          }
        }
        await frame.locator('.card[data-run="persona"]').scrollIntoViewIfNeeded();
      });
    },
  },
];

/** Lets a tab's content lay out before it is read. */
async function sleepFrame(frame: Frame): Promise<void> {
  await frame.waitForTimeout(400);
}
