/** Token columns to item columns: the given codebook applied, or the item inferred from the answers. */
import type { ItemCodebook } from './codebook';
import type { ItemColumn } from './dataset';
import type { DiagnosticBag } from '../report/diagnostics';
import type { TokenColumn } from './columns';
import { inferItem, resolveColumn, type InferencePolicy } from './resolve';
import type { HeaderLocation } from './options';

/** A selected item column being read. */
export interface SelectedItem {
  name: string;
  column: TokenColumn;
  codebook: ItemCodebook | null;
  /** Asked for by name (items option or codebook) rather than found by looking at the columns. */
  explicit: boolean;
}

/**
 * Resolves selected columns into `ItemColumn`s: given codebooks applied, others inferred (and
 * said so in one info diagnostic), columns that are not items reported.
 */
export function buildItemColumns(
  selected: SelectedItem[],
  n: number,
  policy: InferencePolicy,
  presetName: string | undefined,
  file: string,
  bag: DiagnosticBag,
  itemLocations: Record<string, HeaderLocation>,
): { columns: ItemColumn[]; inferred: boolean } {
    const columns: ItemColumn[] = [];
    const inferredNotes: string[] = [];
    const notItems: string[] = [];
    let inferred = false;
    for (const s of selected) {
      const counts = s.column.slotCounts(n);
      let item = s.codebook;
      if (!item) {
        const guess = inferItem(s.column, counts, policy, s.explicit);
        if (!guess.item) {
          if (s.explicit) {
            bag.add({
              severity: 'error',
              code: 'data.not-an-item',
              message: `Column "${s.name}" cannot be read as an item: ${guess.note}.`,
              file,
              ...itemLocations[s.name],
              item: s.name,
            });
          } else notItems.push(`${s.name} (${guess.note})`);
          delete itemLocations[s.name];
          continue;
        }
        item = guess.item;
        inferred = true;
        inferredNotes.push(`${s.name}: ${guess.note}`);
      }
      columns.push(resolveColumn(s.column, n, item, counts, file, bag));
      s.column.values = new Uint16Array(0); // free the slots as we go
    }
    if (inferredNotes.length) {
      bag.add({
        severity: 'info',
        code: 'codebook.inferred',
        message: `No codebook for ${inferredNotes.length} item${inferredNotes.length === 1 ? '' : 's'}; inferred from the data${presetName ? ` with the ${presetName} preset` : ''} (observed valid codes in ascending order${policy.negativeMissing ? ', negative codes as missing' : ''}): ${inferredNotes.slice(0, 10).join('; ')}${inferredNotes.length > 10 ? `; and ${inferredNotes.length - 10} more (write a codebook to see and fix them all)` : ''}.`,
        file,
      });
    }
    if (notItems.length) {
      bag.add({
        severity: 'info',
        code: 'data.columns-not-items',
        message: `${notItems.length} column${notItems.length === 1 ? ' was' : 's were'} not taken as items: ${notItems.slice(0, 30).join('; ')}${notItems.length > 30 ? '; ...' : ''}. Name them in "items" to read them anyway.`,
        file,
      });
    }
  return { columns, inferred };
}
