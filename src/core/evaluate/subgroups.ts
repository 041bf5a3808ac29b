/**
 * Named subgroups (the config's `groups`): each scored like a whole run on its own rows.
 */
import { computeSufficientStats } from '../count/sufficient';
import type { SurveyData } from '../read/dataset';
import { selectGroups } from '../read/groups';
import type { DiagnosticBag } from '../report/diagnostics';
import type { Interval, SubgroupScores } from '../report/model';
import type { AssociationMatrix } from '../stats/association';
import { marginalMeasures } from '../stats/marginal';
import { Prng } from '../stats/prng';
import { nameHash, STREAM, streamSeed } from './cache';
import { checkAborted } from './cancel';
import type { AssociationChoice, EvaluationConfig } from './config';
import { CORRELATION_RANGE, headlineOf, intervalOf, polychoricReplicates, STRUCTURE_BOOTSTRAP_BUDGET, UNIT_RANGE } from './intervals';
import { referenceAnswerShares, usableFactor, usablePairValues, usableShareOf } from './invalid-answers';
import { marginalHeadline, marginalHeadlines, shares, sum } from './marginal-summary';
import { matrixFor, offDiagonalAgreement } from './matrices';
import { respondentBootstrap } from './respondent-bootstrap';

/** The rows `rows` of `columns` as data of their own (unweighted, no attributes), in that order. */
export function rowSubset(data: SurveyData, columns: readonly number[], rows: ArrayLike<number>): SurveyData {
  return {
    source: data.source,
    n: rows.length,
    columns: columns.map((c) => {
      const col = data.columns[c];
      const values = new Uint8Array(rows.length);
      for (let r = 0; r < rows.length; r++) values[r] = col.values[rows[r]];
      return { ...col, values };
    }),
    weights: null,
    attributes: new Map(),
  };
}

/** The rows `rows` of `columns` with their survey weights (the reference's side of a subgroup). */
function rowSubsetWeighted(data: SurveyData, columns: readonly number[], rows: ArrayLike<number>): SurveyData {
  const out = rowSubset(data, columns, rows);
  return data.weights ? { ...out, weights: Float64Array.from(rows as ArrayLike<number>, (r) => data.weights![r]) } : out;
}

/**
 * Scores of each named subgroup: the reference's and the run's rows selected by the group's two
 * filters, compared like the whole run: marginal headline and per-item distributions, structure
 * agreement and the two matrices per method, each headline with a percentile bootstrap interval
 * over the subgroup's run respondents (the same budget of table work as the whole run's structure
 * intervals). Each subgroup draws from its own seeded stream (seed, run name, group name), so
 * adding or removing a group or a run changes no other number in the report.
 */
