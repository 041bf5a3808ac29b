/**
 * The representativeness report: the stable, versioned data contract shared by the command line
 * (`--format json`), the VS Code panel, the standalone HTML report and downstream tools.
 *
 * Conventions: full double precision; `null` wherever a value is undefined (never NaN); matrices
 * are arrays of rows; field names only ever get added, never renamed, within a schema version.
 * Imports only types free of Node and DOM, so the webview can use these types too.
 */
import type { InputDiagnostic } from './diagnostics';
/**
 * 2: headlines count answers without a valid code beyond the reference's own share against the run
 * (`MarginalSummary.invalidShare` / `referenceInvalidShare`, `validOnly`, `IndividualStructure.
 * usableShare` / `referenceUsableShare` and `agreementValidOnly`); each `{value, ci}` is the
 * bias-corrected estimate of the run population's value with the basic bootstrap interval
 * (`Interval.method` 'basic'), the sample estimate and the percentile interval kept as `sample` and
 * `percentile`; verdicts against floor and ceiling (`Verdict`, `Baseline.population`); the group
 * level's headline `agreement`, its nominal items left out (`excludedNominal`); per-run `hints`.
 * 3: runs' latent structure (`RunReport.latent`: the cultural map and the factor structure), the
 * map's verdicts (`agreement.meanDistance.verdict`, `agreement.procrustesVerdict`) and the
 * Procrustes correlation's permutation null (`agreement.procrustesNull`, floor
 * `group-permutation-null`).
 */
export const REPORT_SCHEMA_VERSION = 3;

/** An input problem as reports carry it: the engine's located diagnostic, unchanged. */
export type ReportDiagnostic = InputDiagnostic;

/** A confidence interval; nulls when it could not be computed (e.g. too few respondents). */
export interface Interval {
  low: number | null;
  high: number | null;
  /** e.g. 0.95 */
  confidence: number;
  /**
   * 'basic' (reverse percentile): [2 x sample - q97.5, 2 x sample - q2.5] of the replicates, the
   * interval of the bias-corrected headline; 'percentile': [q2.5, q97.5] of the replicates (arXiv
   * 2601.15755), the interval of the sample estimate's resampling distribution; 'bca' as scipy.
   */
  method: 'basic' | 'percentile' | 'bca';
  /** Number of bootstrap replicates. */
  replicates: number;
  /** Mean of the replicates (its distance from the estimate is the resampling shift). */
  bootstrapMean?: number | null;
}

/** The reference points a verdict compares with. */
export type ReferencePointName = 'uniform-random' | 'independent-marginals' | 'human-split-half' | 'permutation-null' | 'group-permutation-null';

/**
 * A headline read against its floor (no information) and ceiling (another human sample), both as
 * population values like the headline itself (`Baseline.population`): `below-floor` when the
 * interval lies below the floor, `at-floor` when it contains the floor, `at-ceiling` when it
 * reaches the ceiling, `between` otherwise; `undefined` without an estimate, a floor or a ceiling,
 * or when the interval spans both. `text` says it in words.
 */
export interface Verdict {
  code: 'below-floor' | 'at-floor' | 'between' | 'at-ceiling' | 'undefined';
  text: string;
  floor: { baseline: ReferencePointName; value: number } | null;
  ceiling: { baseline: ReferencePointName; value: number } | null;
}

/**
 * A headline: `value` estimates the run population's value (what the run would score with endless
 * respondents, the reference fixed): the bias-corrected estimate 2 x sample - bootstrap mean,
 * clamped to the measure's range, and `ci` its basic bootstrap interval (clamped likewise, so it
 * always contains `value`). `sample` is the plain estimate from the run's respondents and
 * `percentile` the 2.5 / 97.5 percentiles of the replicates, the numbers arXiv 2601.15755 reports.
 * Without a bootstrap `value` is the sample and `ci` null.
 */
export interface ValueWithCi {
  value: number | null;
  ci: Interval | null;
  sample?: number | null;
  percentile?: { low: number | null; high: number | null } | null;
  verdict?: Verdict;
}

