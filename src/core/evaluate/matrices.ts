/** Association matrices of counted tables, and the headline agreement of two of them. */
import type { SufficientStats } from '../count/tables';
import { polychoricMatrixParallel } from '../parallel';
import { associationMatrix, type AssociationMatrix } from '../stats/association';
import { compareUpperTriangles } from '../stats/group-structure';
import type { AssociationChoice } from './config';

/**
 * The association matrix of `stats`. Polychoric fits start at `start` (a matrix of the same items
 * likely to be close: only saves steps); with `valuesOnly` (a matrix only compared, never
 * reported) they are of rho only, without standard errors.
 */
export async function matrixFor(stats: SufficientStats, method: AssociationChoice, start?: AssociationMatrix, valuesOnly = false): Promise<AssociationMatrix> {
  if (method === 'polychoric') return (await polychoricMatrixParallel(stats, { start: start?.values, standardErrors: !valuesOnly })) as unknown as AssociationMatrix;
  return associationMatrix(stats, method);
}

/** Pearson and RMSE of the off-diagonal pairs defined in both matrices (the headline agreement). */
export function offDiagonalAgreement(ref: AssociationMatrix, run: AssociationMatrix): { pearson: number | null; rmse: number | null } {
  const c = compareUpperTriangles(ref.values, run.values);
  return { pearson: c.pearson, rmse: c.rmse };
}
