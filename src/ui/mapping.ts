/** Column choices when the user switches record type: keep what still fits, name-match the rest. */
import { mappingFromNames, type ColumnMapping } from '../engine/data';
import { RECORD_FIELDS, type RecordType } from '../engine/records';

export function suggestMappingForColumns(type: RecordType, columns: readonly string[], previous: ColumnMapping): ColumnMapping {
  const named = mappingFromNames(type, columns);
  if (named) return named;
  const prevTexts = Object.entries(previous).filter(([f]) => f !== 'label').map(([, c]) => c);
  const out: ColumnMapping = {};
  let i = 0;
  for (const f of RECORD_FIELDS[type]) {
    if (f === 'label') {
      if (previous.label) out.label = previous.label;
    } else if (i < prevTexts.length) {
      out[f] = prevTexts[i++];
    }
  }
  return out;
}