export interface ItemLocation {
  file: string;
  line: number;
  column: number;
  endColumn: number;
}

export interface MarginalItem {
  item: string;
  label?: string;
  topic?: string;
  type: 'ordinal' | 'nominal';
  /** Valid codes in scale order and their labels, for charts. */
  codes: number[];
  labels?: Record<string, string>;
  /** Run respondents with a valid answer (unweighted). */
  n: number;
  /** Reference respondents with a valid answer (unweighted). */
  referenceN: number;
  /** Wasserstein-1 over code values divided by the scale range (ordinal items; null for nominal). */
  w1Normalized: number | null;
  /** Total variation distance 0.5 * sum |p - q|. */
  tvd: number | null;
  /** Jensen-Shannon distance, base 2 (= scipy jensenshannon(p, q, base=2)). */
  jsDistance: number | null;
  /** Jensen-Shannon divergence, base 2 (the square of the distance). */
  jsDivergence: number | null;
  /** Kullback-Leibler divergence KL(reference || run) in bits, after the additive smoothing `klSmoothing` on both sides. */
  kl: number | null;
  klSmoothing: number;
  /** Run mean minus reference mean, in code units. */
  meanDiff: number | null;
  /** (run variance / range^2) / (reference variance / range^2). */
  varianceRatio: number | null;
  referenceModalShare: number | null;
  runModalShare: number | null;
  /** Share of the run's answers to this item that matched no valid or missing code. */
  invalid: number | null;
  invalidCount: number;
  /**
   * Share of the run's respondents without a valid answer to this item (an answer matching no
   * option, an empty cell or a missing code; for a distribution run, its invalid mass). What exceeds
   * `referenceNotValidShare` the headline puts at the maximal distance 1.
   */
  notValidShare: number | null;
  /** The reference's (weighted) share of respondents without a valid answer: the share the run may leave unanswered without it counting. */
  referenceNotValidShare: number | null;
  /** Shares over `codes` (weighted for the reference). */
  referenceDistribution: number[];
  runDistribution: number[];
  weak: boolean;
  reasons: string[];
}

/** The marginal means over items of one rule (see `MarginalSummary`). */
export interface MarginalMeans {
  meanW1Normalized: ValueWithCi;
  /** OpinionQA representativeness: 1 - mean normalised W1 over ordinal items. */
  representativeness: ValueWithCi;
  meanTvd: ValueWithCi;
  meanJsDistance: ValueWithCi;
}

/**
 * The headline: per item, distance' = (1 - s) x distance + s, with s = max(0, notValidShare -
 * referenceNotValidShare), the run's share without a valid answer beyond the reference's own (that
 * mass at the maximal distance 1); an item without any valid answer counts at distance 1 instead of
 * dropping out. `representativeness` carries its verdict. `validOnly` holds the means over valid
 * answers only (the paper's numbers), items without a valid answer left out.
 */
export interface MarginalSummary extends MarginalMeans {
  /** Share of the run's answers (respondents x items) without a valid answer. */
  invalidShare: number | null;
  /** The reference's (weighted) share without a valid answer, mean over the items: what the run may leave unanswered without it counting. */
  referenceInvalidShare: number | null;
  validOnly: MarginalMeans;
}

export interface MatrixComparisonReport {
  pairs: number;
  excludedPairs: number;
  rmse: number | null;
  mae: number | null;
  maxAbsDiff: number | null;
  maxAbsDiffPair: [string, string] | null;
  /** Frobenius norm of the full difference matrix (both triangles). */
  frobenius: number | null;
  /** Frobenius norm over the strict upper triangle (= frobenius / sqrt 2). */
  frobeniusUpper: number | null;
  pearson: number | null;
  spearman: number | null;
  signAgreement: number | null;
  mantel: { r: number | null; p: number | null; permutations: number };
  steiger: { chi2: number | null; df: number; p: number | null; n: number };
  tucker: { components: number; congruence: (number | null)[]; mean: number | null };
  eigenvalues: { reference: number[]; run: number[] } | null;
}

