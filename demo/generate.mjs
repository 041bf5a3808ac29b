#!/usr/bin/env node
// Generates the bundled demo workspace. ALL DATA ARE SYNTHETIC: no real survey responses are
// shipped (World Values Survey microdata may not be redistributed).
//
// Model (a two-dimensional latent-trait model in the spirit of the Inglehart-Welzel cultural map):
//   each respondent i in country c has latent values
//     d1 (traditional -> secular-rational) = 0.35 mu1[c] - 0.012 (age - 45) + e1
//     d2 (survival -> self-expression)     = 0.35 mu2[c] + 0.15 (female)    + e2,   e ~ N(0, 1)
//   (most of the variation is within countries, as in the WVS)
//   each item j answers z = a1[j] d1 + a2[j] d2 + s[j] e3 and is cut into its k[j] ordered codes at
//   fixed thresholds (equally spaced normal quantiles shifted by the item's skew). ~4% of answers
//   are -1 "don't know" and ~1% -2 "no answer" (WVS missing codes); W_WEIGHT is log-normal.
// Runs tell the story of arXiv 2601.15755 ("Beyond Marginal Distributions"):
//   finetuned: each item sampled independently from an even mix of the reference's answer
//              distribution in the persona's country and the pooled one (a model tuned on pooled
//              data that learned the countries only halfway): marginals close, every country pulled
//              halfway to the centre of the cultural map, structure only what country differences give.
//   persona:   stereotyped personas: latent values exaggerated country means with collapsed spread,
//              and the two dimensions merged into one left-right axis: worse marginals (collapsed
//              variance), structure partly right.
//   base:      an unsteered model: one "default" profile whatever the persona, answers scattered
//              around it by noise unrelated across items, and some refusals written as text.
// Usage: node demo/generate.mjs   (deterministic: same files every time)
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

// xoshiro128** seeded with SplitMix32: deterministic on every platform.
function prng(seed) {
  let x = seed >>> 0;
  const sm = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let [a, b, c, d] = [sm(), sm(), sm(), sm()];
  const rotl = (v, k) => ((v << k) | (v >>> (32 - k))) >>> 0;
  const u32 = () => {
    const r = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c = (c ^ a) >>> 0; d = (d ^ b) >>> 0; b = (b ^ c) >>> 0; a = (a ^ d) >>> 0; c = (c ^ t) >>> 0; d = rotl(d, 11);
    return r;
  };
  const uniform = () => ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
  let spare = null;
  const normal = () => {
    if (spare !== null) { const s = spare; spare = null; return s; }
    let u, v, s;
    do { u = 2 * uniform() - 1; v = 2 * uniform() - 1; s = u * u + v * v; } while (s >= 1 || s === 0);
    const m = Math.sqrt(-2 * Math.log(s) / s);
    spare = v * m;
    return u * m;
  };
  return { uniform, normal, int: (n) => Math.floor(uniform() * n) };
}

const countries = [
  { code: 'DEU', mu: [0.9, 0.8] },
  { code: 'SWE', mu: [1.3, 1.4] },
  { code: 'USA', mu: [-0.2, 0.9] },
  { code: 'BRA', mu: [-0.8, 0.1] },
  { code: 'NGA', mu: [-1.4, -0.7] },
  { code: 'JPN', mu: [1.2, -0.1] },
];

