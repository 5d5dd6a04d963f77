/**
 * The studio's side of Hub datasets (hubDataset.ts reads them): a listing for the page, and a split read into
 * the parsed rows the mapping step takes plus a JSON Lines copy of them, which is what the studio keeps for a
 * reload (the saved session then holds a file like any dropped one, named after the dataset, config and split).
 */
import type { ParsedDataset } from '../engine/data/types';
import { listHubDataset, readHubDataset } from './hubDataset';
import type { HubDownloadOptions } from './hub';
import type { HubDatasetChoice, HubDatasetListingSummary, HubDatasetOrigin } from './protocol';

/** A Hub split as read: rows, their JSON Lines, and where they came from. */
export interface HubDatasetFile {
  parsed: ParsedDataset;
  blob: Blob;
  fileName: string;
  hub: HubDatasetOrigin;
}

/** The name the read split goes by in the page, error messages and the saved session. */
export function hubFileName(id: string, config: string, split: string): string {
  return `${id} · ${config} · ${split}.jsonl`;
}

/** The rows as JSON Lines (one object per line). */
export function rowsToJsonl(rows: readonly Record<string, unknown>[]): Blob {
  return new Blob(rows.map((r) => `${JSON.stringify(r)}\n`), { type: 'application/jsonl' });
}

/** The configs and splits of a Hub dataset, with their sizes, for the dataset step. */
export async function hubListing(datasetId: string, options: HubDownloadOptions): Promise<HubDatasetListingSummary> {
  const listing = await listHubDataset(datasetId, options);
  return {
    id: listing.id,
    source: listing.source,
    splits: listing.splits.map((s) => ({ config: s.config, split: s.split, bytes: s.bytes, fileCount: s.files.length })),
  };
}

/** Reads the chosen split (at most `choice.maxRows` rows). */
export async function readHubDatasetFile(choice: HubDatasetChoice, options: HubDownloadOptions): Promise<HubDatasetFile> {
  const read = await readHubDataset(choice.id, { config: choice.config, split: choice.split, maxRows: choice.maxRows }, options);
  const id = choice.id.trim();
  return {
    parsed: read.parsed,
    blob: rowsToJsonl(read.parsed.rows),
    fileName: hubFileName(id, read.config, read.split),
    hub: { id, config: read.config, split: read.split, source: read.source, truncated: read.truncated },
  };
}