export interface PairDifference {
  i: string;
  j: string;
  reference: number | null;
  run: number | null;
  difference: number | null;
  z: number | null;
  p: number | null;
  /** Benjamini-Hochberg adjusted p. */
  q: number | null;
  referenceN: number;
  runN: number;
}

export interface IndividualStructure {
  method: string;
  items: string[];
  reference: (number | null)[][];
  run: (number | null)[][];
  difference: (number | null)[][];
  /** Unweighted complete-pair counts. */
  referenceN: number[][];
  runN: number[][];
  comparison: MatrixComparisonReport;
  /**
   * The headline: agreement (Pearson of the off-diagonal correlations) x (1 - max(0,
   * referenceUsableShare - usableShare)), bias-corrected, with its basic bootstrap interval over run
   * respondents and its verdict: answer pairs unusable beyond the reference's own count as no
   * structure (0).
   */
  agreement: ValueWithCi;
  /** The agreement over valid answers only (the paper's number as `sample`, with `percentile`). */
  agreementValidOnly: ValueWithCi;
  /** Mean over item pairs of the share of the run's respondents with both answers valid. */
  usableShare: number | null;
  /** The same for the reference (weighted). */
  referenceUsableShare: number | null;
  pairs: PairDifference[];
  /** Item order that shows blocks (hierarchical clustering of the reference matrix). */
  order: number[];
}

/** The paper's group-level comparison: sample values with percentile intervals. */
export interface GroupComparison {
  /** Pearson correlation of the strict upper triangles of the human and model matrices. */
  pearson: number | null;
  rmse: number | null;
  pairs: number;
  /** Percentile intervals of the bootstrap replicates (arXiv 2601.15755): about the resampled value, not bias-corrected. */
  pearsonCi: Interval | null;
  rmseCi: Interval | null;
}

/** Group-level ("ecological") structure, arXiv 2601.15755. */
export interface GroupStructure {
  groupBy: { reference: string; run: string };
  groups: string[];
  /** The items compared: ordinal items and the nominal items the config names in `groupLevelNominal`. */
  items: string[];
  /** Nominal items left out: the mean of unordered codes means nothing. */
  excludedNominal: string[];
  /**
   * The headline: `comparison.pearson` x (1 - max(0, referenceUsableShare - usableShare)) (the
   * factor held at the run's value in every replicate), bias-corrected, with its basic interval over
   * the within-group bootstrap and its verdict (floor: the permutation null, 0; ceiling: the
   * split-half ceiling as a population value).
   */
  agreement: ValueWithCi;
  /** The usable share of the run's answers over the group level's items (see `IndividualStructure.usableShare`; distribution runs: mean over pairs of (1 - s_i)(1 - s_j)). */
  usableShare: number | null;
  /** The same for the reference (weighted; for distribution runs in the same product form). */
  referenceUsableShare: number | null;
  /** Respondents per group (run: total answer count for distribution runs; null when it gives only shares). */
  groupSizes: { reference: number[]; run: (number | null)[] };
  /** means[g][j]: mean valid answer scaled to 0..1 by the item's range; correlation: item x item across groups. */
  reference: { means: (number | null)[][]; correlation: (number | null)[][]; zeroVariance: string[] };
  run: { means: (number | null)[][]; correlation: (number | null)[][]; zeroVariance: string[] };
  comparison: GroupComparison;
  /** Permutation null: item labels of the model matrix permuted; mean and 2.5 / 97.5 percentiles, one-sided p. */
  null: { permutations: number; mean: number | null; low: number | null; high: number | null; p: number | null };
  /**
   * Human split-half ceiling: reference respondents split at random within each group, the two
   * halves compared. Each half holds half the respondents, so for a small reference this is a
   * conservative (low) ceiling; with WVS-size groups it approaches 1.
   */
  ceiling: {
    splits: number;
    pearson: number | null;
    rmse: number | null;
    low: number | null;
    high: number | null;
    /** The ceiling as a population value, the verdict's: 1 - (1 - pearson) / 4 (see README, "Floors and ceilings"). */
    population: number | null;
  };
  topics: { topics: string[]; reference: (number | null)[][]; run: (number | null)[][]; comparison: GroupComparison } | null;
}