const agree4 = { 1: 'Very important', 2: 'Rather important', 3: 'Not very important', 4: 'Not at all important' };
const scale10 = (lo, hi) => ({ 1: lo, 10: hi });
// id, label, topic, k, a1 (trad->secular), a2 (survival->self-expression), noise sd, skew, labels
const items = [
  ['Q1', 'Important in life: family', 'Social values', 4, -0.15, 0.05, 0.9, -1.2, agree4],
  ['Q2', 'Important in life: friends', 'Social values', 4, 0.05, -0.35, 0.9, -0.6, agree4],
  ['Q3', 'Important in life: leisure time', 'Social values', 4, 0.1, -0.45, 0.9, -0.4, agree4],
  ['Q4', 'Important in life: politics', 'Social values', 4, -0.1, -0.35, 1.0, 0.3, agree4],
  ['Q5', 'Important in life: work', 'Social values', 4, 0.35, 0.1, 0.9, -0.5, agree4],
  ['Q6', 'Important in life: religion', 'Social values', 4, 0.85, 0.1, 0.6, 0.0, agree4],
  ['Q46', 'Feeling of happiness', 'Happiness', 4, 0.05, -0.5, 0.8, -0.5, { 1: 'Very happy', 2: 'Rather happy', 3: 'Not very happy', 4: 'Not at all happy' }],
  ['Q49', 'Satisfaction with your life', 'Happiness', 10, 0.05, 0.55, 0.8, 0.4, scale10('Completely dissatisfied', 'Completely satisfied')],
  ['Q50', 'Satisfaction with financial situation', 'Happiness', 10, 0.1, 0.45, 0.9, 0.1, scale10('Completely dissatisfied', 'Completely satisfied')],
  ['Q57', 'Most people can be trusted (1) or need to be very careful (2)', 'Social capital', 2, -0.2, -0.5, 0.9, 0.6, { 1: 'Most people can be trusted', 2: 'Need to be very careful' }],
  ['Q106', 'Incomes more equal (1) vs larger differences as incentives (10)', 'Economic', 10, -0.1, 0.15, 1.0, 0.0, scale10('Incomes should be made more equal', 'Larger income differences as incentives')],
  ['Q131', 'Secure in your neighbourhood', 'Security', 4, -0.05, -0.4, 0.9, -0.4, { 1: 'Very secure', 2: 'Quite secure', 3: 'Not very secure', 4: 'Not at all secure' }],
  ['Q158', 'Science makes our lives healthier', 'Science', 10, 0.1, 0.3, 1.0, 0.5, scale10('Completely disagree', 'Completely agree')],
  ['Q164', 'Importance of God in your life', 'Religion', 10, -0.9, 0.0, 0.5, 0.2, scale10('Not at all important', 'Very important')],
  ['Q171', 'Attendance of religious services (1 = more than once a week, 7 = never)', 'Religion', 7, 0.8, 0.05, 0.6, 0.3, { 1: 'More than once a week', 7: 'Never, practically never' }],
  ['Q177', 'Justifiable: claiming government benefits you are not entitled to', 'Ethics', 10, 0.15, 0.05, 0.9, -1.0, scale10('Never justifiable', 'Always justifiable')],
  ['Q182', 'Justifiable: homosexuality', 'Ethics', 10, 0.45, 0.6, 0.6, -0.2, scale10('Never justifiable', 'Always justifiable')],
  ['Q184', 'Justifiable: abortion', 'Ethics', 10, 0.6, 0.35, 0.6, -0.3, scale10('Never justifiable', 'Always justifiable')],
  ['Q185', 'Justifiable: divorce', 'Ethics', 10, 0.55, 0.35, 0.7, 0.1, scale10('Never justifiable', 'Always justifiable')],
  ['Q199', 'Interest in politics', 'Political interest', 4, -0.05, -0.4, 0.9, 0.2, { 1: 'Very interested', 2: 'Somewhat interested', 3: 'Not very interested', 4: 'Not at all interested' }],
  ['Q235', 'A strong leader who does not bother with parliament and elections', 'Political culture', 4, -0.1, 0.55, 0.8, 0.4, { 1: 'Very good', 2: 'Fairly good', 3: 'Fairly bad', 4: 'Very bad' }],
  ['Q238', 'Having a democratic political system', 'Political culture', 4, 0.05, -0.5, 0.8, -0.9, { 1: 'Very good', 2: 'Fairly good', 3: 'Fairly bad', 4: 'Very bad' }],
  ['Q240', 'Left (1) - right (10) self-placement', 'Political culture', 10, -0.45, -0.1, 0.8, 0.0, scale10('Left', 'Right')],
  ['Q250', 'Importance of democracy', 'Political culture', 10, 0.1, 0.5, 0.8, 0.7, scale10('Not at all important', 'Absolutely important')],
].map(([id, label, topic, k, a1, a2, noise, skew, labels]) => ({ id, label, topic, k, a1, a2, noise, skew, labels }));

// Standard normal quantile (Acklam's rational approximation; plenty for synthetic thresholds).
function qnorm(p) {
  const a = [-39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155211];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = Math.min(p, 1 - p);
  let x;
  if (q > 0.02425) {
    const r = p - 0.5, s = r * r;
    return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
  }
  const r = Math.sqrt(-2 * Math.log(q));
  x = (((((c[0] * r + c[1]) * r + c[2]) * r + c[3]) * r + c[4]) * r + c[5]) / ((((d[0] * r + d[1]) * r + d[2]) * r + d[3]) * r + 1);
  return p < 0.5 ? x : -x;
}

for (const it of items) {
  const sd = Math.sqrt(it.a1 ** 2 * 1.6 + it.a2 ** 2 * 1.2 + it.noise ** 2);
  it.cuts = Array.from({ length: it.k - 1 }, (_, c) => sd * (qnorm((c + 1) / it.k) + it.skew * 0.5));
}
const answer = (it, d1, d2, e) => {
  const z = it.a1 * d1 + it.a2 * d2 + it.noise * e;
  let code = 1;
  for (const cut of it.cuts) if (z > cut) code++;
  return code;
};

function csv(rows) {
  return rows.map((r) => r.map((v) => (typeof v === 'string' && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v))).join(',')).join('\n') + '\n';
}

