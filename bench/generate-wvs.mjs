#!/usr/bin/env node
// Writes a WVS-wave-7-shaped CSV for the reader benchmark: 97,000 respondents x 600 columns laid out
// like WVS_Cross-National_Wave_7_csv_v6_0.csv (quoted version/doi strings, administrative columns,
// B_COUNTRY_ALPHA with ~60 ISO codes, W_WEIGHT positive decimals, Q1..Q290 with Q82_* variants on
// 2/4/5/10-point scales, ~6% negative missing codes -1..-5, demographics Q260/Q261/Q262, then
// derived numeric columns up to 600). The real microdata may not be redistributed; this has its shape.
//
//   node bench/generate-wvs.mjs [rows=97000] [out=bench/data/wvs7-shaped.csv]
//
// Seeded (mulberry32, seed 20240607) so every run writes the same bytes.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const rows = Number(process.argv[2] ?? 97000);
const out = process.argv[3] ?? 'bench/data/wvs7-shaped.csv';
mkdirSync(dirname(out), { recursive: true });

let seed = 20240607 >>> 0;
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const countries = ('AND ARG ARM AUS BGD BOL BRA CAN CHL CHN COL CYP CZE DEU ECU EGY ETH GBR GRC GTM HKG IDN IRN IRQ ' +
  'JOR JPN KAZ KEN KGZ KOR LBN LBY MAC MAR MDV MEX MMR MNG MYS NGA NIC NLD NZL PAK PER PHL PRI ROU RUS SGP SRB SVK ' +
  'THA TJK TUN TUR TWN UKR URY USA UZB VEN VNM ZWE').split(' ');

/** Column generators: each returns the cell text for one respondent. */
const columns = [];
const add = (name, gen) => columns.push({ name, gen });
const withMissing = (gen) => () => (rand() < 0.06 ? String(-int(1, 5)) : gen());
add('version', () => '"4-0-0 (2022-12-07)"');
add('doi', () => '"doi.org/10.14281/18241.20"');
add('A_WAVE', () => '7');
add('A_YEAR', () => String(int(2017, 2022)));
add('A_STUDY', () => '2');
let country = 'DEU';
add('B_COUNTRY', () => String(100 + countries.indexOf(country) * 4));
add('B_COUNTRY_ALPHA', () => country);
add('C_COW_NUM', () => String(200 + countries.indexOf(country)));
add('D_INTERVIEW', () => String(int(100000000, 999999999)));
add('J_INTDATE', () => String(int(20170101, 20221231)));
add('K_DURATION', withMissing(() => String(int(15, 120))));
add('Q_MODE', () => String(int(1, 6)));
add('N_REGION_ISO', () => String(int(1000, 9999)));
add('W_WEIGHT', () => (0.2 + rand() * 2.6).toFixed(int(3, 9)));
add('S018', () => (0.5 + rand()).toFixed(6));
add('PWGHT', () => (rand() * 3).toFixed(5));
const scales = [4, 5, 2, 10, 4, 5, 4, 3];
for (let q = 1; q <= 290; q++) {
  if (q === 260) { add('Q260', withMissing(() => String(int(1, 2)))); continue; }
  if (q === 261) { add('Q261', withMissing(() => String(int(1930, 2004)))); continue; }
  if (q === 262) { add('Q262', withMissing(() => String(int(16, 90)))); continue; }
  if (q === 240) { add('Q240', withMissing(() => String(int(1, 10)))); continue; }
  const k = scales[q % scales.length];
  if (q === 82) {
    for (const org of ['AFRICANUNION', 'APEC', 'ARABLEAGUE', 'ASEAN', 'CIS', 'CND', 'EU', 'GULFCOOP', 'ISLAMCOOP', 'MERCOSUR', 'NAFTA', 'OAS', 'SAARC', 'SCO', 'TLC', 'UNDP']) {
      add(`Q82_${org}`, withMissing(() => String(int(1, 4))));
    }
  }
  add(`Q${q}`, withMissing(() => String(int(1, k))));
}
for (let i = 1; columns.length < 600; i++) {
  const kind = i % 4;
  const name = `Y${String(i).padStart(3, '0')}`;
  if (kind === 0) add(name, () => (rand() * 100).toFixed(2));
  else if (kind === 1) add(name, withMissing(() => String(int(0, 1))));
  else if (kind === 2) add(name, withMissing(() => String(int(1, 12))));
  // Party and region codes are country code x 1000 + n in the real file.
  else add(name, withMissing(() => String(int(4001, 894999))));
}

const stream = createWriteStream(out);
stream.write(columns.map((c) => c.name).join(',') + '\n');
let pending = [];
for (let r = 0; r < rows; r++) {
  if (r % 1500 === 0) country = countries[int(0, countries.length - 1)];
  const cells = new Array(columns.length);
  for (let c = 0; c < columns.length; c++) cells[c] = columns[c].gen();
  pending.push(cells.join(','));
  if (pending.length === 500) {
    if (!stream.write(pending.join('\n') + '\n')) await new Promise((res) => stream.once('drain', res));
    pending = [];
  }
}
if (pending.length) stream.write(pending.join('\n') + '\n');
stream.end();
await new Promise((res) => stream.on('finish', res));
console.log(`wrote ${out}: ${rows} rows x ${columns.length} columns`);