export interface Baseline {
  name: 'independent-marginals' | 'uniform-random' | 'human-split-half';
  description: string;
  /** Sample values at the run's size (split half: two halves of the reference), as in arXiv 2601.15755. */
  marginal: { meanW1Normalized: number | null; representativeness: number | null; meanTvd: number | null };
  structure: Record<string, { pearson: number | null; rmse: number | null }>;
  /**
   * The same reference point as a population value, what verdicts compare headlines with:
   * uniform-random: the uniform distribution against the reference, exactly, and structure 0;
   * independent-marginals: representativeness 1 (the reference's own marginals) and structure 0;
   * human-split-half: 1 - (1 - split) / 2 for representativeness and 1 - (1 - split) / 4 for
   * structure, the human population against this reference (README, "Floors and ceilings").
   */
  population: { representativeness: number | null; structure: Record<string, number | null> };
}

/** One item within a named subgroup: both answer distributions over the item's codes. */
export interface SubgroupItem {
  item: string;
  /** Run respondents of the subgroup with a valid answer; reference respondents likewise (unweighted). */
  n: number;
  referenceN: number;
  referenceDistribution: number[];
  runDistribution: number[];
  w1Normalized: number | null;
  tvd: number | null;
}

/** Scores of one named subgroup (config "groups"): the reference's and the run's rows its filters select. */
export interface SubgroupScores {
  name: string;
  referenceRespondents: number;
  runRespondents: number;
  marginal: { meanW1Normalized: number | null; representativeness: number | null; meanTvd: number | null; meanJsDistance: number | null };
  /** Agreement of the item-item matrices within the subgroup, per association method. */
  structure: Record<string, { pearson: number | null; rmse: number | null }>;
  /**
   * Percentile bootstrap intervals over the subgroup's run respondents (the reference fixed), as
   * for the whole run; null when the run has no bootstrap or too few defined replicates.
   */
  intervals: {
    representativeness: Interval | null;
    meanW1Normalized: Interval | null;
    meanTvd: Interval | null;
    /** Per association method: the interval of `structure[method].pearson`. */
    structure: Record<string, Interval | null>;
  };
  /**
   * The subgroup's headlines as the whole run's: invalid answers counted against it, bias-corrected,
   * basic intervals (no verdict: floors and ceilings are the whole run's).
   */
  headline: { representativeness: ValueWithCi; invalidShare: number | null; structure: Record<string, ValueWithCi> };
  /** Per item (the run's item order), the subgroup's distributions: what the panel draws for a selected group. */
  items: SubgroupItem[];
  /** Per association method, the subgroup's matrices in the item order of `items` (difference = run - reference). */
  matrices: Record<string, { reference: (number | null)[][]; run: (number | null)[][] }>;
}

export interface WeakItem {
  item: string;
  reasons: string[];
  w1Normalized: number | null;
  tvd: number | null;
  invalid: number | null;
  locations: ItemLocation[];
}

export interface WeakPair {
  method: string;
  i: string;
  j: string;
  reference: number | null;
  run: number | null;
  difference: number | null;
  q: number | null;
  reasons: string[];
}