// Reference: 4,800 respondents, 800 per country.
const rng = prng(20260125);
const refRows = [];
const byCountry = new Map(countries.map((c) => [c.code, items.map((it) => new Float64Array(it.k))]));
let rid = 0;
for (const c of countries) {
  for (let n = 0; n < 800; n++) {
    const female = rng.uniform() < 0.52 ? 1 : 0;
    const age = 18 + Math.floor(rng.uniform() * 65);
    const d1 = 0.35 * c.mu[0] - 0.012 * (age - 45) + rng.normal();
    const d2 = 0.35 * c.mu[1] + 0.15 * female + rng.normal();
    const w = Math.exp(0.35 * rng.normal() - 0.06);
    const row = [`R${String(++rid).padStart(5, '0')}`, c.code, Number(w.toFixed(6)), female ? 2 : 1, age];
    items.forEach((it, j) => {
      const u = rng.uniform();
      if (u < 0.04) row.push(-1);
      else if (u < 0.05) row.push(-2);
      else {
        const code = answer(it, d1, d2, rng.normal());
        row.push(code);
        byCountry.get(c.code)[j][code - 1] += w;
      }
    });
    refRows.push(row);
  }
}
const header = ['respondent_id', 'B_COUNTRY_ALPHA', 'W_WEIGHT', 'Q260', 'Q262', ...items.map((i) => i.id)];
writeFileSync(join(here, 'reference.csv'), csv([header, ...refRows]));

// Codebook: scales, labels, topics, missing codes.
const codebook = {
  $schema: '../schemas/codebook.schema.json',
  description: 'SYNTHETIC demo codebook modelled on World Values Survey wave 7 items (wording shortened).',
  items: items.map((it) => ({
    id: it.id,
    label: it.label,
    topic: it.topic,
    type: it.k === 2 ? 'nominal' : 'ordinal',
    codes: Array.from({ length: it.k }, (_, c) => c + 1),
    labels: it.labels,
    missing: [-1, -2, -3, -4, -5],
  })),
};
writeFileSync(join(here, 'codebook.json'), JSON.stringify(codebook, null, 2) + '\n');

const runHeader = ['respondent_id', 'persona_country', ...items.map((i) => i.id)];
const personas = (n) => Array.from({ length: n }, (_, i) => countries[i % countries.length]);

// finetuned: item by item from half the persona's country's (weighted) distribution and half the
// pooled one. Mixing distributions keeps the pooled marginals and moves every country's item means
// halfway to the pooled mean: the map's configuration keeps its shape at half the size.
{
  const r = prng(7);
  const share = (dist) => {
    const total = dist.reduce((a, b) => a + b, 0);
    return dist.map((x) => x / total);
  };
  const pooled = items.map((_, j) => share(countries.map((c) => byCountry.get(c.code)[j]).reduce((acc, d) => acc.map((x, k) => x + d[k]))));
  const rows = personas(1200).map((c, i) => {
    const dists = byCountry.get(c.code).map((d, j) => share(d).map((p, k) => 0.5 * p + 0.5 * pooled[j][k]));
    return [`F${String(i + 1).padStart(4, '0')}`, c.code, ...dists.map((dist) => {
      let u = r.uniform();
      for (let k = 0; k < dist.length; k++) if ((u -= dist[k]) < 0) return k + 1;
      return dist.length;
    })];
  });
  writeFileSync(join(here, 'runs', 'finetuned.csv'), csv([runHeader, ...rows]));
}

// persona: exaggerated, collapsed, one merged axis.
{
  const r = prng(11);
  const rows = personas(1200).map((c, i) => {
    const axis = 0.5 * (c.mu[0] + c.mu[1]) * 1.2 + 0.6 * r.normal();
    const d1 = axis;
    const d2 = axis;
    return [`P${String(i + 1).padStart(4, '0')}`, c.code, ...items.map((it) => answer(it, d1, d2, 0.45 * r.normal()))];
  });
  writeFileSync(join(here, 'runs', 'persona.csv'), csv([runHeader, ...rows]));
}

// base: one default profile with a little noise, and refusals written as text.
{
  const r = prng(13);
  const refusal = "As an AI, I don't have personal opinions";
  const rows = personas(1200).map((c, i) => {
    return [`B${String(i + 1).padStart(4, '0')}`, c.code, ...items.map((it) => (r.uniform() < 0.03 ? refusal : answer(it, 0.9, 1.1, 1.4 * r.normal())))];
  });
  writeFileSync(join(here, 'runs', 'base.csv'), csv([runHeader, ...rows]));
}
console.log(`demo: wrote reference.csv (${refRows.length} respondents x ${items.length} items), codebook.json, runs/{finetuned,persona,base}.csv`);