export async function subgroupScores(
  config: EvaluationConfig,
  refData: SurveyData,
  refIdx: number[],
  runData: SurveyData,
  runIdx: number[],
  runPath: string,
  runName: string,
  bag: DiagnosticBag,
  signal?: AbortSignal,
): Promise<SubgroupScores[]> {
  const names = Object.keys(config.groups);
  if (!names.length) return [];
  const where = { file: config.configPath ?? undefined };
  const ref = selectGroups(refData, Object.fromEntries(names.map((n) => [n, config.groups[n].reference])), where);
  const run = selectGroups(runData, Object.fromEntries(names.map((n) => [n, config.groups[n].run])), { file: runPath });
  for (const d of [...ref.diagnostics, ...run.diagnostics]) bag.add(d);
  const out: SubgroupScores[] = [];
  for (const name of names) {
    checkAborted(signal);
    const refRows = ref.rows.get(name);
    const runRows = run.rows.get(name);
    if (!refRows || !runRows || refRows.length < 2 || runRows.length < 2) {
      bag.add({ severity: 'info', code: 'group.too-small', message: `Subgroup ${name} has ${refRows?.length ?? 0} reference and ${runRows?.length ?? 0} run respondents; at least 2 of each are needed, so it is not scored.`, file: config.configPath ?? runPath });
      continue;
    }
    const rs = computeSufficientStats(refData, { columns: refIdx, rows: refRows });
    // The subgroup's run respondents as data of their own (resampled below).
    const sub = rowSubset(runData, runIdx, runRows);
    const subColumns = runIdx.map((_, i) => i);
    const us = computeSufficientStats(sub, { weights: null });
    const structure: SubgroupScores['structure'] = {};
    const matrices: SubgroupScores['matrices'] = {};
    const refMs = new Map<AssociationChoice, AssociationMatrix>();
    const runMs = new Map<AssociationChoice, AssociationMatrix>();
    for (const method of config.association) {
      const refM = await matrixFor(rs, method);
      const runM = await matrixFor(us, method, refM);
      refMs.set(method, refM);
      runMs.set(method, runM);
      structure[method] = offDiagonalAgreement(refM, runM);
      matrices[method] = { reference: refM.values, run: runM.values };
    }
    const headline = marginalHeadline(rs, us.itemWeights);
    // The subgroup's headlines as the whole run's (invalid answers counted, bias-corrected).
    const answers = rs.items.map(() => runRows.length);
    const refShares = referenceAnswerShares(rowSubsetWeighted(refData, refIdx, refRows), refIdx.map((_, i) => i));
    const counted = marginalHeadlines(rs, us.itemWeights, answers, refShares.notValid);
    const usableRows = usablePairValues(sub, subColumns);
    const usable = usableShareOf(sum(usableRows), sub.n, subColumns.length);
    const items = rs.items.map((item, i) => {
      const mm = marginalMeasures(rs.itemWeights[i], us.itemWeights[i], item);
      return {
        item: item.id,
        n: sum(us.itemCounts[i]),
        referenceN: sum(rs.itemCounts[i]),
        referenceDistribution: shares(rs.itemWeights[i]),
        runDistribution: shares(us.itemWeights[i]),
        w1Normalized: mm.w1Normalized,
        tvd: mm.tvd,
      };
    });

    // Bootstrap over the subgroup's run respondents: marginal headline for every replicate,
    // structure for as many as the work budget allows (polychoric at most polychoricBootstrap).
    const B = config.bootstrap;
    const rng = new Prng(streamSeed(config.seed, STREAM.subgroup, nameHash(runName), nameHash(name)));
    const npairs = (rs.items.length * (rs.items.length - 1)) / 2;
    const tableB = Math.min(B, Math.floor(STRUCTURE_BOOTSTRAP_BUDGET / Math.max(1, npairs * runRows.length)));
    const repRep = new Float64Array(B);
    const repCounted = new Float64Array(B);
    const repUsable = new Float64Array(B);
    const repW1 = new Float64Array(B);
    const repTvd = new Float64Array(B);
    const repStructure = new Map(config.association.map((m) => [m, new Float64Array(m === 'polychoric' ? Math.min(tableB, polychoricReplicates(config)) : tableB)]));
    // Each replicate draws the subgroup's respondents with replacement (multiplicities over its rows).
    await respondentBootstrap({
      data: sub,
      columns: subColumns,
      unweighted: us,
      replicates: B,
      tableReplicates: tableB,
      rng,
      reference: refMs,
      agreement: repStructure,
      polychoricStart: runMs.get('polychoric'),
      rowValues: usableRows,
      each: (b, itemWeights, pairs) => {
        if (b % 20 === 0) checkAborted(signal);
        const hs = marginalHeadlines(rs, itemWeights, answers, refShares.notValid);
        const h = hs.validOnly;
        repRep[b] = h.representativeness ?? NaN;
        repW1[b] = h.meanW1Normalized ?? NaN;
        repTvd[b] = h.meanTvd ?? NaN;
        repCounted[b] = hs.counted.representativeness ?? NaN;
        repUsable[b] = usableFactor(usableShareOf(pairs, sub.n, subColumns.length), refShares.usable);
      },
    });
    const ci = (value: number | null, reps: Float64Array): Interval | null => (value === null || reps.length < 2 ? null : intervalOf(reps, reps.length));
    out.push({
      name,
      referenceRespondents: refRows.length,
      runRespondents: runRows.length,
      marginal: headline,
      structure,
      intervals: {
        representativeness: ci(headline.representativeness, repRep),
        meanW1Normalized: ci(headline.meanW1Normalized, repW1),
        meanTvd: ci(headline.meanTvd, repTvd),
        structure: Object.fromEntries(config.association.map((m) => [m, ci(structure[m].pearson, repStructure.get(m)!)])),
      },
      headline: {
        representativeness: headlineOf(counted.counted.representativeness, repCounted, B, UNIT_RANGE),
        invalidShare: counted.invalidShare,
        structure: Object.fromEntries(
          config.association.map((m) => {
            const reps = repStructure.get(m)!;
            const u = usableFactor(usable, refShares.usable);
            const r = structure[m].pearson;
            return [m, headlineOf(r === null ? null : u * r, Float64Array.from(reps, (x, b) => x * repUsable[b]), reps.length, CORRELATION_RANGE)];
          }),
        ),
      },
      items,
      matrices,
    });
  }
  return out;
}