export interface RunReport {
  name: string;
  path: string;
  /** Source files (scripts, prompt templates) the user declared as producing this run. */
  producedBy: string[];
  respondents: number;
  /** 'respondents': one simulated respondent answered many items; 'distribution': only shares per item. */
  level: 'respondents' | 'distribution';
  items: string[];
  marginal: { items: MarginalItem[]; summary: MarginalSummary };
  structure: {
    individual: Record<string, IndividualStructure>;
    /** Why individual-level structure is absent, when it is. */
    individualUnavailable?: string;
    group: GroupStructure | null;
    /** Why group-level structure is absent, when it is. */
    groupUnavailable?: string;
  };
  baselines: Baseline[];
  /** Per named subgroup (config "groups"), for respondent-level runs. */
  groups: SubgroupScores[];
  weakItems: WeakItem[];
  weakPairs: WeakPair[];
  /** What to fix, in words (answers that look like labels, refusals, empty answers), most important first. */
  hints: string[];
  /** Where each item is named in the run file (header cell / first key). */
  itemLocations: Record<string, ItemLocation>;
  /** Latent structure: the Inglehart-Welzel cultural map and the items' factor structure. */
  latent?: LatentStructure;
}

export interface EvaluationReport {
  schemaVersion: number;
  tool: { name: 'representativeness-lens'; version: string };
  createdAt: string;
  settings: {
    seed: number;
    bootstrap: number;
    /** Replicates of the polychoric structure interval (at most `bootstrap`; fewer under the work budget). */
    polychoricBootstrap: number;
    permutations: number;
    association: string[];
    thresholds: Thresholds;
    weight: string | null;
    /** Nominal items the config lets into the group level (`groupLevelNominal`); the others are left out. */
    groupLevelNominal: string[];
  };
  reference: { path: string; respondents: number; items: string[]; weighted: boolean };
  runs: RunReport[];
  diagnostics: ReportDiagnostic[];
  /** What the evaluation did not compute and why (honest gaps a reader must know about). */
  notes: string[];
}

export interface Thresholds {
  /** An ordinal item is weak when its normalised W1 exceeds this. */
  w1Normalized: number;
  /** A nominal (or any) item is weak when its TVD exceeds this. */
  tvd: number;
  /** An item is weak when more than this share of the run's answers are invalid. */
  invalid: number;
  /** A pair is weak when |run - reference| exceeds this and the difference is significant. */
  pairDifference: number;
  /** False discovery rate for pair tests. */
  fdr: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  w1Normalized: 0.1,
  tvd: 0.2,
  invalid: 0.05,
  pairDifference: 0.2,
  fdr: 0.05,
};

// ---------------------------------------------------------------------------------------------
// Latent structure (README "Latent structure")

export interface LatentStructure {
  culturalMap: CulturalMapReport | null;
  /** Why there is no map, when there is none. */
  culturalMapUnavailable?: string;
  factors: FactorStructureReport | null;
  /** Why there is no factor comparison, when there is none. */
  factorsUnavailable?: string;
}

/** A position on the map: [axis 1 (traditional -> secular-rational), axis 2 (survival -> self-expression)]. */
export type MapPosition = [number, number];

export interface CulturalMapIndicator {
  /** god, autonomy, abortion, pride, authority, postmaterialism, happiness, homosexuality, petition, trust. */
  id: string;
  /** The integrated WVS/EVS name (F063, Y003, ...). */
  code: string;
  name: string;
  dimension: 1 | 2;
  /** Part -> column it was read from (column for single-column indicators). */
  columns: Record<string, string>;
  /** Its rotated loadings on the two axes. */
  loadings: MapPosition;
  /** Mean and standard deviation (n - 1) over the human groups: the standardisation of the map. */
  center: number;
  scale: number;
}

export interface CulturalMapPoint {
  group: string;
  /** Respondents of the group with at least one indicator (reference unweighted count / run). */
  referenceN: number;
  runN: number;
  /** Group means of the indicators (order of `indicators`), null where no respondent has one. */
  referenceMeans: (number | null)[];
  runMeans: (number | null)[];
  reference: MapPosition | null;
  run: MapPosition | null;
  /** Euclidean distance between the two positions (map units). */
  distance: number | null;
  /** Percentile bootstrap interval of the distance (run respondents resampled within groups). */
  distanceCi: Interval | null;
}

