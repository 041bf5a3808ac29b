/**
 * Item order for heatmaps: average-linkage hierarchical clustering (UPGMA) of the reference
 * correlation matrix with distance 1 - r, leaves in dendrogram order, so blocks of related items
 * sit together. Undefined correlations count as distance 1 (unrelated).
 */
export function clusterOrder(matrix: (number | null)[][]): number[] {
  const m = matrix.length;
  if (m <= 2) return matrix.map((_, i) => i);
  const dist: number[][] = matrix.map((row, i) => row.map((v, j) => (i === j ? 0 : v === null ? 1 : 1 - v)));
  // Each active cluster: its leaves in order, its size.
  let clusters: { leaves: number[]; id: number }[] = matrix.map((_, i) => ({ leaves: [i], id: i }));
  // Distances between cluster ids (leaves 0..m-1, merged clusters m..2m-2), in a flat array.
  const size = 2 * m;
  const d = new Float64Array(size * size);
  const at = (a: number, b: number) => (a < b ? a * size + b : b * size + a);
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) d[at(i, j)] = dist[i][j];
  let nextId = m;
  while (clusters.length > 1) {
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let a = 0; a < clusters.length; a++) {
      for (let b = a + 1; b < clusters.length; b++) {
        const v = d[at(clusters[a].id, clusters[b].id)];
        // Ties broken by position, so the order is deterministic.
        if (v < best) {
          best = v;
          bi = a;
          bj = b;
        }
      }
    }
    const A = clusters[bi];
    const B = clusters[bj];
    const merged = { leaves: [...A.leaves, ...B.leaves], id: nextId++ };
    for (const C of clusters) {
      if (C === A || C === B) continue;
      const da = d[at(A.id, C.id)];
      const db = d[at(B.id, C.id)];
      d[at(merged.id, C.id)] = (da * A.leaves.length + db * B.leaves.length) / (A.leaves.length + B.leaves.length);
    }
    clusters = clusters.filter((c) => c !== A && c !== B);
    clusters.push(merged);
  }
  return clusters[0].leaves;
}