export interface CulturalMapReport {
  /** Group columns: the reference's (fitted) and the run's; run null when the run is one point. */
  groupBy: { reference: string; run: string | null };
  /** True when the run has no group column: all its respondents are one point, compared with the pooled human point. */
  pooled: boolean;
  indicators: CulturalMapIndicator[];
  /** Indicators left out, with why (missing columns, no valid answers). */
  missingIndicators: { id: string; reason: string }[];
  axes: { name: string; low: string; high: string; varianceExplained: number }[];
  /** Every human group the map was fitted on, with its position. */
  referenceGroups: { group: string; n: number; position: MapPosition }[];
  /** The groups compared (in both the reference fit and the run), or the one pooled point. */
  points: CulturalMapPoint[];
  agreement: {
    groups: number;
    meanDistance: ValueWithCi;
    /** Pearson correlation of human and run coordinates across groups, per axis. */
    pearson: [number | null, number | null];
    /**
     * Procrustes comparison of the two configurations (`vegan::procrustes(X = human, Y = run)`):
     * `correlation` = sqrt(1 - symmetricSs) (vegan::protest's t0; 1 = same shape), `symmetricSs`,
     * `ss` (non-symmetric, map units), `scale`, `rotation`. null with fewer than 2 groups or no spread.
     */
    procrustes: { symmetricSs: number; correlation: number; ss: number; scale: number; rotation: number[][] } | null;
    procrustesCorrelationCi: Interval | null;
    /**
     * The Procrustes correlation's floor: `vegan::protest`'s permutation null, the run's positions
     * matched to the wrong groups (`permutations` random matchings; the null's mean and its 2.5 /
     * 97.5th percentiles; p = (#{null >= correlation - sqrt(eps)} + 1) / (permutations + 1)).
     * null without a Procrustes fit or with `permutations` 0.
     */
    procrustesNull: { permutations: number; mean: number | null; low: number | null; high: number | null; p: number | null } | null;
    /**
     * The Procrustes correlation read against its floor (the null's mean, `group-permutation-null`)
     * and its ceiling (the human split-half mean) with its percentile interval: sample values all
     * three, as the map's numbers are (the mean distance's verdict is `meanDistance.verdict`, read
     * with lower = better against the independent-marginals floor).
     */
    procrustesVerdict: Verdict;
  };
  /** The independent-marginals floor: a run answering from the human pooled marginals puts every group on one point. */
  floor: { position: MapPosition | null; meanDistance: number | null; procrustesCorrelation: number | null };
  /** The human split-half ceiling: halves within each group placed on the map and compared. */
  ceiling: { splits: number; meanDistance: number | null; meanDistanceLow: number | null; meanDistanceHigh: number | null; procrustesCorrelation: number | null; procrustesCorrelationLow: number | null; procrustesCorrelationHigh: number | null };
}

export interface FactorStructureReport {
  /** The association matrices factored (the first of the config's `association`). */
  method: string;
  items: string[];
  factors: number;
  factorsFrom: 'parallel-analysis' | 'config';
  /** The reference's parallel analysis (psych::fa.parallel, factor eigenvalues against the simulated threshold). */
  parallel: { observed: number[]; threshold: number[]; iterations: number; simulatedRespondents: number } | null;
  /** Minres loadings (items x factors) of the reference, varimax-rotated when k >= 2. */
  reference: { loadings: number[][]; communalities: number[]; heywood: boolean; converged: boolean };
  /** Minres loadings of the run rotated to the reference's by orthogonal Procrustes. */
  run: { loadings: number[][]; communalities: number[]; heywood: boolean; converged: boolean; rotation: number[][] };
  /** Tucker's phi per factor, their mean, and over all loadings (>= 0.95 equal, 0.85-0.94 fair). */
  congruence: { perFactor: (number | null)[]; mean: number | null; overall: number | null };
  /** Items whose loading rows move most (Euclidean distance between the run's and the reference's rows), top 5. */
  movers: { item: string; distance: number; reference: number[]; run: number[] }[];
}
